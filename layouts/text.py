"""Text of the pages: the domain's catalogue (``geo/resources/i18n``) plus the keys only the
pages use (``layouts/i18n/<lang>/<area>.json``: tabs, buttons, tooltips, page notes).

Layouts and callbacks take :func:`t` from here; ``geo`` never sees the page keys. A key
defined in both catalogues is an error, so one text has one home.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from geo.core.i18n import DEFAULT_LANG, lang_of, read_catalogue
from geo.core.i18n import catalogue as domain_catalogue

__all__ = ["catalogue", "page_catalogue", "t"]

_DIR = Path(__file__).parent / "i18n"


def page_catalogue(lang: str) -> dict[str, str]:
    """The page-only keys of one language."""
    return read_catalogue(_DIR, lang)


@cache
def catalogue(lang: str) -> dict[str, str]:
    """Every key a page may show in ``lang`` (read once per process).

    Raises
    ------
    ValueError
        A key defined both for the pages and for the domain.
    """
    domain, page = domain_catalogue(lang_of(lang)), page_catalogue(lang_of(lang))
    twice = sorted(set(domain) & set(page))
    if twice:
        raise ValueError(f"layouts/i18n: keys also in geo/resources/i18n: {twice[:5]}")
    return {**domain, **page}


def t(key: str, lang: str = DEFAULT_LANG, /, **values: object) -> str:
    """Text of ``key`` in ``lang`` with ``{name}`` placeholders filled (unknown key: KeyError)."""
    text = catalogue(lang_of(lang))[key]
    return text.format(**values) if values else text
