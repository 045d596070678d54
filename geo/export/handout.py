"""The map to hand out: the map as the page shows it, on one landscape A4 (PDF) or as a PNG.

Drawn on the server with matplotlib (Agg, no network, no browser), like
:mod:`geo.export.staticmap` whose pieces it reuses: villages coloured by the classes the page
shows (grey = no data), kecamatan borders, optional village names, the lokus numbered by rank,
optional count bubbles (area proportional to the count), a scale bar, a north arrow, the legend
with the number of villages per class, the title, "SINTETIS" when the data is synthetic, and a
source line with the date. Texts that come from the page (title, legend labels) arrive ready
in the page language; the frame texts are ``handout.*`` / ``export.map.*`` in ``lang``.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import geopandas as gpd
import matplotlib
import numpy as np
from matplotlib import patheffects
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from geo.core.i18n import format_date, format_number, lang_of, t
from geo.data.model import Dataset
from geo.export.common import software_version
from geo.export.staticmap import (
    COLORS,
    draw_kecamatan,
    fit_limits,
    north_arrow,
    polygon_collection,
    scale_bar,
)

__all__ = ["A4_LANDSCAPE", "HandoutLegend", "HandoutMap", "css_colour", "render_handout"]

#: Landscape A4 in inches.
A4_LANDSCAPE = (11.69, 8.27)
_MAP_BOX = (0.015, 0.09, 0.655, 0.80)  # left, bottom, width, height (figure fractions)
_SIMPLIFY_M = 20.0
_MAX_NAMED_LOKUS = 30  # lokus names listed beside the map (the numbers are all on the map)
_BUBBLE_PT2 = 500.0  # area (points²) of the largest count bubble


@dataclass(frozen=True)
class HandoutLegend:
    """The legend as the page shows it: (colour, label, villages) per class, the 'no data'
    entry, and a note (e.g. why there are fewer classes than asked)."""

    title: str
    subtitle: str = ""
    entries: Sequence[tuple[str, str, int]] = ()
    missing: tuple[str, str, int] | None = None
    note: str = ""


@dataclass(frozen=True)
class HandoutMap:
    """What to draw.

    ``class_index`` has one class per village of ``dataset.villages`` (-1 = no data) and
    ``colours`` one colour per class; ``lokus`` maps a village code to its rank number;
    ``named`` lists the codes whose names are written; ``kecamatan`` (a ``kode_kec``) frames
    the map on one kecamatan; ``bubbles`` are counts per village (NaN or 0: no bubble) with
    ``bubble_title`` and reference counts ``bubble_refs`` for the key.
    """

    dataset: Dataset
    class_index: np.ndarray
    colours: Sequence[str]
    legend: HandoutLegend
    title: str
    no_data_colour: str = COLORS["nodata"]
    lokus: Mapping[str, int] = field(default_factory=dict)
    named: Sequence[str] = ()
    kecamatan: str | None = None
    bubbles: np.ndarray | None = None
    bubble_title: str = ""
    bubble_refs: Sequence[tuple[float, str]] = ()  # key: (count, "20 anak"), drawn to scale
    synthetic: bool = False
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))


def render_handout(spec: HandoutMap, fmt: str = "png", *, dpi: int = 150,
                   lang: str = "id") -> bytes:
    """The hand-out map as PNG bytes (A4 landscape at ``dpi``: 1754 × 1240 px at 150 dpi) or
    as a one-page PDF (``fmt="pdf"``, fonts embedded as TrueType so its text can be read)."""
    if fmt not in ("png", "pdf"):
        raise ValueError(f"unknown format {fmt!r}")
    lang = lang_of(lang)
    villages = spec.dataset.villages
    utm = villages.estimate_utm_crs()
    geo = villages.geometry.to_crs(utm).simplify(_SIMPLIFY_M, preserve_topology=True)
    with matplotlib.rc_context({"pdf.fonttype": 42}):  # local: no global state is changed
        fig = Figure(figsize=A4_LANDSCAPE, dpi=dpi)
        FigureCanvasAgg(fig)
        ax = fig.add_axes(_MAP_BOX)
        ax.set_axis_off()
        _draw_classes(ax, spec, geo)
        draw_kecamatan(ax, villages["kode_kec"].to_numpy(), geo, utm)
        focus = _focus_bounds(spec, geo)
        x_range, y_range = fit_limits(ax, focus, A4_LANDSCAPE, _MAP_BOX[2:])
        _draw_marks(ax, spec, geo)
        scale_bar(ax, x_range, y_range, lang)
        north_arrow(ax, lang)
        _frame_texts(fig, spec, utm.to_epsg(), lang)
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt, dpi=dpi)
    return buf.getvalue()


def css_colour(colour: str) -> str:
    """A CSS colour for matplotlib: ``rgb(255, 238, 162)`` (plotly's scales) becomes
    ``#ffeea2``; hex and named colours pass unchanged."""
    text = colour.strip()
    if text.startswith("rgb"):
        parts = [float(p) for p in text[text.index("(") + 1:text.index(")")].split(",")[:3]]
        return "#" + "".join(f"{round(p):02x}" for p in parts)
    return text


def _focus_bounds(spec: HandoutMap, geo: gpd.GeoSeries) -> tuple[float, float, float, float]:
    """The whole dataset, or the kecamatan chosen on the page."""
    if spec.kecamatan:
        inside = (spec.dataset.villages["kode_kec"] == spec.kecamatan).to_numpy()
        if inside.any():
            return tuple(geo[inside].total_bounds)  # type: ignore[return-value]
    return tuple(geo.total_bounds)  # type: ignore[return-value]


def _draw_classes(ax, spec: HandoutMap, geo: gpd.GeoSeries) -> None:
    """One collection per class (grey hatched for no data)."""
    geoms = list(geo.values)
    index = np.asarray(spec.class_index)
    missing = [g for g, i in zip(geoms, index, strict=True) if i < 0]
    ax.add_collection(polygon_collection(missing, facecolor=css_colour(spec.no_data_colour),
                                         edgecolor="#8C8C8C", linewidth=0.3, hatch="////"))
    for cls, colour in enumerate(spec.colours):
        members = [g for g, i in zip(geoms, index, strict=True) if i == cls]
        ax.add_collection(polygon_collection(members, facecolor=css_colour(colour), edgecolor="#ffffff",
                                             linewidth=0.3))


def _draw_marks(ax, spec: HandoutMap, geo: gpd.GeoSeries) -> None:
    """Count bubbles, village names and the lokus numbers, at a point inside each village."""
    codes = spec.dataset.villages["kode"].astype(str).tolist()
    names = spec.dataset.villages["nama"].astype(str).tolist()
    points = geo.representative_point()
    xs, ys = points.x.to_numpy(), points.y.to_numpy()
    if spec.bubbles is not None:
        counts = np.nan_to_num(np.asarray(spec.bubbles, dtype=float)).clip(min=0)
        top = counts.max() if len(counts) else 0
        if top > 0:  # area proportional to the count; the largest _BUBBLE_PT2
            ax.scatter(xs, ys, s=_BUBBLE_PT2 * counts / top, color="#1f3b73", alpha=0.5,
                       edgecolors="white", linewidths=0.4, zorder=5)
    halo = [patheffects.withStroke(linewidth=1.6, foreground="white")]
    named = set(spec.named)
    for x, y, code, name in zip(xs, ys, codes, names, strict=True):
        if code in named:
            ax.text(x, y, name, ha="center", va="bottom", fontsize=5, color="#1a1a1a",
                    path_effects=halo, zorder=6, clip_on=True)
    for x, y, code in zip(xs, ys, codes, strict=True):
        if code in spec.lokus:
            ax.text(x, y, str(spec.lokus[code]), ha="center", va="center", fontsize=6.5,
                    fontweight="bold", color="white", zorder=7, clip_on=True,
                    bbox={"boxstyle": "circle,pad=0.25", "facecolor": "#111111",
                          "edgecolor": "white", "linewidth": 0.5})


def _frame_texts(fig: Figure, spec: HandoutMap, epsg: int | None, lang: str) -> None:
    """Title, SINTETIS, legend (with villages per class), lokus list and the source line."""
    fig.text(0.015, 0.975, spec.title, ha="left", va="top", fontsize=14, fontweight="bold")
    if spec.synthetic:
        fig.text(0.015, 0.935, t("export.map.synthetic", lang), ha="left", va="top", fontsize=9,
                 fontweight="bold", color=COLORS["alert"])
    _legend(fig, spec, lang)
    origin = (spec.dataset.attribution or spec.dataset.title).rstrip(". ")
    source = t("handout.source", lang, origin=origin, epsg=epsg, version=software_version(lang),
               date=format_date(spec.created_at.date(), lang))
    fig.text(0.015, 0.06, "\n".join(textwrap.wrap(source, 190)), ha="left", va="top",
             fontsize=6.5, color="#333333")


def _legend(fig: Figure, spec: HandoutMap, lang: str) -> None:
    """The legend column right of the map."""
    leg = spec.legend
    def count(n: int) -> str:
        return t("handout.villages", lang, n=format_number(n, 0, lang))

    handles: list[Artist] = [Patch(facecolor=css_colour(c), edgecolor="#666666", linewidth=0.4,
                     label=f"{label}  ({count(n)})") for c, label, n in leg.entries]
    if leg.missing:
        colour, label, n = leg.missing
        handles.append(Patch(facecolor=css_colour(colour), edgecolor="#8C8C8C", hatch="////", linewidth=0.4,
                             label=f"{label}  ({count(n)})"))
    handles.append(Line2D([], [], color=COLORS["kecamatan"], linewidth=1.1,
                          label=t("export.map.kecamatan", lang)))
    if spec.lokus:
        handles.append(Line2D([], [], marker="o", linestyle="", markersize=9,
                              markerfacecolor="#111111", markeredgecolor="white",
                              label=t("handout.lokus", lang, n=len(spec.lokus))))
    if spec.bubbles is not None and spec.bubble_title:
        top = float(np.nanmax(spec.bubbles)) if len(spec.bubbles) else 0.0
        handles.append(Line2D([], [], linestyle="",
                              label="\n".join(textwrap.wrap(spec.bubble_title, 52))))
        for ref, label in spec.bubble_refs if top > 0 else ():
            # markersize is a diameter in points: the square root of the scatter area
            handles.append(Line2D([], [], marker="o", linestyle="", alpha=0.5,
                                  markersize=float(np.sqrt(_BUBBLE_PT2 * ref / top)),
                                  markerfacecolor="#1f3b73", markeredgecolor="white",
                                  label=label))
    title = "\n".join(textwrap.wrap(leg.title, 48) + textwrap.wrap(leg.subtitle, 48))
    legend = fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.685, 0.9),
                        fontsize=8, title=title, title_fontsize=9, frameon=False,
                        alignment="left")
    y = _bottom(fig, legend) - 0.015
    if leg.note:
        note = fig.text(0.69, y, "\n".join(textwrap.wrap(leg.note, 60)), ha="left", va="top",
                        fontsize=7, color="#444444")
        y = _bottom(fig, note) - 0.02
    _lokus_list(fig, spec, y, lang)


