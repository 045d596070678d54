"""A static map of the lokus villages, drawn on the server with matplotlib (Agg).

No tiles, no network, no browser: the village polygons are drawn in a UTM projection
(so the scale bar in km is true), lokus villages dark red and numbered as in the
list, other villages light, villages without data grey hatched, kecamatan borders
thicker, with a legend, a north arrow ("U" = utara, "N" in English), a scale bar and
the data source line; texts in ``lang`` (``export.map.*``). The figure is built with
:class:`matplotlib.figure.Figure` and an Agg canvas directly, so pyplot's global state
(and its backend choice) is never touched.
"""

from __future__ import annotations

import io
import math
import textwrap
from typing import Any

import geopandas as gpd
import numpy as np
from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch, Rectangle
from matplotlib.path import Path as MplPath
from shapely.geometry.base import BaseGeometry

from geo.core.i18n import lang_of, t
from geo.export.common import ExportContext, software_version

__all__ = ["COLORS", "draw_kecamatan", "fit_limits", "nice_scale_length", "north_arrow",
           "polygon_collection", "render_lokus_map", "scale_bar"]

COLORS = {"lokus": "#8B1A1A", "other": "#F4E9DC", "nodata": "#D4D4D4", "edge": "#FFFFFF",
          "kecamatan": "#3A3A3A", "alert": "#B00020"}
_SIMPLIFY_M = 20.0  # invisible at A4 size, makes drawing several times faster


def _ring_path(geom: BaseGeometry) -> MplPath | None:
    """One compound path (holes included) for a Polygon or MultiPolygon."""
    verts, codes = [], []
    for poly in getattr(geom, "geoms", [geom]):
        if poly.is_empty or poly.geom_type != "Polygon":
            continue
        for ring in (poly.exterior, *poly.interiors):
            xy = np.asarray(ring.coords)[:, :2]
            if len(xy) < 4:
                continue
            c = np.full(len(xy), MplPath.LINETO, dtype=MplPath.code_type)
            c[0], c[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
            verts.append(xy)
            codes.append(c)
    return MplPath(np.concatenate(verts), np.concatenate(codes)) if verts else None


def polygon_collection(geoms: list[BaseGeometry], **style: object) -> PatchCollection:
    paths = [p for p in (_ring_path(g) for g in geoms) if p is not None]
    return PatchCollection([PathPatch(p) for p in paths], **style)  # type: ignore[arg-type]


def nice_scale_length(span_m: float) -> float:
    """A 1-2-5 scale-bar length in km, at most about a fifth of ``span_m`` metres."""
    target = max(span_m / 5.0 / 1000.0, 1e-3)
    base = 10.0 ** math.floor(math.log10(target))
    return max(m * base for m in (1, 2, 5) if m * base <= target)


def scale_bar(ax: object, xlim: tuple[float, float], ylim: tuple[float, float], lang: str) -> None:
    span = xlim[1] - xlim[0]
    km = nice_scale_length(span)
    length = km * 1000.0
    height = (ylim[1] - ylim[0]) * 0.008
    x0 = xlim[1] - span * 0.04 - length
    y0 = ylim[0] + (ylim[1] - ylim[0]) * 0.03
    for i in range(2):  # two alternating halves, the usual cartographic bar
        ax.add_patch(Rectangle((x0 + i * length / 2, y0), length / 2, height,  # type: ignore[attr-defined]
                               facecolor="black" if i == 0 else "white", edgecolor="black", lw=0.6,
                               zorder=6))
    label = f"{km:g} km".replace(".", "," if lang == "id" else ".")
    for x, text in ((x0, "0"), (x0 + length, label)):
        ax.text(x, y0 + height * 1.8, text, ha="center", va="bottom", fontsize=7,  # type: ignore[attr-defined]
                zorder=6)


def north_arrow(ax: object, lang: str) -> None:
    ax.annotate("", xy=(0.95, 0.965), xytext=(0.95, 0.885), xycoords="axes fraction",  # type: ignore[attr-defined]
                arrowprops={"facecolor": "black", "edgecolor": "black", "width": 3, "headwidth": 10,
                            "headlength": 10}, zorder=6)
    ax.text(0.95, 0.86, t("export.map.north", lang), transform=ax.transAxes, ha="center", va="top",  # type: ignore[attr-defined]
            fontsize=10, fontweight="bold", zorder=6)


def render_lokus_map(
    ctx: ExportContext,
    *,
    dpi: int = 200,
    size: tuple[float, float] = (7.0, 8.0),
    title: str | None = None,
    lang: str = "id",
) -> bytes:
    """PNG bytes of the lokus map (``size`` inches × ``dpi``, exactly).

    Parameters
    ----------
    ctx
        Export context; ``ctx.lokus["no"]`` are the numbers drawn on the villages.
    dpi, size
        Resolution and figure size in inches (default 1400 × 1600 px).
    title
        Title above the map (default "Desa lokus stunting <kabupaten> tahun <year>").
    lang
        ``"id"`` (default) or ``"en"``.
    """
    lang = lang_of(lang)
    villages = ctx.dataset.villages
    utm = villages.estimate_utm_crs()
    geo = villages.geometry.to_crs(utm).simplify(_SIMPLIFY_M, preserve_topology=True)
    fig = Figure(figsize=size, dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.02, 0.15, 0.96, 0.78))
    ax.set_axis_off()
    _draw_villages(ax, ctx, geo)
    draw_kecamatan(ax, villages["kode_kec"].to_numpy(), geo, utm)
    x_range, y_range = fit_limits(ax, tuple(geo.total_bounds), size)
    scale_bar(ax, x_range, y_range, lang)
    north_arrow(ax, lang)
    _frame_texts(fig, ctx, title, utm.to_epsg(), lang)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def _draw_villages(ax: Any, ctx: ExportContext, geo: gpd.GeoSeries) -> None:
    """Lokus villages filled and numbered, the others plain, those without data hatched."""
    codes = ctx.dataset.villages["kode"].astype(str).to_numpy()
    numbers = dict(zip(ctx.lokus["kode"], ctx.lokus["no"], strict=True))
    is_lokus = np.array([c in numbers for c in codes])
    no_data = ctx.result.table.set_index("kode")["skor"].reindex(codes).isna().to_numpy() & ~is_lokus
    other = ~is_lokus & ~no_data
    geoms = list(geo.values)
    ax.add_collection(polygon_collection([g for g, k in zip(geoms, other, strict=True) if k],
                                  facecolor=COLORS["other"], edgecolor="#BFB3A5", linewidth=0.3))
    ax.add_collection(polygon_collection([g for g, k in zip(geoms, no_data, strict=True) if k],
                                  facecolor=COLORS["nodata"], edgecolor="#8C8C8C", linewidth=0.3,
                                  hatch="////"))
    ax.add_collection(polygon_collection([g for g, k in zip(geoms, is_lokus, strict=True) if k],
                                  facecolor=COLORS["lokus"], edgecolor=COLORS["edge"], linewidth=0.4))
    # labels: the list number on each lokus village
    halo = [patheffects.withStroke(linewidth=2.0, foreground="black")]
    for g, code in zip(geoms, codes, strict=True):
        if code in numbers and not g.is_empty:
            pt = g.representative_point()
            ax.text(pt.x, pt.y, str(numbers[code]), ha="center", va="center", fontsize=7,
                    fontweight="bold", color="white", path_effects=halo, zorder=5)


