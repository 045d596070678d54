"""Reading user files: village boundaries (GeoJSON, GeoPackage, shapefile) and tables (CSV, XLSX).

Every problem with a user file becomes a :class:`geo.errors.InputError` that names the
file by its base name; raw pandas/pyogrio/zip exceptions never escape.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
import warnings
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path, PurePosixPath
from typing import Any

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from geo.codes import detect_code_system, normalise_codes
from geo.errors import InputError
from geo.schema import BOUNDARY_ROLES, detect_columns

__all__ = ["BoundaryFile", "parse_numbers", "read_boundaries", "read_table", "to_number"]

#: Lon/lat box that plainly contains Indonesia (for files without a CRS).
INDONESIA_BOUNDS = (94.0, -11.5, 142.0, 6.5)
#: Uncompressed size limit for an XLSX workbook (a zip too): guards against zip bombs.
MAX_XLSX_UNZIPPED_BYTES = 500_000_000

_ZIP_MAGIC = b"PK\x03\x04"
_SQLITE_MAGIC = b"SQLite format 3\x00"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls
_POLYGONAL = {"Polygon", "MultiPolygon"}


@dataclass(frozen=True, eq=False)
class BoundaryFile:
    """Village boundaries read from a user file.

    Attributes
    ----------
    gdf
        EPSG:4326, columns exactly ``kode``, ``nama``, ``nama_kec``, ``kode_kec``,
        ``geometry`` (all MultiPolygon), index ``0..n-1``.  ``kode`` is the dotted
        Kemendagri code, or — when ``code_system == "bps"`` — the original BPS code text
        (refusing to join BPS boundaries to Kemendagri data is the caller's job).
    source_crs
        CRS of the file as text (e.g. ``"EPSG:32749"``), None if the file had none.
    reprojected
        Whether coordinates were transformed to EPSG:4326.
    repaired
        Number of invalid geometries repaired with ``shapely.make_valid``.
    empty_dropped
        Codes of features with null/empty geometry, which were dropped.
    columns
        Role -> source column used.
    code_system
        ``"kemendagri"`` or ``"bps"``.
    duplicate_codes
        Codes that occur on more than one feature (all features kept).
    warnings
        Sentences in Bahasa Indonesia for the user.
    """

    gdf: gpd.GeoDataFrame
    source_crs: str | None
    reprojected: bool
    repaired: int
    empty_dropped: list[str]
    columns: dict[str, str]
    code_system: str
    duplicate_codes: list[str]
    warnings: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- helpers


def _base_name(path: Path, display_name: str | None) -> str:
    # Only ever show the base name: a server path must not leak into messages.
    return PurePosixPath(str(display_name or path.name).replace("\\", "/")).name


def _head(path: Path, file: str, n: int = 16) -> bytes:
    try:
        with path.open("rb") as handle:
            head = handle.read(n)
    except OSError as exc:
        raise InputError("berkas tidak bisa dibuka.", file=file) from exc
    if not head:
        raise InputError("berkas kosong.", file=file)
    return head


def _unsafe_member(name: str) -> bool:
    """Zip-slip check: absolute paths, drive letters and ``..`` components."""
    name = name.replace("\\", "/")
    return (
        name.startswith("/")
        or re.match(r"^[A-Za-z]:", name) is not None
        or ".." in name.split("/")
    )


def _too_big(max_bytes: int) -> str:
    return f"isi zip terlalu besar setelah diekstrak (batas {max_bytes:,} bita)."


def _check_zip(archive: zipfile.ZipFile, file: str, max_bytes: int) -> list[zipfile.ZipInfo]:
    members = archive.infolist()
    bad = [m.filename for m in members if _unsafe_member(m.filename)]
    if bad:
        raise InputError(
            "zip berisi jalur berkas yang tidak aman (absolut atau '..').", file=file, rows=bad
        )
    if sum(m.file_size for m in members) > max_bytes:
        raise InputError(_too_big(max_bytes), file=file)
    return members


def _extract_zip(path: Path, target: Path, file: str, max_bytes: int) -> None:
    """Extract safely, also counting the bytes actually written (headers can lie)."""
    written = 0
    try:
        with zipfile.ZipFile(path) as archive:
            for member in _check_zip(archive, file, max_bytes):
                if member.is_dir():
                    continue
                out = target / member.filename.replace("\\", "/")
                out.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(member) as src, out.open("wb") as dst:
                    while chunk := src.read(1 << 20):
                        written += len(chunk)
                        if written > max_bytes:
                            raise InputError(_too_big(max_bytes), file=file)
                        dst.write(chunk)
    except InputError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, RuntimeError, OSError, EOFError) as exc:
        # RuntimeError: encrypted member; OSError/EOFError: truncated or corrupt data.
        raise InputError("berkas zip rusak atau terkunci kata sandi.", file=file) from exc


def _find_shapefile(folder: Path, file: str) -> Path:
    shps = sorted(
        p for p in folder.rglob("*")
        if p.suffix.lower() == ".shp" and "__MACOSX" not in p.parts and not p.name.startswith("._")
    )
    if not shps:
        raise InputError("zip tidak berisi shapefile (.shp).", file=file)
    if len(shps) > 1:
        raise InputError(
            "zip berisi lebih dari satu shapefile; unggah satu saja.",
            file=file,
            rows=[p.relative_to(folder).as_posix() for p in shps],
        )
    return shps[0]


def _check_sidecars(shp: Path, file: str) -> None:
    present = {p.suffix.lower() for p in shp.parent.iterdir() if p.stem == shp.stem}
    missing = [ext for ext in (".shx", ".dbf") if ext not in present]
    if missing:
        raise InputError(
            "shapefile tidak lengkap: berkas pendamping " + " dan ".join(missing) + " tidak ada.",
            file=file,
        )


def _gpkg_layer(path: Path, file: str) -> str:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # GDAL warns about odd SQLite files
            layers = pyogrio.list_layers(path)
    except Exception as exc:
        raise InputError("GeoPackage tidak bisa dibaca.", file=file) from exc
    if len(layers) == 0:
        raise InputError("GeoPackage tidak berisi layer.", file=file)
    if len(layers) == 1:
        return str(layers[0][0])
    for name, geom_type in layers:
        if geom_type and "polygon" in str(geom_type).lower():
            return str(name)
    raise InputError(
        "GeoPackage tidak berisi layer poligon.", file=file, rows=[str(n) for n, _ in layers]
    )


def _read_vector(path: Path, file: str, layer: str | None = None) -> gpd.GeoDataFrame:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # GDAL chatter about odd files is not for the user
            gdf = gpd.read_file(path, engine="pyogrio", layer=layer)
    except Exception as exc:
        raise InputError(
            "berkas tidak bisa dibaca sebagai peta batas desa (GeoJSON, GeoPackage atau "
            "shapefile dalam zip).",
            file=file,
        ) from exc
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.name not in gdf:
        raise InputError("berkas tidak berisi geometri.", file=file)
    if len(gdf) == 0:
        raise InputError("berkas tidak berisi satu pun fitur.", file=file)
    return gdf


def _load_any(path: Path, file: str, workdir: Path, max_bytes: int) -> gpd.GeoDataFrame:
    """Dispatch on content first (zip, GeoPackage), then on extension."""
    head = _head(path, file)
    suffix = path.suffix.lower()
    if head.startswith(_ZIP_MAGIC):
        _extract_zip(path, workdir, file, max_bytes)
        shp = _find_shapefile(workdir, file)
        _check_sidecars(shp, file)
        return _read_vector(shp, file)
    if head.startswith(_SQLITE_MAGIC):
        return _read_vector(path, file, _gpkg_layer(path, file))
    if suffix == ".shp":
        _check_sidecars(path, file)
        return _read_vector(path, file)
    if suffix in {".geojson", ".json"} or head.lstrip().startswith(b"{"):
        return _read_vector(path, file)
    raise InputError(
        "format tidak dikenali; gunakan GeoJSON, GeoPackage (.gpkg) atau shapefile dalam .zip.",
        file=file,
    )


def _to_wgs84(
    gdf: gpd.GeoDataFrame, file: str
) -> tuple[gpd.GeoDataFrame, str | None, bool, list[str]]:
    """Bring the layer to EPSG:4326; returns (gdf, source_crs, reprojected, warnings)."""
    notes: list[str] = []
    if gdf.crs is None:
        minx, miny, maxx, maxy = gdf.total_bounds
        west, south, east, north = INDONESIA_BOUNDS
        if not (west <= minx <= maxx <= east and south <= miny <= maxy <= north):
            raise InputError(
                "peta tidak punya CRS (.prj) dan koordinatnya bukan derajat bujur/lintang di "
                "Indonesia; sertakan berkas .prj.",
                file=file,
            )
        notes.append(
            "Peta tidak punya CRS (.prj); koordinat dianggap derajat bujur/lintang (EPSG:4326)."
        )
        return gdf.set_crs(4326), None, False, notes
    source = gdf.crs.to_string()
    if CRS.from_user_input(gdf.crs).equals(CRS.from_epsg(4326), ignore_axis_order=True):
        return gdf.set_crs(4326, allow_override=True), source, False, notes
    try:
        out = gdf.to_crs(4326)
    except Exception as exc:
        raise InputError(
            f"koordinat tidak bisa diubah dari {source} ke EPSG:4326.", file=file
        ) from exc
    return out, source, True, notes


def _check_lonlat(gdf: gpd.GeoDataFrame, file: str, notes: list[str]) -> None:
    minx, miny, maxx, maxy = gdf.total_bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise InputError(
            "koordinat di luar rentang bujur/lintang; CRS di berkas .prj kemungkinan salah.",
            file=file,
        )
    west, south, east, north = INDONESIA_BOUNDS
    if not (west <= minx and maxx <= east and south <= miny and maxy <= north):
        notes.append("Sebagian peta berada di luar wilayah Indonesia; periksa CRS berkas.")


def _polygonal_part(geom: Any) -> Any:
    """Keep only the polygonal parts of a ``make_valid`` result."""
    if geom is None or geom.is_empty or geom.geom_type in _POLYGONAL:
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in _POLYGONAL]
    return shapely.union_all(parts) if parts else shapely.MultiPolygon()


def _to_multipolygons(geoms: np.ndarray) -> np.ndarray:
    polys = shapely.get_type_id(geoms) == 3  # Polygon
    out = geoms.copy()
    if polys.any():
        out[polys] = shapely.multipolygons(geoms[polys], indices=np.arange(int(polys.sum())))
    return out


def _clean_text(series: pd.Series) -> pd.Series:
    text = series.astype("string").str.strip()
    return text.mask(text == "")


def _clean_code_text(series: pd.Series) -> pd.Series:
    """Code as text without the ``.0`` that float columns add (``3211100004.0``)."""
    return _clean_text(series).str.replace(r"^(\d+)\.0+$", r"\1", regex=True)


def _kec_from_column(series: pd.Series) -> pd.Series:
    text = _clean_code_text(series)
    dotted = text.str.replace(r"^(\d{2})(\d{2})(\d{2})$", r"\1.\2.\3", regex=True)
    return dotted.astype("string")


def _feature_label(position: int, value: object) -> str:
    """How a user sees a feature: 1-based number and the code value."""
    shown = "(kosong)" if pd.isna(value) else f"'{value}'"  # type: ignore[call-overload]
    return f"fitur {position + 1}: {shown}"


def _resolve_codes(
    raw: pd.Series, file: str, column: str
) -> tuple[pd.Series, str]:
    """Normalised codes and code system; InputError for non-code values."""
    system = detect_code_system(raw)
    if system == "bps":
        codes = _clean_code_text(raw)
        bad = ~codes.str.fullmatch(r"(?:ID)?\d{10}", case=False)
    else:
        system = "kemendagri"
        codes = normalise_codes(raw)
        bad = codes.isna()
    bad = bad.fillna(True).astype(bool)
    if bad.any():
        rows = [_feature_label(i, raw.iloc[i]) for i in np.flatnonzero(bad.to_numpy())[:5]]
        raise InputError(
            f"{int(bad.sum())} fitur punya kode desa kosong atau bukan kode Kemendagri 10 digit "
            "(PP.KK.CC.DDDD).",
            file=file,
            column=column,
            rows=rows,
        )
    return codes.astype("string"), system


# --------------------------------------------------------------------------- boundaries


def max_unzipped_default() -> int:
    """Zip expansion limit from ``LOKUS_MAX_UNZIPPED_MB`` (default 1000 MB)."""
    try:
        mb = float(os.environ.get("LOKUS_MAX_UNZIPPED_MB") or 1000)
    except ValueError:
        mb = 1000
    return int(max(mb, 1) * 1024 * 1024)


def read_boundaries(
    path: str | Path,
    *,
    display_name: str | None = None,
    overrides: Mapping[str, str] | None = None,
    max_unzipped_bytes: int | None = None,
) -> BoundaryFile:
    """Read village boundaries from GeoJSON, GeoPackage, a zipped shapefile or a bare ``.shp``.

    Parameters
    ----------
    path
        File on disk (an upload saved to a temporary file).
    display_name
        Name the user knows the file by (the upload name); defaults to the base name.
    overrides
        Role -> column chosen by the user (roles of :data:`geo.schema.BOUNDARY_ROLES`).
    max_unzipped_bytes
        Limit on the summed uncompressed size of a zip; default ``LOKUS_MAX_UNZIPPED_MB``
        (1000 MB when unset).

    Returns
    -------
    BoundaryFile

    Raises
    ------
    InputError
        For any problem with the file: unreadable, empty, unsafe or oversized zip, no
        usable CRS, non-polygon geometries, missing or invalid code column.
    """
    path = Path(path)
    file = _base_name(path, display_name)
    with tempfile.TemporaryDirectory(prefix="lokus-") as tmp:
        limit = max_unzipped_bytes if max_unzipped_bytes is not None else max_unzipped_default()
        raw = _load_any(path, file, Path(tmp), limit)
        raw = raw.reset_index(drop=True)
        # Materialise while the temp dir exists (the frame is in memory already).
        return _build_boundaries(raw, file, overrides)


def _build_boundaries(
    raw: gpd.GeoDataFrame, file: str, overrides: Mapping[str, str] | None
) -> BoundaryFile:
    attrs = [c for c in raw.columns if c != raw.geometry.name]
    columns = detect_columns(attrs, BOUNDARY_ROLES, overrides, file=file)
    if "kode" not in columns:
        raise InputError(
            "kolom kode desa tidak ditemukan (mis. KDEPUM atau kode); kolom yang tersedia: "
            + ", ".join(map(str, attrs)),
            file=file,
        )
    codes, system = _resolve_codes(raw[columns["kode"]], file, columns["kode"])

    geoms = shapely.force_2d(raw.geometry.to_numpy())
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    found = set(gpd.GeoSeries(geoms[present]).geom_type)
    other = sorted(found - _POLYGONAL)
    if other:
        raise InputError(
            "peta batas desa harus berisi poligon, tetapi berisi geometri: "
            + ", ".join(other)
            + ".",
            file=file,
        )

    gdf = gpd.GeoDataFrame(
        {
            "kode": codes,
            "nama": _clean_text(raw[columns["nama"]]) if "nama" in columns else pd.NA,
            "nama_kec": _clean_text(raw[columns["nama_kec"]]) if "nama_kec" in columns else pd.NA,
        },
        geometry=gpd.GeoSeries(geoms, crs=raw.crs),
    )
    for col in ("nama", "nama_kec"):
        gdf[col] = gdf[col].astype("string")
    if "kode_kec" in columns:
        gdf["kode_kec"] = _kec_from_column(raw[columns["kode_kec"]])
    elif system == "bps":
        gdf["kode_kec"] = codes.str.replace(r"^(?:ID)?(\d{7})\d{3}$", r"\1", regex=True, case=False)
    else:
        gdf["kode_kec"] = codes.str[:8]

    notes: list[str] = []
    if "nama" not in columns:
        notes.append("Kolom nama desa tidak ditemukan; peta ditampilkan tanpa nama desa.")
    if system == "bps":
        notes.append(
            "Kode desa di peta memakai sistem BPS, bukan Kemendagri; peta ini tidak bisa "
            "digabung langsung dengan data berkode Kemendagri."
        )

    empty_dropped = gdf.loc[~present, "kode"].astype(str).tolist()
    gdf = gdf.loc[present]
    if empty_dropped:
        notes.append(
            f"{len(empty_dropped)} fitur tanpa geometri dibuang: " + ", ".join(empty_dropped[:5])
        )

    gdf, source_crs, reprojected, crs_notes = _to_wgs84(gdf, file)
    notes += crs_notes
    _check_lonlat(gdf, file, notes)

    invalid = ~gdf.geometry.is_valid.to_numpy()
    repaired = int(invalid.sum())
    if repaired:
        fixed = [_polygonal_part(g) for g in shapely.make_valid(gdf.geometry.to_numpy()[invalid])]
        geoms_all = gdf.geometry.to_numpy().copy()
        geoms_all[invalid] = fixed
        gdf = gdf.set_geometry(gpd.GeoSeries(geoms_all, index=gdf.index, crs=gdf.crs))
        notes.append(f"{repaired} geometri tidak valid diperbaiki otomatis.")
        lost = shapely.is_empty(gdf.geometry.to_numpy())
        if lost.any():
            empty_dropped += gdf.loc[lost, "kode"].astype(str).tolist()
            gdf = gdf.loc[~lost]
    gdf = gdf.set_geometry(
        gpd.GeoSeries(_to_multipolygons(gdf.geometry.to_numpy()), index=gdf.index, crs=4326)
    )
    gdf = gdf[["kode", "nama", "nama_kec", "kode_kec", "geometry"]].reset_index(drop=True)

    dup = gdf["kode"][gdf["kode"].duplicated()].unique()
    duplicate_codes = sorted(str(c) for c in dup)
    if duplicate_codes:
        notes.append(
            f"{len(duplicate_codes)} kode desa muncul di lebih dari satu fitur: "
            + ", ".join(duplicate_codes[:5])
        )
    return BoundaryFile(
        gdf=gdf,
        source_crs=source_crs,
        reprojected=reprojected,
        repaired=repaired,
        empty_dropped=empty_dropped,
        columns=columns,
        code_system=system,
        duplicate_codes=duplicate_codes,
        warnings=notes,
    )


# --------------------------------------------------------------------------- tables


def _decode(data: bytes, file: str) -> str:
    sample = data[:65536]
    controls = sum(b < 32 and b not in (9, 10, 12, 13) for b in sample)
    if b"\x00" in sample or controls > len(sample) // 100:
        raise InputError("berkas bukan CSV teks atau XLSX.", file=file)
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")  # never fails: every byte is a character


def _sniff_separator(text: str) -> str:
    """Most frequent of ``;``, ``,``, tab in the header line; comma on a tie."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] > counts[","] else ","


def _read_csv_rows(data: bytes, file: str) -> pd.DataFrame:
    text = _decode(data, file)
    if not text.strip():
        raise InputError("berkas kosong.", file=file)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=_sniff_separator(text),
            header=None,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
        )
    except pd.errors.ParserError as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise InputError(
            "jumlah kolom tidak sama di setiap baris CSV.",
            file=file,
            rows=[int(line.group(1))] if line else [],
        ) from exc
    except (ValueError, csv.Error) as exc:
        raise InputError("berkas tidak bisa dibaca sebagai CSV.", file=file) from exc
    return frame


