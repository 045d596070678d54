"""The village choropleth: built once with geometry; later changes are Patches."""

from __future__ import annotations

import plotly.colors
import plotly.graph_objects as go

from geo.core.i18n import DEFAULT_LANG, plotly_separators
from geo.view.mapdata import MapGeometry, View
from layouts.text import t

NO_DATA_COLOUR = "#cfcfcf"
OFFLINE_STYLE = "white-bg"  # MapLibre style with no tiles: works with no internet
ONLINE_STYLE = "open-street-map"
VILLAGE_TRACE, OUTLINE_TRACE, PIN_TRACE = 0, 1, 2


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
    fig = go.Figure([villages, outlines, pin])
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
