"""The translation catalogue: same keys in both languages, placeholders agree, numbers."""

from __future__ import annotations

import re
import string

import pytest

from geo.core.i18n import LANGS, format_number, format_percent, lang_of, plotly_separators, t
from geo.core.i18n import catalogue as domain_catalogue
from layouts.text import catalogue, page_catalogue


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_in_every_language():
    keys = {lang: set(catalogue(lang)) for lang in LANGS}
    assert keys["id"], "empty catalogue"
    for lang in LANGS:
        missing = keys["id"] ^ keys[lang]
        assert not missing, f"{lang}: keys missing in one language: {sorted(missing)[:10]}"


def test_pages_and_domain_keep_their_own_keys():
    for lang in LANGS:
        domain, page = domain_catalogue(lang), page_catalogue(lang)
        assert domain and page and not set(domain) & set(page)
        assert catalogue(lang) == {**domain, **page}


def test_placeholders_agree_and_texts_are_not_empty():
    id_, en = catalogue("id"), catalogue("en")
    for key, text in id_.items():
        assert text.strip() and en[key].strip(), key
        assert placeholders(text) == placeholders(en[key]), key


def test_keys_are_dotted_lower_case():
    for key in catalogue("id"):
        assert re.fullmatch(r"[a-z0-9_]+(\.[a-z0-9_]+)+", key), key


def test_lookup_and_fallbacks():
    assert t("lang.name") == "Bahasa Indonesia"
    assert t("lang.name", "en") == "English"
    assert t("lang.name", "fr") == "Bahasa Indonesia"  # unknown language: Indonesian
    assert lang_of(None) == "id" and lang_of("en") == "en"
    with pytest.raises(KeyError):
        t("no.such.key")


@pytest.mark.parametrize(("value", "decimals", "lang", "text"), [
    (1234567.891, 2, "id", "1.234.567,89"),
    (1234567.891, 2, "en", "1,234,567.89"),
    (0.05, 1, "id", "0,1"),
    (-3.25, 0, "id", "-3"),
    (float("nan"), 1, "id", "–"),
    (None, 1, "en", "–"),
])
def test_format_number(value, decimals, lang, text):
    assert format_number(value, decimals, lang) == text


def test_percent_and_plotly_separators():
    assert format_percent(21.345, 1, "id") == "21,3%"
    assert format_percent(21.345, 1, "en") == "21.3%"
    assert plotly_separators("id") == ",." and plotly_separators("en") == ".,"