def _cell_text(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 3211012001.0 stored as a number -> "3211012001"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _read_xlsx_rows(path: Path, file: str, sheet: str | int | None) -> pd.DataFrame:
    try:
        with zipfile.ZipFile(path) as archive:
            _check_zip(archive, file, MAX_XLSX_UNZIPPED_BYTES)
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except InputError:
        raise
    except Exception as exc:
        raise InputError("berkas tidak bisa dibaca sebagai XLSX.", file=file) from exc
    try:
        names = book.sheetnames
        if sheet is None:
            sheet = 0
        if isinstance(sheet, int):
            if not 0 <= sheet < len(names):
                raise InputError(f"lembar ke-{sheet + 1} tidak ada.", file=file, rows=names)
            sheet = names[sheet]
        if sheet not in names:
            raise InputError(f"lembar '{sheet}' tidak ada.", file=file, rows=names)
        ws = book[sheet]
        rows = [
            [_cell_text(v) for v in row]
            for row in ws.iter_rows(min_row=1, values_only=True)
        ]
    except InputError:
        raise
    except Exception as exc:
        raise InputError("isi XLSX tidak bisa dibaca.", file=file) from exc
    finally:
        book.close()
    width = max((len(r) for r in rows), default=0)
    return pd.DataFrame([r + [None] * (width - len(r)) for r in rows], dtype=object)


def _frame_from_rows(grid: pd.DataFrame, file: str) -> pd.DataFrame:
    """First non-empty row = header; ``_row`` = spreadsheet row number (1-based)."""
    grid = grid.astype("string")
    grid = grid.apply(lambda s: s.str.strip()).replace("", pd.NA)
    grid.index = pd.RangeIndex(1, len(grid) + 1)
    filled = grid.notna().any(axis=1)
    if not filled.any():
        raise InputError("berkas kosong.", file=file)
    header_at = int(filled.idxmax())
    header = grid.loc[header_at]
    body = grid.loc[header_at + 1 :]
    keep = [c for c in grid.columns if pd.notna(header[c]) or body[c].notna().any()]
    names = [
        str(header[c]) if pd.notna(header[c]) else f"kolom_{i + 1}" for i, c in enumerate(keep)
    ]
    dups = sorted({n for n in names if names.count(n) > 1})
    if dups:
        raise InputError("ada nama kolom yang sama lebih dari sekali.", file=file, rows=dups)
    table = body[keep].set_axis(names, axis=1)
    table = table.loc[table.notna().any(axis=1)]
    if table.empty:
        raise InputError("tidak ada baris data di bawah baris judul kolom.", file=file)
    table.insert(len(names), "_row", table.index.astype("int64"))
    return table.reset_index(drop=True)


def read_table(
    path: str | Path, *, display_name: str | None = None, sheet: str | int | None = None
) -> pd.DataFrame:
    """Read a CSV or XLSX village table with every column as text.

    CSV: separator sniffed from the header line (``,`` ``;`` or tab), UTF-8 with or
    without BOM, falling back to cp1252/Latin-1.  XLSX: first sheet unless ``sheet``
    names one (name or 0-based index); numeric cells become text (integral floats without
    ``.0``).  The first non-empty row is the header.  Headers and values are stripped;
    empty cells are NA; fully empty rows are dropped.

    Returns
    -------
    pandas.DataFrame
        ``string`` columns plus ``_row``: the spreadsheet row number of each record
        (header on row 1 -> first data row is 2).

    Raises
    ------
    InputError
        Empty file, no data rows, not CSV/XLSX, broken CSV structure, missing sheet,
        duplicate headers.
    """
    path = Path(path)
    file = _base_name(path, display_name)
    head = _head(path, file, 8)
    if head.startswith(_OLE_MAGIC):
        raise InputError(
            "format .xls lama tidak didukung; simpan ulang sebagai .xlsx atau CSV.", file=file
        )
    if head.startswith(_ZIP_MAGIC):
        grid = _read_xlsx_rows(path, file, sheet)
    else:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError("berkas tidak bisa dibuka.", file=file) from exc
        grid = _read_csv_rows(data, file)
    return _frame_from_rows(grid, file)


# --------------------------------------------------------------------------- numbers

_GROUPED = r"[+-]?\d{1,3}(?:\.\d{3})+"
_COMMA_DECIMAL = rf"(?:{_GROUPED}|[+-]?\d+),\d+"
_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"


def to_number(
    series: pd.Series,
    *,
    file: str | None,
    column: str,
    rows: pd.Series | None = None,
) -> pd.Series:
    """Parse a text column of counts or rates into float64.

    Rule for the dot and the comma:

    * a comma is always the decimal separator (``12,5`` -> 12.5);
    * a dot is a thousands separator (``1.234`` -> 1234) only in values shaped like
      grouped thousands (``^\\d{1,3}(\\.\\d{3})+$``, optionally followed by ``,decimals``)
      and only if the column as a whole uses a decimal comma, or every non-empty value
      is grouped thousands, or the value has several dots (``1.234.567``);
    * otherwise a dot is a decimal point (``12.5``, ``3211012001.0``).

    Surrounding spaces and a ``%`` suffix are stripped; empty cells and a lone ``-``
    (the usual "nil" in Indonesian tables) become NaN.

    Parameters
    ----------
    series
        Text values.
    file, column
        For error messages.
    rows
        Spreadsheet row numbers aligned with ``series`` (the ``_row`` column), used in
        error messages; without it the offending values are listed.

    Raises
    ------
    InputError
        If a non-empty value is not a number.
    """
    values, bad = parse_numbers(series)
    if bad.any():
        text = series.astype("string").str.strip()
        first = text[bad].iloc[0]
        where = rows[bad].tolist() if rows is not None else text[bad].tolist()
        raise InputError(
            f"berisi {int(bad.sum())} nilai yang bukan angka, mis. '{first}'.",
            file=file,
            column=column,
            rows=where,
        )
    return values


def parse_numbers(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse a text column of counts or rates without raising: ``(values, bad)``.

    ``values`` is float64 (NaN for empty cells and for the cells that are not numbers);
    ``bad`` is a boolean Series marking the non-empty cells that are not numbers, so a
    caller can exclude and list them (:mod:`geo.quality`) instead of refusing the file.
    The dot/comma rule is the one of :func:`to_number`.
    """
    text = series.astype("string").str.strip().str.replace(r"\s*%$", "", regex=True)
    text = text.str.replace("\u00a0", "", regex=False).str.strip()
    text = text.mask(text.isin(["", "-"]))
    present = text.notna()
    grouped = text.str.fullmatch(_GROUPED).fillna(False).astype(bool)
    comma_col = bool(text.str.fullmatch(_COMMA_DECIMAL).fillna(False).any())
    all_grouped = bool(present.any() and grouped[present].all())
    thousands = text.str.fullmatch(rf"{_GROUPED}(?:,\d+)?").fillna(False).astype(bool)
    if not (comma_col or all_grouped):
        thousands &= text.str.count(r"\.").fillna(0) >= 2
    clean = text.where(~thousands, text.str.replace(".", "", regex=False))
    clean = clean.str.replace(",", ".", regex=False)
    ok = clean.str.fullmatch(_NUMBER).fillna(False).astype(bool)
    bad = (present & ~ok).astype(bool)
    values = pd.to_numeric(clean.where(ok).astype(object), errors="coerce")
    out = pd.Series(values, index=series.index, dtype="float64")
    return out, pd.Series(bad.to_numpy(), index=series.index)

