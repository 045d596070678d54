"""What the page shows that depends on the dataset: map figure, picker options, defaults.

Used by the layout (default dataset) and by the dataset-switch callback, so a switched
dataset gets exactly what a fresh page would.
"""

from __future__ import annotations

import plotly.graph_objects as go

from geo.core.i18n import DEFAULT_LANG
from geo.core.indicators import base_id
from geo.data.model import Dataset
from geo.scoring.config import PRESETS
from geo.view.mapdata import MapGeometry, fit_view
from geo.view.viewstate import ViewChoices
from layouts.mapfig import base_figure
from layouts.text import t

PREFERRED_INDICATORS = ("rasio_merah", "prevalensi", "merah", "stunting")


def default_indicator(dataset: Dataset) -> str:
    """The indicator shown first: a prevalence-type rate when there is one."""
    available = [i.id for i in dataset.indicators]
    return next((i for i in PREFERRED_INDICATORS if i in available), available[0])


def view_choices(dataset: Dataset, pages: tuple[str, ...]) -> ViewChoices:
    """What a URL may ask of this dataset (years, indicators, kecamatan, tabs)."""
    return ViewChoices(years=dataset.years, indicators=[i.id for i in dataset.indicators],
                       kecamatan=dataset.kecamatan["kode_kec"].tolist(),
                       default_indicator=default_indicator(dataset), pages=pages)


#: The map's box on a 1366×768 laptop (lokus.css sizes it to the viewport): the first view
#: fits the whole kabupaten into it.
MAP_PX = (620, 400)


def map_figure(dataset: Dataset, geom: MapGeometry, lang: str = DEFAULT_LANG) -> go.Figure:
    """The full map of a dataset (geometry included; values arrive by Patch)."""
    return base_figure(geom, dataset.villages["nama"].tolist(),
                       dataset.villages["nama_kec"].tolist(),
                       fit_view(geom.total_bounds, width_px=MAP_PX[0], height_px=MAP_PX[1]), lang)


def source_line(dataset: Dataset, lang: str = DEFAULT_LANG) -> str:
    """Source line under the map (the attribution itself is the dataset's own text)."""
    return t("map.source", lang, source=dataset.attribution or dataset.title)


def preset_labels(lang: str = DEFAULT_LANG) -> dict[str, str]:
    """Preset name → label in ``lang``."""
    key = "label_en" if lang == "en" else "label_id"
    return {name: p.get(key) or p["label_id"] for name, p in PRESETS.items()}


def scoring_choices(dataset: Dataset, lang: str = DEFAULT_LANG) -> list[tuple[str, str, str, str]]:
    """Indicators a planner may score with in the latest year: (id, label, direction, sector)."""
    tag = f" · {t('map.synthetic_tag', lang)}" if dataset.coverage_synthetic else ""
    return [(i.id, i.label(lang) + (tag if dataset.indicator(base_id(i.id)).kind == "coverage"
                                    else ""),
             i.direction, i.sector)
            for i in dataset.scoring_indicators(dataset.years[-1])]


def village_choices(dataset: Dataset, lang: str = DEFAULT_LANG) -> list[tuple[str, str]]:
    """(code, "Desa — Kec. X") for pickers, sorted by kecamatan then village."""
    v = dataset.villages.sort_values(["nama_kec", "nama"])
    return [(c, t("map.village_choice", lang, name=n, kecamatan=k))
            for c, n, k in zip(v["kode"], v["nama"], v["nama_kec"], strict=True)]
