"""Mutation fuzzing of every user-file entry point: only named messages, no crash, no hang.

Run: ``.venv/bin/python bench/fuzz_inputs.py [--count 10000] [--seed 2024] [--jobs 2]
[--timeout 30] [--entry boundaries_geojson ...] [--out DIR]``.

For each entry point a few valid seed files are built from the embedded Sumedang data
(boundaries GeoJSON / GeoPackage / zipped shapefile, village table CSV / XLSX, coverage
table, e-PPGBM export, last year's lokus list, column-mapping JSON, scenario JSON). Each
input is one seed put through one to three seeded mutations: byte flips, truncation,
inserted or deleted chunks, hostile numbers (NaN, inf, 1e308, 1e309, negative, huge,
fractional, decimal commas), odd separators and encodings, random or duplicated headers,
duplicated rows, NaN/Inf/huge coordinates, a declared CRS that does not fit (wrong UTM
zone, degrees declared as metres), features repeated under one code, degenerate
features, nested or corrupt zips, unknown roles, deep nesting...

Every input is read the way Lokus reads it (``geo.io.boundaries.read_boundaries``;
``geo.data.loading.load_dataset`` with the embedded Sumedang boundaries; ``load_coverage``;
``read_eppgbm`` + name matching + aggregation + the safe CSV as ``lokus eppgbm`` does;
``geo.decide.continuity.read_previous_list``; ``load_mapping`` then the overrides applied;
``read_scenario_json`` then written back as strict JSON) in a pool of worker processes;
an input running longer than ``--timeout`` seconds is killed and counted. The outcome
of each input is a named :class:`geo.core.errors.InputError`, accepted, an **unhandled
exception** (the first few inputs and tracebacks are saved under ``--out``), or a
timeout. Input ``i`` of an entry point depends only on ``(seed, entry, i)``, so any
saved case can be regenerated.

``tests/unit/test_hostile_inputs.py`` runs :func:`run_fuzz` with a small count in CI.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import csv
import io
import json
import math
import multiprocessing as mp
import os
import random
import re
import sys
import tempfile
import time
import traceback
import warnings
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import geopandas as gpd  # noqa: E402
import openpyxl  # noqa: E402
import pandas as pd  # noqa: E402

from geo.core.errors import InputError  # noqa: E402

__all__ = ["ENTRY_POINTS", "EntryStats", "FuzzReport", "make_input", "run_fuzz", "run_one"]

DATA = ROOT / "data" / "sumedang"
BOUNDARIES = DATA / "sumedang_desa_kel_2025.geojson"
TABLE = DATA / "sumedang_stunting_posyandu_2019_2021.csv"
COVERAGE = DATA / "cakupan_sintetis_2019_2021.csv"
TODAY = date(2025, 6, 30)

#: Entry points, in the order of the printed table.
ENTRY_POINTS: tuple[str, ...] = (
    "boundaries_geojson", "boundaries_gpkg", "boundaries_shpzip", "table_csv", "table_xlsx",
    "coverage", "eppgbm", "previous_list", "mapping", "scenario",
)
#: Tracebacks and inputs kept per entry point and outcome kind.
KEEP_FAILURES = 5
#: Extra seconds a worker may spend generating an input before its reading is timed.
GENERATION_GRACE = 120.0
#: Largest generated input (bytes): mutations stay far below the upload limit.
MAX_INPUT_BYTES = 8_000_000

HOSTILE_TEXT = ["NaN", "nan", "inf", "-inf", "Infinity", "1e308", "1e309", "-1e308", "-5", "-0",
                "0.5", "12,7", "12.7", "1.234.567", "99999999999999999999", "2099", "1e-320", "0x1F",
                "", "n/a", "-", "٣", "1 234", "½", "=1+1", "TRUE", "12 %", "1e15", "-999999"]
HOSTILE_VALUES: list[Any] = [math.nan, math.inf, -math.inf, 1e308, -1e308, 10**9, -1, 0, 0.5, 10**30,
                             2**63, 2**31, 1e-320, "", "x", None, True, False, [], {}, "NaN", "1e309",
                             "a" * 5000, [1, 2], {"a": 1}, 2099, 1900, 12.7]
CRS_CHOICES = ["EPSG:4326", "EPSG:32748", "EPSG:32749", "EPSG:32750", "EPSG:32649", "EPSG:3857",
               "EPSG:23839", "EPSG:4238", "EPSG:2154", "EPSG:9999999", "nonsense"]


# --------------------------------------------------------------------------- seeds


@dataclass
class Seeds:
    """Valid seed files per entry point and what the runners need (built once)."""

    files: dict[str, list[tuple[bytes, str]]]
    villages: pd.DataFrame  # Dataset.villages of Sumedang (kode, nama, nama_kec, ...)
    gdf: gpd.GeoDataFrame  # Sumedang boundaries (BoundaryFile.gdf)
    small_geojson: Path  # a small valid boundary file for the mapping runner
    table_boundaries: Path  # the polygons of the seed table's villages (a real join, read fast)
    table_columns: list[str]
    workdir: Path


def _gdf_bytes(gdf: gpd.GeoDataFrame, driver: str, suffix: str, tmp: Path) -> bytes:
    path = tmp / f"seed{suffix}"
    if path.exists():
        path.unlink()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gdf.to_file(path, driver=driver, engine="pyogrio")
    return path.read_bytes()


def _shp_zip(gdf: gpd.GeoDataFrame, tmp: Path, prj: str | None = None) -> bytes:
    folder = Path(tempfile.mkdtemp(dir=tmp))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gdf.to_file(folder / "desa.shp", engine="pyogrio")
    if prj is not None:
        (folder / "desa.prj").write_text(prj)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, path.name)
    return buffer.getvalue()


def _xlsx_bytes(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append([_xlsx_cell(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(value: Any) -> Any:
    """Numbers as numbers (as a spreadsheet holds them), the rest as text."""
    if not isinstance(value, str):
        return value
    if re.fullmatch(r"-?\d+(\.\d+)?", value) and len(value) < 15:
        number = float(value)
        return int(number) if number.is_integer() else number
    return value[:32000]  # Excel's cell limit


def build_seeds(workdir: Path) -> Seeds:
    """Seed files from the embedded Sumedang data (a few per entry point)."""
    from geo.data.loading import load_dataset
    from geo.export.scenario import export_json
    from geo.io.boundaries import read_boundaries
    from geo.io.eppgbm_synthetic import synthetic_export
    from geo.scoring.presets import preset_config

    workdir.mkdir(parents=True, exist_ok=True)
    raw = gpd.read_file(BOUNDARIES, engine="pyogrio")
    columns = ["kode", "nama", "nama_kec", "kode_kec", "geometry"]
    small = raw[columns].iloc[::23].head(12).reset_index(drop=True)
    files: dict[str, list[tuple[bytes, str]]] = {}
    utm = small.to_crs(32749)
    files["boundaries_geojson"] = [
        (small.to_json().encode(), ".geojson"),
        (_gdf_bytes(utm, "GeoJSON", ".geojson", workdir), ".geojson"),
    ]
    files["boundaries_gpkg"] = [(_gdf_bytes(small, "GPKG", ".gpkg", workdir), ".gpkg"),
                                (_gdf_bytes(utm, "GPKG", ".gpkg", workdir), ".gpkg")]
    files["boundaries_shpzip"] = [(_shp_zip(small, workdir), ".zip"), (_shp_zip(utm, workdir), ".zip")]
    small_geojson = workdir / "small.geojson"
    small_geojson.write_bytes(files["boundaries_geojson"][0][0])

    table = pd.read_csv(TABLE, dtype=str, keep_default_na=False)
    part = table.iloc[::9].head(40)
    # The village-table runner joins to the seed rows' own villages (plus a few without data):
    # the same reading, checking and joining as with all 277, at a fraction of the geometry.
    table_boundaries = workdir / "table_boundaries.geojson"
    near = raw["kode"].isin(part["kode"]) | raw.index.isin(range(0, len(raw), 40))
    table_boundaries.write_bytes(raw.loc[near, columns].to_json().encode())
    files["table_csv"] = [(part.to_csv(index=False).encode(), ".csv"),
                          (part.to_csv(index=False, sep=";").encode("cp1252", "replace"), ".csv")]
    rows = [list(part.columns), *part.to_numpy().tolist()]
    files["table_xlsx"] = [(_xlsx_bytes(rows), ".xlsx")]
    coverage = pd.read_csv(COVERAGE, dtype=str, keep_default_na=False).iloc[::21].head(40)
    files["coverage"] = [(coverage.to_csv(index=False).encode(), ".csv"),
                         (_xlsx_bytes([list(coverage.columns), *coverage.to_numpy().tolist()]), ".xlsx")]
    names = table.drop_duplicates(["nama_kec", "nama_desa"])[["nama_kec", "nama_desa"]]
    export = synthetic_export(150, seed=7, villages=names.head(25))
    files["eppgbm"] = [(export.to_csv(index=False, sep=";").encode(), ".csv"),
                       (_xlsx_bytes([list(export.columns), *export.head(60).to_numpy().tolist()]), ".xlsx")]
    last = pd.DataFrame({"kode": part["kode"].head(10), "desa": part["nama_desa"].head(10),
                         "kecamatan": part["nama_kec"].head(10), "tahun": "2024"})
    files["previous_list"] = [(last.to_csv(index=False).encode(), ".csv"),
                              (last.drop(columns="kode").to_csv(index=False).encode(), ".csv")]
    mapping = {"boundary_columns": {"kode": "kode", "nama": "nama", "nama_kec": "nama_kec"},
               "table_columns": {"kode": "kode", "tahun": "tahun", "merah":
                                 "anak_0_23_merah_terindikasi_stunting"}}
    files["mapping"] = [(json.dumps(mapping).encode(), ".json"),
                        (json.dumps({"boundary_columns": {"kode": "kode"}}).encode(), ".json")]

    dataset = load_dataset(BOUNDARIES, TABLE, dataset_id="sumedang", title="Sumedang")
    config = preset_config(dataset, next(iter(_presets())), top_n=10)
    chosen = [(k, "skor tertinggi") for k in dataset.villages["kode"].head(5)]
    plan = [{"kode": chosen[0][0], "kegiatan": "Kelas ibu balita", "opd": "Dinkes", "value": 40.5,
             "target": 80.0, "gap": 39.5, "volume": 12.0, "satuan": "kali", "anggaran": 5_000_000,
             "catatan": "", "source": "manual"}]
    doc = json.loads(export_json(config, chosen, dataset_id="sumedang", name="uji",
                                 created_at="2026-01-05T08:00:00+00:00"))
    files["scenario"] = [(json.dumps(doc).encode(), ".json"),
                         (json.dumps({**doc, "plan": plan}).encode(), ".json")]
    bf = read_boundaries(BOUNDARIES)
    return Seeds(files=files, villages=dataset.villages, gdf=bf.gdf, small_geojson=small_geojson,
                 table_boundaries=table_boundaries, table_columns=list(table.columns), workdir=workdir)


def _presets() -> dict[str, Any]:
    from geo.scoring.config import PRESETS

    return PRESETS


# --------------------------------------------------------------------------- mutations


def _flip(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return bytes([rng.randrange(256)])
    buf = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        buf[rng.randrange(len(buf))] = rng.randrange(256)
    return bytes(buf)


def _truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def _insert(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data) + 1)
    junk = rng.choice([bytes(rng.randrange(256) for _ in range(rng.randint(1, 64))), b"\x00" * 50,
                       b"\xff\xfe", b'"', b"\r\n", b";;;", b"\t", b"NaN", b"1e309", b"}{", b"]]"])
    return data[:at] + junk + data[at:]


def _chunk(data: bytes, rng: random.Random) -> bytes:
    if len(data) < 2:
        return data * 2
    a = rng.randrange(len(data))
    b = min(len(data), a + rng.randint(1, 4096))
    return data[:a] + (data[a:b] * rng.randint(0, 3)) + data[b:]


def _garbage(data: bytes, rng: random.Random) -> bytes:
    return rng.choice([b"", b" ", b"\n", bytes(rng.randrange(256) for _ in range(rng.randint(1, 2000))),
                       b"PK\x03\x04" + bytes(100), b"SQLite format 3\x00" + bytes(200),
                       b"\xd0\xcf\x11\xe0" + bytes(100), b"{}", b"[]", b"null"])


BYTE_MUTATIONS: list[Callable[[bytes, random.Random], bytes]] = [_flip, _truncate, _insert, _chunk, _garbage]


def _text_numbers(text: str, rng: random.Random) -> str:
    spans = [m.span() for m in re.finditer(r"-?\d+(?:[.,]\d+)?", text)]
    if not spans:
        return text
    for a, b in sorted(rng.sample(spans, min(len(spans), rng.randint(1, 6))), reverse=True):
        text = text[:a] + rng.choice(HOSTILE_TEXT) + text[b:]
    return text


def _text_separators(text: str, rng: random.Random) -> str:
    old = ";" if text.count(";") > text.count(",") else ","
    new = rng.choice([";", "\t", "|", " ", ",", ",,", ":"])
    lines = text.split("\n")
    if rng.random() < 0.5:
        return text.replace(old, new)
    i = rng.randrange(len(lines))
    lines[i] = lines[i].replace(old, new)
    return "\n".join(lines)


def _text_header(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    sep = ";" if lines[0].count(";") > lines[0].count(",") else ","
    cells = lines[0].split(sep)
    choice = rng.randrange(5)
    if choice == 0 and cells:
        letters = "abcKODE _/%()ésţ0123"
        cells[rng.randrange(len(cells))] = "".join(rng.choice(letters) for _ in range(rng.randint(0, 20)))
    elif choice == 1 and cells:
        cells.append(rng.choice(cells))
    elif choice == 2:
        rng.shuffle(cells)
    elif choice == 3:
        return "\n".join(lines[1:])
    else:
        cells = [rng.choice(["Jumlah Balita Stunting", "Prevalensi (%)", "Tahun", "Kode", "Desa", "Kecamatan",
                             "kode_bps", "Tgl Lahir", "Tinggi", "ZS TB/U", "NIK"]) for _ in cells]
    lines[0] = sep.join(cells)
    return "\n".join(lines)


def _text_rows(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    head, body = lines[:1], [line for line in lines[1:] if line]
    if not body:
        return text
    choice = rng.randrange(5)
    if choice == 0:
        body += rng.choices(body, k=rng.randint(1, 20))  # duplicated rows
    elif choice == 1:
        body = body * rng.randint(2, 60)  # many rows
    elif choice == 2:
        rng.shuffle(body)
    elif choice == 3:
        i = rng.randrange(len(body))
        body[i] = body[i] + rng.choice([",x", ";;", '"', ",,,,,,", ""])  # ragged row
    else:
        body.insert(rng.randrange(len(body) + 1), "")
    return "\n".join(head + body) + "\n"


def _text_encoding(text: str, rng: random.Random) -> bytes:
    choice = rng.randrange(5)
    if choice == 0:
        return text.encode("utf-16")
    if choice == 1:
        return "\ufeff".encode() + text.encode()
    if choice == 2:
        return text.replace("\n", "\r\n").encode()
    if choice == 3:
        return text.encode("latin-1", "replace")
    return text.replace("\n", "\r").encode()


TEXT_MUTATIONS: list[Callable[[str, random.Random], str]] = [_text_numbers, _text_separators, _text_header,
                                                              _text_rows]


def _leaves(node: Any, path: tuple = ()) -> list[tuple]:
    out: list[tuple] = []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _leaves(v, (*path, k)) or [(*path, k)]
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _leaves(v, (*path, i)) or [(*path, i)]
    return out


def _containers(node: Any, path: tuple = ()) -> list[tuple]:
    out = [path] if isinstance(node, dict | list) else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _containers(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node[:50]):
            out += _containers(v, (*path, i))
    return out


def _get(node: Any, path: tuple) -> Any:
    for p in path:
        node = node[p]
    return node


def _json_mutate(doc: Any, rng: random.Random, roles: Sequence[str] = ()) -> Any:
    """One structural mutation of a parsed JSON document."""
    doc = copy.deepcopy(doc)
    choice = rng.randrange(6)
    leaves = _leaves(doc)
    containers = _containers(doc)
    if choice <= 1 and leaves:  # a hostile value somewhere
        path = rng.choice(leaves)
        _get(doc, path[:-1])[path[-1]] = copy.deepcopy(rng.choice(HOSTILE_VALUES))
    elif choice == 2 and containers:  # an unknown key / role
        target = _get(doc, rng.choice(containers))
        key = rng.choice([*roles, "xx", "kode ", "KODE", "", "__proto__", "nama_desa", "tahun", "merah"])
        if isinstance(target, dict):
            target[key] = rng.choice([*HOSTILE_VALUES, "kode", "nama"])
        else:
            target.append(copy.deepcopy(rng.choice(HOSTILE_VALUES)))
    elif choice == 3 and leaves:  # a key deleted
        path = rng.choice(leaves)
        parent = _get(doc, path[:-1])
        if isinstance(parent, dict):
            parent.pop(path[-1], None)
        elif parent:
            parent.pop(path[-1])
    elif choice == 4 and containers:  # a list repeated
        path = rng.choice(containers)
        target = _get(doc, path)
        if isinstance(target, list) and target:
            target.extend(copy.deepcopy(target) * rng.randint(1, 5))
    else:  # deep nesting or a wrong top level
        doc = rng.choice([[doc], {"x": doc}, doc if rng.random() < 0.5 else None,
                          json.loads("[" * 50 + "]" * 50)])
    return doc


def _dumps(doc: Any) -> bytes:
    return json.dumps(doc, ensure_ascii=False).encode()  # NaN/Infinity written as JS does


def _geojson_mutate(doc: dict, rng: random.Random) -> dict:
    """A boundary-specific mutation of a FeatureCollection."""
    doc = copy.deepcopy(doc)
    features = doc.get("features") or []
    choice = rng.randrange(8)
    if choice == 0 and features:  # hostile coordinates
        for _ in range(rng.randint(1, 3)):
            feature = rng.choice(features)
            coords = _coords(feature.get("geometry"))
            if coords:
                point = rng.choice(coords)
                hostile = [math.nan, math.inf, -math.inf, 1e308, -1e308, 1e20, 0.0]
                point[rng.randrange(2)] = rng.choice(hostile)
    elif choice == 1:  # a declared CRS that may not fit the coordinates
        doc["crs"] = {"type": "name", "properties": {"name": rng.choice(CRS_CHOICES)}}
    elif choice == 2 and features:  # one code on several features (exclave, or two villages)
        feature = copy.deepcopy(rng.choice(features))
        other = rng.choice(features)
        feature["geometry"] = copy.deepcopy(other["geometry"])
        if rng.random() < 0.5:
            feature["properties"]["nama"] = "DESA LAIN"
        features.append(feature)
    elif choice == 3 and features:  # many features
        doc["features"] = features * rng.choice([2, 10, 50])
    elif choice == 4 and features:  # degenerate features
        feature = rng.choice(features)
        n = rng.choice([1, 2, 3, 1000, 50_000])
        x, y = _first_xy(feature) or (108.0, -6.9)
        kind = rng.randrange(3)
        if kind == 0:
            ring = [[x, y]] * (n + 3)
        elif kind == 1:
            ring = [[x + i * 1e-6, y] for i in range(n)] + [[x, y]]
        else:
            ring = [[x + rng.random() * 0.01, y + rng.random() * 0.01] for _ in range(n)] + [[x, y]]
        feature["geometry"] = {"type": "Polygon", "coordinates": [ring]}
    elif choice == 5 and features:  # geometry swapped for another type
        feature = rng.choice(features)
        feature["geometry"] = rng.choice([None, {"type": "Point", "coordinates": [108, -6.9]},
                                          {"type": "Polygon", "coordinates": []},
                                          {"type": "GeometryCollection", "geometries": []},
                                          {"type": "LineString",
                                           "coordinates": [[108, -6.9], [108.1, -6.8]]}])
    elif choice == 6 and features:  # codes and names
        feature = rng.choice(features)
        props = feature.setdefault("properties", {}) or {}
        key = rng.choice(["kode", "nama", "nama_kec", "kode_kec"])
        props[key] = rng.choice([None, "", "32.11.01", "3211012001", "ID3211012001", "99.99.99.9999",
                                 "11.01.01.2001", 3211012001, 1e308, "x" * 300])
    else:
        doc = _json_mutate(doc, rng)
    return doc


def _coords(geom: Any) -> list[list[float]]:
    out: list[list[float]] = []

    def walk(node: Any) -> None:
        if isinstance(node, list) and node and all(isinstance(v, int | float) for v in node):
            out.append(node)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    if isinstance(geom, dict):
        walk(geom.get("coordinates"))
    return out


def _first_xy(feature: dict) -> tuple[float, float] | None:
    coords = _coords(feature.get("geometry"))
    return (coords[0][0], coords[0][1]) if coords and len(coords[0]) >= 2 else None


def _zip_mutate(data: bytes, rng: random.Random, tmp: Path) -> bytes:
    """Zip-level mutations of a zipped shapefile."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {i.filename: archive.read(i) for i in archive.infolist()}
    choice = rng.randrange(7)
    if choice == 0:  # a wrong or broken .prj
        from pyproj import CRS

        code = rng.choice([32748, 32750, 32649, 3857, 4326, 23839])
        members["desa.prj"] = rng.choice([CRS.from_epsg(code).to_wkt("WKT1_ESRI").encode(), b"garbage", b""])
    elif choice == 1:  # a sidecar missing
        members.pop(rng.choice(sorted(members)), None)
    elif choice == 2:  # one member's bytes mutated
        name = rng.choice(sorted(members))
        members[name] = rng.choice(BYTE_MUTATIONS)(members[name], rng)
    elif choice == 3:  # nested zip
        return _make_zip({"inner.zip": data, "readme.txt": b"x"}, rng)
    elif choice == 4:  # corrupt deflate stream, directory intact
        raw = bytearray(data)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = rng.choice(archive.infolist())
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
        for _ in range(rng.randint(1, 6)):
            if info.compress_size:
                raw[start + rng.randrange(info.compress_size)] ^= 0xFF
        return bytes(raw)
    elif choice == 5:  # odd member names
        name = rng.choice(["../evil.shp", "/abs/desa.shp", "a/../../x.dbf", "__MACOSX/._desa.shp",
                           "sub/desa.shp", "DESA.SHP", "two.shp"])
        members[name] = members.get("desa.shp", b"")
    else:  # many members
        for i in range(rng.choice([10, 2000])):
            members[f"junk/{i}.txt"] = b""
    return _make_zip(members, rng)