def _bottom(fig: Figure, artist) -> float:
    """Lower edge of a drawn legend or text, in figure fractions (to stack the next one)."""
    box = artist.get_window_extent(fig.canvas.get_renderer())  # type: ignore[attr-defined]
    return float(box.transformed(fig.transFigure.inverted()).y0)


def _lokus_list(fig: Figure, spec: HandoutMap, top: float, lang: str) -> None:
    """"1 Cimungkal (Wado)" … beside the map, so the numbers on the map can be read."""
    if not spec.lokus:
        return
    villages = spec.dataset.villages.set_index("kode")
    rows = sorted(spec.lokus.items(), key=lambda item: item[1])
    shown = rows[:_MAX_NAMED_LOKUS]
    lines = [f"{n}. {villages.at[code, 'nama']} ({villages.at[code, 'nama_kec']})"
             for code, n in shown if code in villages.index]
    if len(rows) > len(shown):
        lines.append(t("handout.more", lang, n=len(rows) - len(shown)))
    fig.text(0.69, top, t("handout.lokus_list", lang), ha="left", va="top", fontsize=8,
             fontweight="bold")
    columns = [lines[:15], lines[15:]]
    for i, column in enumerate(columns):
        if column:
            fig.text(0.69 + 0.15 * i, top - 0.025, "\n".join(column), ha="left", va="top",
                     fontsize=6.5, linespacing=1.35)
