"""Small shared component builders."""

from __future__ import annotations

from dash import dcc

#: Dash's dropdown texts in Bahasa Indonesia.
DROPDOWN_LABELS = {
    "select_all": "Pilih semua",
    "deselect_all": "Batalkan semua",
    "selected_count": "{num_selected} dipilih",
    "search": "Cari",
    "clear_search": "Hapus pencarian",
    "clear_selection": "Hapus pilihan",
    "no_options_found": "Tidak ada pilihan",
}


def dropdown(**kwargs) -> dcc.Dropdown:
    """A dcc.Dropdown with Indonesian labels."""
    return dcc.Dropdown(labels=DROPDOWN_LABELS, **kwargs)
