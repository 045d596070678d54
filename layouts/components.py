"""Small shared component builders."""

from __future__ import annotations

from dash import dcc

from layouts.text import t

_DROPDOWN_TEXTS = ("select_all", "deselect_all", "selected_count", "search", "clear_search",
                   "clear_selection", "no_options_found")


def dropdown(lang: str = "id", **kwargs) -> dcc.Dropdown:
    """A dcc.Dropdown whose own texts (search, clear, no options) are in the page's language."""
    labels = {k: t(f"ui.dropdown.{k}", lang) for k in _DROPDOWN_TEXTS}
    return dcc.Dropdown(labels=labels, **kwargs)
