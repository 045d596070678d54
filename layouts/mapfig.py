"""The village choropleth: built once with geometry; later changes are Patches."""

from __future__ import annotations

import plotly.colors
import plotly.graph_objects as go
import shapely
from dash import Patch

from geo.core.i18n import DEFAULT_LANG, plotly_separators
from geo.view.mapdata import MapGeometry, View
from layouts.text import t

NO_DATA_COLOUR = "#cfcfcf"
#: MapLibre style with no tiles (works with no internet): a white background, and the glyphs
#: for village names and lokus numbers served from the app's own assets (layouts/mapglyphs.py);
#: the URL is relative to the page, so the app also works under a path prefix.
OFFLINE_STYLE = {
    "version": 8, "name": "lokus-offline",
    # MapLibre requires "sources"; an empty one is dropped on the way to the browser
    "sources": {"blank": {"type": "geojson",
                          "data": {"type": "FeatureCollection", "features": []}}},
    "glyphs": "assets/glyphs/{fontstack}/{range}.pbf",
    "layers": [{"id": "background", "type": "background",
                "paint": {"background-color": "#ffffff"}}],
}
ONLINE_STYLE = "open-street-map"
VILLAGE_TRACE, OUTLINE_TRACE, PIN_TRACE = 0, 1, 2
#: Added after the first three so their indices stay valid: count bubbles, village names,
#: numbered lokus (rank markers).
BUBBLE_TRACE, LABEL_TRACE, RANK_TRACE = 3, 4, 5
BUBBLE_COLOUR = "#1f3b73"
RANK_COLOUR = "#111111"


def class_colours(k: int, direction: str) -> list[str]:
    """Colour-blind-safe sequential colours; the 'worse' end is always dark red."""
    scale = "Blues" if direction == "context" else "YlOrRd"
    colours = plotly.colors.sample_colorscale(scale, [0.12 + 0.88 * i / max(k - 1, 1)
                                                      for i in range(k)])
    return colours[::-1] if direction == "higher_better" else colours


def stepped_colourscale(colours: list[str]) -> list[list]:
    """Discrete colourscale for z = class index -1..k-1 (-1 = no data, grey)."""
    steps = [NO_DATA_COLOUR, *colours]
    n = len(steps)
    scale: list[list] = []
    for i, colour in enumerate(steps):
        scale += [[i / n, colour], [(i + 1) / n, colour]]
    return scale


def base_figure(geom: MapGeometry, names: list[str], kecamatan: list[str], view: View,
                lang: str = DEFAULT_LANG) -> go.Figure:
    """The map with all geometry; values start as 'no data' and arrive by Patch.

    ``lang`` sets the hover words and plotly's number separators (decimal comma in Bahasa
    Indonesia). The trace names are internal (never shown)."""
    villages = go.Choroplethmap(
        geojson=geom.geojson,
        locations=geom.codes,
        featureidkey="id",
        z=[-1] * len(geom.codes),
        zmin=-1,
        zmax=0,
        colorscale=stepped_colourscale([]),
        showscale=False,
        marker={"opacity": 0.85, "line": {"width": 0.4, "color": "#ffffff"}},
        customdata=[[n, k] for n, k in zip(names, kecamatan, strict=True)],
        text=[""] * len(geom.codes),
        hovertemplate=("<b>%{customdata[0]}</b><br>"
                       + t("map.hover.kecamatan", lang, name="%{customdata[1]}")
                       + "<br>%{text}<extra></extra>"),
        selected={"marker": {"opacity": 1.0}},
        unselected={"marker": {"opacity": 0.45}},
        name="desa",
    )
    outlines = go.Scattermap(
        lon=geom.outline_lon, lat=geom.outline_lat, mode="lines",
        line={"width": 1.3, "color": "#333333"}, hoverinfo="skip", name="kecamatan",
    )
    pin = go.Scattermap(
        lon=[], lat=[], mode="markers", hoverinfo="skip", name="terpilih",
        marker={"size": 14, "color": "#1f3b73"},
    )
    fig = go.Figure([villages, outlines, pin, *overlay_traces(geom, names, kecamatan)])
    fig.update_layout(
        map={"style": OFFLINE_STYLE, "center": {"lon": view.lon, "lat": view.lat}, "zoom": view.zoom},
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        showlegend=False,
        uirevision="start",
        height=620,
        separators=plotly_separators(lang),
        paper_bgcolor="#ffffff",
    )
    return fig