def _make_zip(members: dict[str, bytes], rng: random.Random) -> bytes:
    buffer = io.BytesIO()
    method = rng.choice([zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _csv_rows(text: str) -> list[list[str]]:
    sep = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    return list(csv.reader(io.StringIO(text), delimiter=sep))


def _xlsx_text(data: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    rows = [["" if v is None else str(v) for v in row] for row in book.active.iter_rows(values_only=True)]
    book.close()
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def make_input(entry: str, index: int, seed: int, seeds: Seeds) -> tuple[bytes, str]:
    """Input ``index`` of an entry point: a seed through 1–3 mutations (deterministic)."""
    rng = random.Random(f"{seed}/{entry}/{index}")
    data, suffix = rng.choice(seeds.files[entry])
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        data, suffix = _mutate_once(entry, data, suffix, rng, seeds)
        if len(data) > MAX_INPUT_BYTES:
            data = data[:MAX_INPUT_BYTES]
    return data, suffix


def _mutate_once(entry: str, data: bytes, suffix: str, rng: random.Random,
                 seeds: Seeds) -> tuple[bytes, str]:
    roll = rng.random()
    if roll < 0.25:
        return rng.choice(BYTE_MUTATIONS)(data, rng), suffix
    try:
        if entry == "boundaries_shpzip":
            return _zip_mutate(data, rng, seeds.workdir), suffix
        if entry in ("boundaries_geojson", "boundaries_gpkg"):
            text = data if suffix == ".geojson" else _gpkg_to_geojson(data, seeds.workdir)
            doc = json.loads(text)
            doc = _geojson_mutate(doc, rng)
            if entry == "boundaries_geojson" or rng.random() < 0.3:
                return _dumps(doc), ".geojson" if entry == "boundaries_geojson" else suffix
            return _geojson_to_gpkg(_dumps(doc), seeds.workdir), ".gpkg"
        if entry in ("mapping", "scenario"):
            from geo.io import schema

            roles = [*schema.BOUNDARY_ROLES, *schema.TABLE_ROLES]
            return _dumps(_json_mutate(json.loads(data), rng, roles)), suffix
        # tables: CSV text (XLSX through its cells)
        text = _xlsx_text(data) if suffix == ".xlsx" else data.decode("utf-8", "replace")
        text = rng.choice(TEXT_MUTATIONS)(text, rng)
        if entry == "table_xlsx" or (suffix == ".xlsx" and rng.random() < 0.7):
            return _xlsx_bytes(_csv_rows(text)), ".xlsx"
        if rng.random() < 0.15:
            return _text_encoding(text, rng), ".csv"
        return text.encode(), ".csv"
    except Exception:  # the previous mutation broke the structure: mutate bytes instead
        return rng.choice(BYTE_MUTATIONS)(data, rng), suffix


def _gpkg_to_geojson(data: bytes, tmp: Path) -> bytes:
    path = Path(tempfile.mkstemp(suffix=".gpkg", dir=tmp)[1])
    try:
        path.write_bytes(data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return gpd.read_file(path, engine="pyogrio").to_json().encode()
    finally:
        path.unlink(missing_ok=True)


def _geojson_to_gpkg(data: bytes, tmp: Path) -> bytes:
    folder = Path(tempfile.mkdtemp(dir=tmp))
    src, dst = folder / "in.geojson", folder / "out.gpkg"
    src.write_bytes(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gdf = gpd.read_file(src, engine="pyogrio")
        gdf.to_file(dst, driver="GPKG", engine="pyogrio")
    return dst.read_bytes()


# --------------------------------------------------------------------------- runners


def _run(entry: str, path: Path, seeds: Seeds) -> None:
    """Read one input the way Lokus reads it (an InputError is the expected refusal)."""
    if entry.startswith("boundaries_"):
        from geo.io.boundaries import read_boundaries

        read_boundaries(path, display_name=path.name)
    elif entry in ("table_csv", "table_xlsx"):
        from geo.data.loading import load_dataset

        load_dataset(seeds.table_boundaries, path, dataset_id="fuzz", title="fuzz", data_dir=ROOT / "data")
    elif entry == "coverage":
        from geo.data.model import CoverageSpec
        from geo.data.tables import load_coverage

        load_coverage(seeds.gdf, CoverageSpec(path), boundary_file=BOUNDARIES.name)
    elif entry == "eppgbm":
        from geo.io.eppgbm import read_eppgbm
        from geo.io.eppgbm_aggregate import aggregate, match_villages
        from geo.io.eppgbm_result import write_safe_csv

        records = read_eppgbm(path, today=TODAY)
        match = match_villages(records, seeds.gdf)
        result = aggregate(records, match=match)
        write_safe_csv(result.villages, path.with_suffix(".out.csv"))
        json.dumps({**result.report.to_dict(), "match": match.to_dict()}, ensure_ascii=False)
    elif entry == "previous_list":
        from geo.decide.continuity import read_previous_list

        read_previous_list(path, seeds.villages)
    elif entry == "mapping":
        from geo.data.loading import load_mapping
        from geo.io import schema
        from geo.io.boundaries import read_boundaries

        mapping = load_mapping(path)
        read_boundaries(seeds.small_geojson, overrides=mapping.get("boundary_columns") or None)
        schema.detect_columns(seeds.table_columns, schema.TABLE_ROLES, mapping.get("table_columns"))
    elif entry == "scenario":
        from geo.export.scenario import export_json, read_scenario_json
        from geo.scoring.config import ScoringConfig

        doc = read_scenario_json(path)
        out = export_json(doc.config, doc.chosen, dataset_id=doc.dataset_id, name=doc.name,
                          notes=doc.notes, author=doc.author, created_at=doc.created_at or None)

        def strict(name: str) -> None:
            raise AssertionError(f"non-strict JSON written back: {name}")

        again = json.loads(out, parse_constant=strict)
        if ScoringConfig.from_dict(again["config"]) != doc.config:
            raise AssertionError("scenario config does not round-trip")
    else:
        raise ValueError(f"unknown entry point {entry!r}")


@dataclass
class Outcome:
    """What one input did."""

    entry: str
    index: int
    status: str  # "input_error" | "accepted" | "unhandled" | "timeout"
    seconds: float
    error: str = ""
    detail: str = ""


def run_one(entry: str, index: int, seed: int, seeds: Seeds,
            on_start: Callable[[], None] | None = None) -> Outcome:
    """Generate input ``index`` of ``entry``, read it, and classify the outcome.

    ``on_start`` is called when the input is written and reading starts (the pool times
    the reading only, not the generation of the input).
    """
    data, suffix = make_input(entry, index, seed, seeds)
    folder = Path(tempfile.mkdtemp(prefix=f"{entry}-", dir=seeds.workdir))
    path = folder / f"input_{index}{suffix}"
    path.write_bytes(data)
    if on_start is not None:
        on_start()
    start = time.perf_counter()
    try:
        _run(entry, path, seeds)
        status, error, detail = "accepted", "", ""
    except InputError as exc:
        status, error, detail = "input_error", "InputError", str(exc)[:300]
    except Exception as exc:  # the bug this harness hunts
        status, error, detail = "unhandled", type(exc).__name__, traceback.format_exc()
    finally:
        seconds = time.perf_counter() - start
        for child in sorted(folder.rglob("*"), reverse=True):
            (child.rmdir if child.is_dir() else child.unlink)()
        folder.rmdir()
    return Outcome(entry, index, status, seconds, error, detail)


# --------------------------------------------------------------------------- pool

_SEEDS: Seeds | None = None


def _worker(conn: Connection, seed: int) -> None:
    warnings.simplefilter("ignore")  # library warnings are not outcomes
    os.environ.setdefault("CPL_LOG", os.devnull)
    assert _SEEDS is not None
    while True:
        task = conn.recv()
        if task is None:
            return
        conn.send(run_one(task[0], task[1], seed, _SEEDS, on_start=lambda: conn.send("started")))


@dataclass
class EntryStats:
    """Figures of one entry point."""

    inputs: int = 0
    input_error: int = 0
    accepted: int = 0
    unhandled: int = 0
    timeout: int = 0
    max_seconds: float = 0.0
    errors: dict[str, int] = field(default_factory=dict)  # unhandled exception type -> count


@dataclass
class FuzzReport:
    """Per-entry figures, the unhandled/timeout outcomes and where their inputs were saved."""

    stats: dict[str, EntryStats]
    failures: list[Outcome]
    out_dir: Path
    seconds: float

    def table(self) -> str:
        """The figures as a plain-text table."""
        head = f"{'entry point':<20} {'inputs':>7} {'InputError':>10} {'accepted':>8} {'unhandled':>9} " \
               f"{'> timeout':>9} {'max s':>6}"
        lines = [head, "-" * len(head)]
        total = EntryStats()
        for entry, s in self.stats.items():
            lines.append(f"{entry:<20} {s.inputs:>7} {s.input_error:>10} {s.accepted:>8} {s.unhandled:>9} "
                         f"{s.timeout:>9} {s.max_seconds:>6.1f}")
            for name in ("inputs", "input_error", "accepted", "unhandled", "timeout"):
                setattr(total, name, getattr(total, name) + getattr(s, name))
            total.max_seconds = max(total.max_seconds, s.max_seconds)
        lines.append("-" * len(head))
        lines.append(f"{'total':<20} {total.inputs:>7} {total.input_error:>10} {total.accepted:>8} "
                     f"{total.unhandled:>9} {total.timeout:>9} {total.max_seconds:>6.1f}")
        for entry, s in self.stats.items():
            if s.errors:
                lines.append(f"  {entry}: " + ", ".join(f"{k} ×{v}" for k, v in sorted(s.errors.items())))
        return "\n".join(lines)


def run_fuzz(entries: Sequence[str] = ENTRY_POINTS, *, count: int = 10_000, seed: int = 2024, jobs: int = 2,
             timeout: float = 30.0, out_dir: Path | None = None,
             progress: Callable[[str], None] | None = None) -> FuzzReport:
    """Run ``count`` mutated inputs per entry point in ``jobs`` worker processes.

    Parameters
    ----------
    entries
        Entry points (names of :data:`ENTRY_POINTS`).
    count
        Inputs per entry point.
    seed
        Seed of the mutations; input ``i`` of an entry point depends only on
        ``(seed, entry, i)``.
    jobs
        Worker processes.
    timeout
        Seconds after which an input's worker is killed and the input counted as slow.
    out_dir
        Where the first :data:`KEEP_FAILURES` unhandled/slow inputs per entry point and
        their tracebacks are written (default: a new temporary folder).
    progress
        Called with a line now and then.
    """
    global _SEEDS
    unknown = sorted(set(entries) - set(ENTRY_POINTS))
    if unknown:
        raise ValueError(f"unknown entry points: {unknown}")
    out_dir = Path(out_dir or tempfile.mkdtemp(prefix="lokus-fuzz-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="lokus-fuzz-work-") as work:
        _SEEDS = build_seeds(Path(work))
        ctx = mp.get_context("fork")  # workers inherit the seeds and the imported libraries
        tasks = [(entry, i) for i in range(count) for entry in entries]
        tasks.reverse()
        stats = {entry: EntryStats() for entry in entries}
        failures: list[Outcome] = []
        kept: dict[tuple[str, str], int] = {}
        workers: list[dict[str, Any]] = []

        def start() -> dict[str, Any]:
            parent, child = ctx.Pipe()
            proc = ctx.Process(target=_worker, args=(child, seed), daemon=True)
            proc.start()
            child.close()
            return {"proc": proc, "conn": parent, "task": None, "since": 0.0, "reading": False}

        def record(outcome: Outcome) -> None:
            s = stats[outcome.entry]
            s.inputs += 1
            s.max_seconds = max(s.max_seconds, outcome.seconds)
            setattr(s, outcome.status, getattr(s, outcome.status) + 1)
            if outcome.status in ("unhandled", "timeout"):
                name = outcome.error or "Timeout"
                s.errors[name] = s.errors.get(name, 0) + 1
                failures.append(outcome)
                key = (outcome.entry, outcome.status)
                if kept.get(key, 0) < KEEP_FAILURES:
                    kept[key] = kept.get(key, 0) + 1
                    assert _SEEDS is not None
                    data, suffix = make_input(outcome.entry, outcome.index, seed, _SEEDS)
                    stem = out_dir / f"{outcome.entry}-{outcome.status}-{outcome.index}"
                    stem.with_suffix(suffix).write_bytes(data)
                    stem.with_suffix(".txt").write_text(
                        f"{outcome.entry} #{outcome.index} (seed {seed}): {outcome.status} "
                        f"after {outcome.seconds:.1f} s\n{outcome.detail}", encoding="utf-8")

        try:
            workers = [start() for _ in range(max(1, jobs))]
            done = 0
            while tasks or any(w["task"] for w in workers):
                for w in workers:
                    if w["task"] is None and tasks:
                        w["task"] = tasks.pop()
                        w["since"], w["reading"] = time.perf_counter(), False
                        w["conn"].send(w["task"])
                busy = [w for w in workers if w["task"] is not None]
                ready = wait([w["conn"] for w in busy], timeout=0.5)
                now = time.perf_counter()
                for i, w in enumerate(workers):
                    if w["task"] is None:
                        continue
                    entry, index = w["task"]
                    if w["conn"] in ready:
                        try:
                            outcome = w["conn"].recv()
                            if outcome == "started":  # generation done: time the reading only
                                w["since"], w["reading"] = time.perf_counter(), True
                                continue
                        except (EOFError, OSError):  # the worker died (a crash in C code)
                            outcome = Outcome(entry, index, "unhandled", now - w["since"], "WorkerCrash",
                                              f"exit code {w['proc'].exitcode}")
                            w["proc"].join(1)
                            workers[i] = w = start()
                    elif now - w["since"] > (timeout if w["reading"] else timeout + GENERATION_GRACE):
                        w["proc"].kill()
                        w["proc"].join(5)
                        outcome = Outcome(entry, index, "timeout", now - w["since"], "Timeout",
                                          f"killed after {timeout:.0f} s")
                        workers[i] = w = start()
                    else:
                        continue
                    w["task"] = None
                    record(outcome)
                    done += 1
                    if progress and done % 500 == 0:
                        progress(f"{done:,} inputs, {time.perf_counter() - began:.0f} s")
        finally:
            for w in workers:
                with contextlib.suppress(OSError):
                    w["conn"].send(None)
            for w in workers:
                w["proc"].join(2)
                if w["proc"].is_alive():
                    w["proc"].kill()
            _SEEDS = None
    return FuzzReport(stats, failures, out_dir, time.perf_counter() - began)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: run and print the table; exit 1 when anything was unhandled or slow."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="inputs per entry point")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--jobs", type=int, default=2, help="worker processes")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per input")
    parser.add_argument("--entry", action="append", choices=ENTRY_POINTS, help="only these entry points")
    parser.add_argument("--out", type=Path, help="folder for failing inputs and tracebacks")
    args = parser.parse_args(argv)
    report = run_fuzz(args.entry or ENTRY_POINTS, count=args.count, seed=args.seed, jobs=args.jobs,
                      timeout=args.timeout, out_dir=args.out,
                      progress=lambda line: print(line, file=sys.stderr, flush=True))
    print(report.table())
    print(f"\n{sum(s.inputs for s in report.stats.values()):,} inputs in {report.seconds:.0f} s; "
          f"failing inputs and tracebacks: {report.out_dir}")
    bad = sum(s.unhandled + s.timeout for s in report.stats.values())
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
