"""Translation catalogue and number formats: Bahasa Indonesia first, English second.

Every visible string lives in ``geo/resources/i18n/<lang>/<area>.json`` under a dotted
key (``"tab.table"``); the files of a language are merged (a key may appear in only one)
and :func:`t` looks it up and fills ``{placeholders}``. Both languages must hold the same
keys (a test checks this), so a missing translation is a failing test,
not an English word in an Indonesian meeting. Pure Python: usable by the exports and the
command line as well as the pages.
"""

from __future__ import annotations

import json
import math
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Final

from babel.dates import format_date as babel_format_date
from babel.numbers import format_decimal

__all__ = ["DEFAULT_LANG", "LANGS", "LOCALES", "catalogue", "format_date", "format_number", "format_percent",
           "lang_of", "plotly_separators", "read_catalogue", "t"]

LANGS: Final = ("id", "en")
DEFAULT_LANG: Final = "id"
_DIR = Path(__file__).parents[1] / "resources" / "i18n"


@cache
def catalogue(lang: str) -> dict[str, str]:
    """Key → text of one language for the domain (read once per process); the pages add
    their own keys on top (``layouts.text``)."""
    return read_catalogue(_DIR, lang)


def read_catalogue(folder: Path, lang: str) -> dict[str, str]:
    """The ``<folder>/<lang>/*.json`` files of one language merged into one dict.

    Raises
    ------
    ValueError
        A key defined in two files of the language.
    """
    merged: dict[str, str] = {}
    for path in sorted((folder / lang_of(lang)).glob("*.json")):
        part = json.loads(path.read_text(encoding="utf-8"))
        twice = sorted(set(part) & set(merged))
        if twice:
            raise ValueError(f"{path.name}: keys defined twice: {twice[:5]}")
        merged.update(part)
    return merged


def lang_of(value: object) -> str:
    """A supported language code from anything (URL argument, store): default ``id``."""
    return value if value in LANGS else DEFAULT_LANG  # type: ignore[return-value]


def t(key: str, lang: str = DEFAULT_LANG, /, **values: object) -> str:
    """Text of ``key`` in ``lang`` with ``{name}`` placeholders filled from ``values``.

    An unknown key raises KeyError: the catalogue test and the page tests catch it early.

    >>> t("lang.name", "en")
    'English'
    """
    text = catalogue(lang_of(lang))[key]
    return text.format(**values) if values else text


#: Babel locale of each language: every number and date a person reads is formatted here.
LOCALES: Final = {"id": "id_ID", "en": "en_US"}


def format_number(value: float | None, decimals: int = 1, lang: str = DEFAULT_LANG, *,
                  trim: bool = False) -> str:
    """``1.234,5`` in Indonesian, ``1,234.5`` in English; ``–`` for missing values.

    ``trim`` drops trailing zero decimals (``28,4`` / ``41``), as the explanation sentences do.

    >>> format_number(1234.56, 1), format_number(1234.56, 1, "en"), format_number(41.0, 1, trim=True)
    ('1.234,6', '1,234.6', '41')
    """
    if value is None or not math.isfinite(float(value)):
        return "–"
    decimals = max(int(decimals), 0)
    fraction = ("#" if trim else "0") * decimals
    pattern = "#,##0" + (f".{fraction}" if decimals else "")
    # half away from zero, from the shortest decimal form (0.05 -> 0,1), as tables in print do
    exact = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return format_decimal(exact, format=pattern, locale=LOCALES[lang_of(lang)])


def format_percent(value: float | None, decimals: int = 1, lang: str = DEFAULT_LANG) -> str:
    """A percentage (of 0–100, not a share) with the language's separators: ``21,3%`` / ``21.3%``."""
    number = format_number(value, decimals, lang)
    return number if number == "–" else f"{number}%"


def format_date(value: date, lang: str = DEFAULT_LANG) -> str:
    """``3 Desember 2026`` / ``3 December 2026`` (day, month name, year in every language).

    >>> format_date(date(2026, 2, 10)), format_date(date(2026, 2, 10), "en")
    ('10 Februari 2026', '10 February 2026')
    """
    return babel_format_date(value, format="d MMMM y", locale=LOCALES[lang_of(lang)])


def plotly_separators(lang: str = DEFAULT_LANG) -> str:
    """plotly ``layout.separators`` (decimal, thousands) for the language."""
    return ",." if lang_of(lang) == "id" else ".,"