def village_points(geom: MapGeometry) -> tuple[list[float], list[float]]:
    """A point inside each village polygon (where bubbles and names go), rounded like the
    geometry (5 decimals)."""
    shapes = [shapely.geometry.shape(f["geometry"]) for f in geom.geojson["features"]]
    points = shapely.point_on_surface(shapes)
    lon = [round(float(x), 5) for x in shapely.get_x(points)]
    lat = [round(float(y), 5) for y in shapely.get_y(points)]
    return lon, lat


def overlay_traces(geom: MapGeometry, names: list[str], kecamatan: list[str]) -> list:
    """Bubbles (counts), names and lokus numbers: hidden until a switch or a scoring layer
    patches them (sizes, texts, visibility); their positions are sent once with the map."""
    lon, lat = village_points(geom)
    bubbles = go.Scattermap(
        lon=lon, lat=lat, mode="markers", visible=False, name="jumlah",
        marker={"size": [0] * len(lon), "sizemode": "area", "color": BUBBLE_COLOUR,
                "opacity": 0.55},
        customdata=[[n, k, c] for n, k, c in zip(names, kecamatan, geom.codes, strict=True)],
        text=[""] * len(lon), hovertemplate="<b>%{customdata[0]}</b><br>%{text}<extra></extra>",
    )
    labels = go.Scattermap(
        # names above the point (clear of the lokus numbers); plotly offsets text by the marker
        # size, so the trace has an invisible marker
        lon=lon, lat=lat, mode="markers+text", visible=False, name="nama", hoverinfo="skip",
        marker={"size": 8, "opacity": 0}, text=[""] * len(lon), textposition="top center",
        textfont={"size": 11, "color": "#1a1a1a", "family": "Open Sans Regular"},
    )
    ranks = go.Scattermap(
        lon=[], lat=[], mode="markers+text", visible=False, name="nomor", hoverinfo="skip",
        text=[], marker={"size": 20, "color": RANK_COLOUR},
        textfont={"size": 11, "color": "#ffffff", "family": "Open Sans Bold"},
        textposition="middle center",
    )
    return [bubbles, labels, ranks]


def bubble_sizes(counts, max_px: float = 40.0) -> tuple[list[float], float]:
    """Marker sizes and ``sizeref`` for plotly's ``sizemode="area"`` (area proportional to the
    count; plotly draws the diameter ``2·sqrt(size / (2·sizeref))``), so the largest count is
    ``max_px`` across; missing or zero counts get no bubble."""
    clean = [float(c) if c == c and c > 0 else 0.0 for c in counts]  # c == c: not NaN
    top = max(clean, default=0.0) or 1.0
    return clean, 2 * top / max_px**2


def bubble_diameter(count: float, top: float, max_px: float = 40.0) -> float:
    """Diameter in pixels of the bubble of ``count`` when ``top`` is drawn ``max_px`` across."""
    return max_px * (count / top) ** 0.5 if top > 0 else 0.0


def neutral_patch(n_villages: int, hover: str, lang: str = DEFAULT_LANG) -> Patch:
    """Every village grey with one hover line (a layer with nothing to show yet), so the
    previous layer's colours never stay on screen under another layer's name."""
    fig = Patch()
    trace = fig["data"][VILLAGE_TRACE]
    trace["z"] = [-1] * n_villages
    trace["zmax"] = 0
    trace["colorscale"] = stepped_colourscale([])
    trace["text"] = [hover] * n_villages
    trace["hovertemplate"] = ("<b>%{customdata[0]}</b><br>"
                              + t("map.hover.kecamatan", lang, name="%{customdata[1]}")
                              + "<br>%{text}<extra></extra>")
    return fig


def reference_counts(top: float) -> list[float]:
    """Round counts for the bubble key: the largest 1-2-5 number not above ``top`` and one
    about a fifth of it (e.g. 37 → [5, 20]); none when there is nothing to count."""
    if not top >= 1:
        return []
    nice = [m * 10**e for e in range(0, 10) for m in (1, 2, 5)]
    big = max(n for n in nice if n <= top)
    small = [n for n in nice if n <= big / 5]
    return [float(small[-1]), float(big)] if small else [float(big)]
