"""Plain words: every tooltip points at a control that is in the page, every glossary term
reads in both languages, the glossary search finds what a planner types."""

from __future__ import annotations

import pytest

from layouts import ids
from layouts.help import (
    GLOSSARY_TERMS,
    TOOLTIP_TARGETS,
    matching_terms,
    page_layer,
    tip_key,
    tooltips,
)
from layouts.text import page_catalogue


def components(node):
    """Every component of a layout tree (children and component-valued props)."""
    yield node
    for prop in ("children", "title", "label"):
        value = getattr(node, prop, None)
        for child in value if isinstance(value, list | tuple) else [value]:
            if hasattr(child, "_type"):
                yield from components(child)


@pytest.fixture(scope="module", params=["id", "en"])
def page(request, app):
    with app.server.test_request_context(f"/?lang={request.param}"):
        return request.param, app.layout()


def test_every_tooltip_target_is_in_the_page(page):
    _lang, root = page
    present = {c.id for c in components(root) if isinstance(getattr(c, "id", None), str)}
    missing = [target for target in TOOLTIP_TARGETS if target not in present]
    assert not missing, missing
    assert ids.HELP_TIPS in present  # the slot the tooltips go into once the page is ready
    assert sorted(tip.target for tip in tooltips(_lang)) == sorted(TOOLTIP_TARGETS)


def test_page_has_the_profile_panel_glossary_and_navbar_buttons(page):
    lang, root = page
    found = {c.id: c for c in components(root) if isinstance(getattr(c, "id", None), str)}
    for wanted in (ids.PROFILE_PANEL, ids.PROFILE_OPEN, ids.GLOSSARY_OPEN, ids.GLOSSARY_PANEL,
                   ids.GLOSSARY_SEARCH):
        assert wanted in found, wanted
    assert found[ids.PROFILE_PANEL].hidden is True  # nothing selected yet
    assert found[ids.GLOSSARY_OPEN].children == ("Glosarium" if lang == "id" else "Glossary")


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_tooltip_and_glossary_term_has_text_in_both_languages(lang):
    texts = page_catalogue(lang)
    for term in GLOSSARY_TERMS:
        assert texts[f"glossary.{term}.term"].strip() and len(texts[f"glossary.{term}.text"]) > 40
    for target in TOOLTIP_TARGETS:
        assert texts[tip_key(target)].strip()
    assert len(tooltips(lang)) == len(TOOLTIP_TARGETS) == len(set(TOOLTIP_TARGETS))
    assert page_layer(lang)[0].id == ids.PROFILE_PANEL


def test_glossary_texts_differ_between_languages():
    id_texts, en_texts = page_catalogue("id"), page_catalogue("en")
    same = [term for term in GLOSSARY_TERMS
            if id_texts[f"glossary.{term}.text"] == en_texts[f"glossary.{term}.text"]]
    assert not same


@pytest.mark.parametrize(("query", "lang", "expected"), [
    ("Empirical Bayes", "id", "eb"), ("empirical bayes", "en", "eb"), ("bimbang", "id", "stabil"),
    ("swing", "en", "stabil"), ("TOPSIS", "id", "topsis"), ("BPS", "id", "kode"),
    ("p(top-n)", "en", "p_top_n"), ("dipaksa masuk", "id", "dipaksa"), ("Wilson", "en", "wilson"),
])
def test_glossary_search_finds_the_term(query, lang, expected):
    assert expected in matching_terms(query, lang)


def test_glossary_search_empty_lists_everything_and_nonsense_nothing():
    assert matching_terms("", "id") == list(GLOSSARY_TERMS)
    assert matching_terms("zzqx", "id") == []
