"""GIS exports of the chosen villages: GeoPackage, GeoJSON and a zipped Shapefile.

All three hold the chosen village polygons (EPSG:4326, MultiPolygon) with the same
attributes. GeoPackage (layer ``lokus``) and GeoJSON use the full column names;
the Shapefile uses :data:`SHP_FIELDS` (dBASE allows 10 characters) and criterion
values as ``krit1``, ``krit2``... The zip holds ``.shp .shx .dbf .prj .cpg``
(``.cpg`` = UTF-8) and ``lokus_kolom.txt``, the field-name key. Long text (``alasan``)
is cut to 254 bytes in the Shapefile only (dBASE limit). Text values are passed
through :func:`geo.export.safe.safe_cell` because a ``.dbf`` opens in spreadsheets.

Attribute and field names are a schema: the same in every language. With ``lang="en"``
the values of ``stabilitas`` and ``catatan_data`` and the field key text are English.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely
from shapely.geometry.base import BaseGeometry

from geo.core.i18n import catalogue, lang_of, t
from geo.export.common import ExportContext, criterion_label, term
from geo.export.safe import safe_cell

__all__ = ["SHP_FIELDS", "export_geojson", "export_gpkg", "export_shp", "lokus_layer", "shp_field_names"]

#: Full attribute name → Shapefile field name (≤ 10 characters).
SHP_FIELDS = {
    "no": "no",
    "kode": "kode",
    "nama": "nama",
    "kecamatan": "kec",
    "kode_kec": "kode_kec",
    "skor": "skor",
    "peringkat": "rank",
    "p_top_n": "p_topn",
    "stabilitas": "stabil",
    "alasan": "alasan",
    "catatan_data": "catatan",
}

_DBF_TEXT_BYTES = 254


def lokus_layer(ctx: ExportContext, lang: str = "id") -> gpd.GeoDataFrame:
    """Chosen villages with attributes (full names), EPSG:4326 MultiPolygons, in list order."""
    lok = ctx.lokus
    villages = ctx.dataset.villages.set_index("kode")
    geom = _as_multi(villages.loc[lok["kode"], "geometry"].values)
    criteria = [c.id for c in ctx.result.criteria]
    attrs = lok[["no", "kode", "nama", "kecamatan", "kode_kec", "skor", "peringkat", "p_top_n",
                 "stabilitas", "alasan", *criteria]].copy()
    attrs["stabilitas"] = [term(v, lang) for v in attrs["stabilitas"]]
    if ctx.synthetic:
        attrs["catatan_data"] = t("export.synthetic.note", lang)
    for col in attrs.columns:
        if pd.api.types.is_string_dtype(attrs[col]):
            attrs[col] = attrs[col].astype(str).map(safe_cell)
    return gpd.GeoDataFrame(attrs.reset_index(drop=True), geometry=list(geom), crs=ctx.dataset.villages.crs)


def _as_multi(geoms: Sequence[BaseGeometry]) -> list[BaseGeometry]:
    # one geometry type per layer: Shapefile/GPKG readers dislike Polygon/MultiPolygon mixes
    return [shapely.MultiPolygon([g]) if g.geom_type == "Polygon" else g for g in geoms]


def shp_field_names(ctx: ExportContext) -> dict[str, str]:
    """Full attribute name → Shapefile field name for this export (criteria → ``kritN``)."""
    names = {k: v for k, v in SHP_FIELDS.items() if k != "catatan_data"}
    for i, c in enumerate(ctx.result.criteria, start=1):
        names[c.id] = f"krit{i}"
    if ctx.synthetic:
        names["catatan_data"] = SHP_FIELDS["catatan_data"]
    return names


def _write(gdf: gpd.GeoDataFrame, path: Path, driver: str, **options: object) -> None:
    pyogrio.write_dataframe(gdf, path, driver=driver, **options)  # type: ignore[arg-type]


def export_gpkg(ctx: ExportContext, *, lang: str = "id") -> bytes:
    """GeoPackage bytes, one layer ``lokus``."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "lokus.gpkg"
        _write(lokus_layer(ctx, lang), path, "GPKG", layer="lokus")
        return path.read_bytes()


def export_geojson(ctx: ExportContext, *, lang: str = "id") -> bytes:
    """GeoJSON bytes (RFC 7946, EPSG:4326 longitude/latitude)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "lokus.geojson"
        _write(lokus_layer(ctx, lang), path, "GeoJSON", layer="lokus", RFC7946="YES", WRITE_NAME="NO")
        return path.read_bytes()


def _cut_utf8(text: str, limit: int = _DBF_TEXT_BYTES) -> str:
    raw = text.encode("utf-8")
    return text if len(raw) <= limit else raw[:limit].decode("utf-8", "ignore")


def _field_key(ctx: ExportContext, names: dict[str, str], lang: str) -> str:
    texts = catalogue(lang_of(lang))
    labels = {c.id: t("export.shp.criterion", lang, label=criterion_label(ctx, c, lang),
                      unit=f" ({term(c.unit, lang)})" if c.unit else "")
              for c in ctx.result.criteria}
    lines = [t("export.shp.heading", lang, kabupaten=ctx.kabupaten), ""]
    for full, short in names.items():
        lines.append(f"{short:<10} = {full}: {texts.get(f'export.shp.{full}') or labels.get(full, '')}")
    lines += ["", t("export.shp.cut", lang)]
    return "\r\n".join(lines) + "\r\n"


def export_shp(ctx: ExportContext, *, lang: str = "id") -> bytes:
    """Zipped Shapefile bytes: ``lokus.shp .shx .dbf .prj .cpg`` + ``lokus_kolom.txt``."""
    names = shp_field_names(ctx)
    layer = lokus_layer(ctx, lang).rename(columns=names)
    for col in layer.columns:
        if col != "geometry" and pd.api.types.is_string_dtype(layer[col]):
            layer[col] = layer[col].map(_cut_utf8)
    buf = io.BytesIO()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "lokus.shp"
        _write(layer, path, "ESRI Shapefile", encoding="UTF-8")
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
                part = path.with_suffix(ext)
                if part.exists():
                    zf.write(part, part.name)
            zf.writestr("lokus_kolom.txt", _field_key(ctx, names, lang).encode("utf-8"))
    return buf.getvalue()