def draw_kecamatan(ax: Any, kode_kec: np.ndarray, geo: gpd.GeoSeries, utm: Any) -> None:
    """Kecamatan outlines: the union of their villages, closed by ±15 m (mitre: corners stay
    sharp) so that slivers between imperfectly aligned villages do not draw as specks (as
    geo.view.mapdata does)."""
    kec = gpd.GeoDataFrame({"kode_kec": kode_kec}, geometry=geo.values, crs=utm)
    kec = (kec.dissolve("kode_kec").geometry.buffer(15, join_style="mitre")
           .buffer(-15, join_style="mitre").simplify(_SIMPLIFY_M, preserve_topology=True))
    segments = []
    for line in kec.boundary.values:
        for part in getattr(line, "geoms", [line]):
            segments.append(np.asarray(part.coords)[:, :2])
    ax.add_collection(LineCollection(segments, colors=COLORS["kecamatan"], linewidths=1.1, zorder=4))


def fit_limits(ax: Any, bounds: tuple[float, float, float, float], size: tuple[float, float],
               box: tuple[float, float] = (0.96, 0.78),
               ) -> tuple[tuple[float, float], tuple[float, float]]:
    """Limits around ``bounds`` (x0, y0, x1, y1), padded and matched to the axes' shape
    (``box``: axes width and height as fractions of the figure ``size``), so the aspect
    stays 1:1 and exact."""
    x0, y0, x1, y1 = bounds
    pad = 0.04 * max(x1 - x0, y1 - y0)
    x0, x1, y0, y1 = x0 - pad, x1 + pad, y0 - pad, y1 + pad
    box_w, box_h = box[0] * size[0], box[1] * size[1]
    if (x1 - x0) / (y1 - y0) > box_w / box_h:
        extra = (x1 - x0) * box_h / box_w - (y1 - y0)
        y0, y1 = y0 - extra / 2, y1 + extra / 2
    else:
        extra = (y1 - y0) * box_w / box_h - (x1 - x0)
        x0, x1 = x0 - extra / 2, x1 + extra / 2
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    return (x0, x1), (y0, y1)


def _frame_texts(fig: Figure, ctx: ExportContext, title: str | None, epsg: int | None, lang: str) -> None:
    """Title (with the SINTETIS notice), legend and source line."""
    heading = title or t("export.title.lokus", lang, kabupaten=ctx.kabupaten, year=ctx.lokus_year)
    fig.text(0.5, 0.975, heading, ha="center", va="top", fontsize=12, fontweight="bold")
    if ctx.synthetic:
        fig.text(0.5, 0.945, t("export.map.synthetic", lang),
                 ha="center", va="top", fontsize=9, fontweight="bold", color=COLORS["alert"])
    handles = [
        Patch(facecolor=COLORS["lokus"], edgecolor="black", linewidth=0.4,
              label=t("export.map.lokus", lang, count=len(ctx.lokus))),
        Patch(facecolor=COLORS["other"], edgecolor="#BFB3A5", linewidth=0.4,
              label=t("export.map.other", lang)),
        Patch(facecolor=COLORS["nodata"], edgecolor="#8C8C8C", hatch="////", linewidth=0.4,
              label=t("export.map.no_data", lang)),
        Line2D([], [], color=COLORS["kecamatan"], linewidth=1.1, label=t("export.map.kecamatan", lang)),
    ]
    fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.075), ncol=2, fontsize=8,
               frameon=False)
    origin = (ctx.dataset.attribution or ctx.dataset.title).rstrip(". ")
    source = t("export.map.source", lang, origin=origin, epsg=epsg, version=software_version(lang),
               date=ctx.created_at.strftime("%Y-%m-%d"))
    fig.text(0.03, 0.055, "\n".join(textwrap.wrap(source, 150)), ha="left", va="top", fontsize=5.5,
             color="#333333")
