"""Broken and hostile files: named messages, never an unhandled exception or a hang.

Targeted regressions (each reproduced first) and the mutation harness of
``bench/fuzz_inputs.py`` run with a small count per entry point.
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import CRS

from bench.fuzz_inputs import ENTRY_POINTS, run_fuzz
from geo.core.errors import InputError
from geo.core.messages import render_all
from geo.data.library import STAGING_MAX_AGE_S, clean_staging
from geo.data.loading import load_dataset, load_mapping
from geo.export.scenario import export_json, read_scenario_json
from geo.io import boundaries, schema
from geo.io.boundaries import read_boundaries
from geo.scoring.config import PRESETS, ScoringConfig
from geo.scoring.pipeline import run_scoring
from geo.scoring.presets import preset_config

ROOT = Path(__file__).resolve().parents[2]
SUMEDANG = ROOT / "data" / "sumedang" / "sumedang_desa_kel_2025.geojson"
#: Inputs per entry point in CI (the full run: ``bench/fuzz_inputs.py --count 10000``).
FUZZ_COUNT = int(os.environ.get("LOKUS_FUZZ_COUNT", "50"))


@pytest.fixture(scope="module")
def small(sumedang_gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return sumedang_gdf[["kode", "nama", "nama_kec", "geometry"]].head(8).reset_index(drop=True)


def write_geojson(path: Path, doc: dict) -> Path:
    path.write_text(json.dumps(doc), encoding="utf-8")  # NaN/Infinity as JavaScript writes them
    return path


# --------------------------------------------------------------------------- mapping JSON


def test_mapping_unknown_role_is_named(tmp_path: Path) -> None:
    path = tmp_path / "map.json"
    path.write_text(json.dumps({"boundary_columns": {"kode": "KDEPUM", "desa_xx": "NAMOBJ"}}))
    with pytest.raises(InputError) as info:
        load_mapping(path)
    err = info.value
    assert err.key == "input.mapping.unknown_role" and err.file == "map.json"
    assert "desa_xx" in str(err) and all(role in str(err) for role in schema.BOUNDARY_ROLES)
    assert "unknown" in err.render("en")


def test_mapping_roles_read_at_call_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "map.json"
    path.write_text(json.dumps({"table_columns": {"populasi": "Jumlah Balita"}}))
    with pytest.raises(InputError, match="populasi"):
        load_mapping(path)
    monkeypatch.setattr(schema, "TABLE_ROLES", {**schema.TABLE_ROLES, "populasi": ("populasi",)})
    assert load_mapping(path)["table_columns"] == {"populasi": "Jumlah Balita"}


@pytest.mark.parametrize("column", [None, 12, "", ["kode"], "x" * 600])
def test_mapping_column_must_be_text(tmp_path: Path, column: object) -> None:
    path = tmp_path / "map.json"
    path.write_text(json.dumps({"boundary_columns": {"kode": column}}))
    with pytest.raises(InputError) as info:
        load_mapping(path)
    assert info.value.key == "input.mapping.bad_column"


# --------------------------------------------------------------------------- boundaries


def test_nan_and_inf_coordinates_excluded_and_counted(tmp_path: Path, small: gpd.GeoDataFrame) -> None:
    doc = json.loads(small.to_json())
    doc["features"][1]["geometry"]["coordinates"][0][0][2] = [math.nan, -6.9]
    doc["features"][4]["geometry"]["coordinates"][0][0][3][0] = math.inf
    doc["features"][6]["geometry"]["coordinates"][0][0][0][0] = math.inf  # ring no longer closed
    path = write_geojson(tmp_path / "nan.geojson", doc)
    result = read_boundaries(path)
    assert result.nonfinite_dropped == [small.loc[1, "kode"], small.loc[4, "kode"]]
    assert result.empty_dropped == [small.loc[6, "kode"]]
    assert len(result.gdf) == 5 and result.gdf.is_valid.all()
    assert any("NaN/Inf" in w for w in render_all(result.warnings))


def test_only_nan_coordinates_refused(tmp_path: Path, small: gpd.GeoDataFrame) -> None:
    doc = json.loads(small.head(2).to_json())
    for feature in doc["features"]:
        feature["geometry"]["coordinates"][0][0][1] = [math.nan, math.nan]
    with pytest.raises(InputError) as info:
        read_boundaries(write_geojson(tmp_path / "nan.geojson", doc))
    assert info.value.key == "input.boundary.nonfinite_all"


def test_corrupt_deflate_stream_in_zip(tmp_path: Path, small: gpd.GeoDataFrame) -> None:
    folder = tmp_path / "shp"
    folder.mkdir()
    small.to_file(folder / "desa.shp", engine="pyogrio")
    archive = tmp_path / "desa.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.iterdir()):
            zf.write(path, path.name)
    raw = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as zf:
        info = zf.getinfo("desa.shp")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for i in range(8, 40):
        raw[start + i] ^= 0xFF  # break the deflate data, keep the directory intact
    archive.write_bytes(bytes(raw))
    with pytest.raises(InputError) as err:
        read_boundaries(archive)
    assert err.value.file == "desa.zip"
    assert err.value.key in {"input.boundary.zip_corrupt", "input.zip.broken"}  # zlib.error or a CRC error
    assert "zip" in str(err.value)


def test_wrong_utm_zone_in_prj_is_refused(tmp_path: Path, small: gpd.GeoDataFrame) -> None:
    small.to_crs(32749).to_file(tmp_path / "desa.shp", engine="pyogrio")
    (tmp_path / "desa.prj").write_text(CRS.from_epsg(32748).to_wkt("WKT1_ESRI"))
    with pytest.raises(InputError) as info:
        read_boundaries(tmp_path / "desa.shp")
    assert info.value.key == "input.boundary.province"
    assert "EPSG:32748" in str(info.value) and "UTM" in str(info.value)
    # the right zone reads fine
    (tmp_path / "desa.prj").write_text(CRS.from_epsg(32749).to_wkt("WKT1_ESRI"))
    assert len(read_boundaries(tmp_path / "desa.shp").gdf) == 8


def test_projected_crs_with_degree_coordinates_refused(tmp_path: Path, small: gpd.GeoDataFrame) -> None:
    doc = json.loads(small.to_json())
    doc["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32749"}}
    with pytest.raises(InputError) as info:
        read_boundaries(write_geojson(tmp_path / "deg.geojson", doc))
    assert info.value.key == "input.boundary.crs_degrees"
    assert "does not fit" in info.value.render("en")


def test_features_outside_indonesia_excluded_or_refused(tmp_path: Path, small: gpd.GeoDataFrame) -> None:
    moved = small.copy()
    moved.loc[0, "geometry"] = shapely.affinity.translate(moved.geometry.iloc[0], xoff=-100)
    result = read_boundaries(write_geojson(tmp_path / "one.geojson", json.loads(moved.to_json())))
    assert result.outside_dropped == [small.loc[0, "kode"]] and len(result.gdf) == 7
    everything = small.set_geometry(small.geometry.translate(xoff=-100))
    with pytest.raises(InputError) as info:
        read_boundaries(write_geojson(tmp_path / "all.geojson", json.loads(everything.to_json())))
    assert info.value.key == "input.boundary.outside_all"


def test_limits_on_features_and_vertices(tmp_path: Path, small: gpd.GeoDataFrame,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_geojson(tmp_path / "b.geojson", json.loads(small.to_json()))
    monkeypatch.setattr(boundaries, "MAX_FEATURES", 5)
    with pytest.raises(InputError) as info:
        read_boundaries(path)
    assert info.value.key == "input.boundary.too_many_features"
    monkeypatch.setattr(boundaries, "MAX_FEATURES", 1000)
    monkeypatch.setattr(boundaries, "MAX_VERTICES", 100)
    with pytest.raises(InputError) as info:
        read_boundaries(path)
    assert info.value.key == "input.boundary.too_many_vertices"
    monkeypatch.setattr(boundaries, "MAX_VERTICES", 10**9)
    monkeypatch.setattr(boundaries, "MAX_FEATURE_VERTICES", 10)
    with pytest.raises(InputError) as info:
        read_boundaries(path)
    assert info.value.key == "input.boundary.feature_too_many_vertices"


def test_degenerate_and_tangled_features_are_quick(tmp_path: Path, small: gpd.GeoDataFrame) -> None:
    rng = np.random.default_rng(1)
    flat = [[108.0 + i * 1e-7, -6.9] for i in range(20_000)] + [[108.0, -6.9]]
    doc = json.loads(small.to_json())
    for i in range(10):
        scribble = (rng.random((3000, 2)) * 0.01 + [108.0, -6.9]).tolist()  # minutes for make_valid
        ring = flat if i % 2 else [*scribble, scribble[0]]
        doc["features"].append({"type": "Feature", "properties": {"kode": f"32.11.09.{2001 + i}"},
                                "geometry": {"type": "Polygon", "coordinates": [ring]}})
    start = time.perf_counter()
    result = read_boundaries(write_geojson(tmp_path / "flat.geojson", doc))
    assert time.perf_counter() - start < 10
    assert len(result.gdf) == 8 and len(result.empty_dropped) == 10
    assert any("kusut" in w for w in render_all(result.warnings))


# --------------------------------------------------------------------------- exclaves


A, B, C = "32.11.01.2001", "32.11.01.2002", "32.11.02.2001"


def _square(x: float) -> list:
    return [[[x, -6.9], [x + 0.01, -6.9], [x + 0.01, -6.89], [x, -6.89], [x, -6.9]]]


def exclave_file(folder: Path, second_name: str) -> Path:
    """A and B side by side, an exclave of A further east, and C."""
    rows = [(A, "Sukamaju", 107.90), (B, "Cibeureum", 107.91), (A, second_name, 107.95),
            (C, "Mekarsari", 107.97)]
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"kode": code, "nama": name, "nama_kec": "Satu"},
         "geometry": {"type": "Polygon", "coordinates": _square(x)}} for code, name, x in rows]}
    return write_geojson(folder / "desa.geojson", doc)


def test_exclave_dissolved_into_one_multipolygon(tmp_path: Path) -> None:
    result = read_boundaries(exclave_file(tmp_path, "SUKAMAJU "))  # same name up to case/space
    gdf = result.gdf
    assert gdf["kode"].tolist() == [A, B, C]
    assert result.dissolved_codes == [A] and result.conflicting_codes == []
    assert len(gdf.geometry.iloc[0].geoms) == 2
    assert gdf.geometry.iloc[0].area == pytest.approx(2e-4)
    assert any(A in w and "enklave" in w for w in render_all(result.warnings))


def test_one_code_two_village_names_excluded_and_listed(tmp_path: Path) -> None:
    result = read_boundaries(exclave_file(tmp_path, "Desa Lain"))
    assert result.gdf["kode"].tolist() == [B, C]
    assert result.conflicting_codes == [A] and result.duplicate_codes == [A]
    assert any(A in w for w in render_all(result.warnings))


def test_scoring_works_on_boundaries_with_an_exclave(tmp_path: Path) -> None:
    boundaries = exclave_file(tmp_path, "Sukamaju")
    lines = ["kode,tahun,merah,hijau,ibu_hamil,ibu_hamil_kek"]
    for year in (2020, 2021):
        for i, code in enumerate((A, B, C)):
            lines.append(f"{code},{year},{3 + i + year % 2},{60 + 5 * i},10,{i}")
    table = tmp_path / "jumlah.csv"
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    dataset = load_dataset(boundaries, table, dataset_id="exclave", title="Enklave")
    assert dataset.villages["kode"].is_unique and len(dataset.villages) == 3
    for name in PRESETS:
        try:
            config = preset_config(dataset, name, draws=50)
        except InputError:
            continue  # a preset whose indicators this small table lacks
        result = run_scoring(dataset, config)
        assert sorted(result.table["kode"]) == [A, B, C]
        break
    else:
        pytest.fail("no preset could score the dataset")


# --------------------------------------------------------------------------- scenario JSON


@pytest.fixture(scope="module")
def scenario_doc() -> dict:
    config = ScoringConfig(year=2021, indicators=("rasio_merah", "merah"),
                           weights={"rasio_merah": 0.5, "merah": 0.5}, top_n=3)
    return json.loads(export_json(config, [("32.11.01.2001", "skor")], dataset_id="sumedang",
                                  created_at="2026-01-05T08:00:00+00:00"))


@pytest.mark.parametrize(("path", "value", "key"), [
    (("config", "weights", "merah"), math.inf, "input.scenario.not_finite"),
    (("config", "weights", "merah"), math.nan, "input.scenario.not_finite"),
    (("config", "weights", "merah"), 1e308, "input.scenario.huge_number"),
    (("config", "weights", "merah"), -1, "input.scenario.number"),
    (("config", "weights", "merah"), "0.5", "input.scenario.number"),
    (("config", "draws"), 10**9, "input.scenario.integer"),
    (("config", "draws"), 2.5, "input.scenario.integer"),
    (("config", "draws"), 1e308, "input.scenario.huge_number"),
    (("config", "top_n"), -3, "input.scenario.integer"),
    (("config", "top_n"), True, "input.scenario.integer"),
    (("config", "year"), 20210, "input.scenario.integer"),
    (("config", "year"), "2021", "input.scenario.integer"),
    (("config", "min_n"), math.inf, "input.scenario.not_finite"),
    (("config", "seed"), -1, "input.scenario.integer"),
    (("config", "weight_cv"), 50.0, "input.scenario.number"),
    (("config", "ahp_cr"), -0.1, "input.scenario.number"),
    (("config", "max_per_kecamatan"), 0, "input.scenario.integer"),
    (("config", "hotspot_criterion"), "ya", "input.scenario.boolean"),
    (("chosen",), [{"kode": 5}], "input.scenario.chosen_row"),
    (("chosen",), ["32.11.01.2001", "32.11.01.2001"], "input.scenario.chosen_duplicate"),
    (("plan",), [{"kode": "x", "kegiatan": "y", "anggaran": -5}], "input.scenario.number"),
])
def test_scenario_numbers_checked(scenario_doc: dict, tmp_path: Path, path: tuple, value: object,
                                  key: str) -> None:
    doc = json.loads(json.dumps(scenario_doc))
    target = doc
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    file = tmp_path / "skenario.json"
    file.write_text(json.dumps(doc))  # json writes NaN/Infinity for non-finite floats
    with pytest.raises(InputError) as info:
        read_scenario_json(file)
    assert info.value.key == key and info.value.file == "skenario.json"


def test_scenario_round_trip_and_bounds(scenario_doc: dict) -> None:
    doc = read_scenario_json(json.dumps(scenario_doc).encode())
    assert doc.config.draws == 1000 and doc.chosen == [("32.11.01.2001", "skor")]
    with pytest.raises(InputError) as info:
        read_scenario_json(b"[" * 100_000 + b"]" * 100_000)
    assert info.value.key in {"input.scenario.not_json", "input.scenario.too_deep"}
    many = {**scenario_doc, "chosen": [f"k{i}" for i in range(100_001)]}
    with pytest.raises(InputError) as info:
        read_scenario_json(many)
    assert info.value.key == "input.scenario.too_many"


def test_export_json_never_writes_nan() -> None:
    config = ScoringConfig(year=2021, indicators=("merah",), weights={"merah": 1.0})
    object.__setattr__(config, "weight_cv", math.inf)  # as a config built before validation existed
    with pytest.raises(InputError) as info:
        export_json(config, [], dataset_id="x")
    assert info.value.key == "input.scenario.not_finite"


# --------------------------------------------------------------------------- staging leftovers


@pytest.mark.slow
def test_killed_save_leaves_staging_that_start_up_removes(tmp_path: Path) -> None:
    root = tmp_path / "datasets"
    code = f"""
import os, signal, sys
sys.path.insert(0, {str(ROOT)!r})
import geo.data.library as d
def killed(*a, **k):
    os.kill(os.getpid(), signal.SIGKILL)  # the process dies midway, as under a crash or OOM
d.load_folder = killed
d.save_dataset({str(root)!r}, "uji", boundaries={str(SUMEDANG)!r},
               table={str(ROOT / "data" / "sumedang" / "sumedang_stunting_posyandu_2019_2021.csv")!r})
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL
    left = [p.name for p in root.iterdir() if p.name.startswith(".tmp-")]
    assert len(left) == 1 and any((root / left[0]).iterdir())
    assert clean_staging(root) == []  # young: may be a save still running in another worker
    assert clean_staging(root, now=time.time() + STAGING_MAX_AGE_S + 1) == left
    assert not any(root.iterdir())


def test_create_app_cleans_staging(tmp_path: Path) -> None:
    from app import create_app

    root = tmp_path / "state" / "datasets"
    stale, fresh, saved = root / ".tmp-stale", root / ".del-fresh", root / "saved"
    for folder in (stale, fresh, saved):
        folder.mkdir(parents=True)
        (folder / "x.csv").write_text("x")
    old = time.time() - STAGING_MAX_AGE_S - 60
    os.utime(stale, (old, old))
    create_app(database_url=f"sqlite:///{tmp_path}/t.db", state_dir=tmp_path / "state")
    assert not stale.exists() and fresh.exists() and saved.exists()


# --------------------------------------------------------------------------- mutation harness

@pytest.mark.slow
def test_fuzz_no_unhandled_exception_no_hang(tmp_path: Path) -> None:
    """Every entry point: each mutated input ends in a named InputError or is accepted,
    within 30 s. One run for all entry points (a per-entry test would run the harness once
    per test worker); the message names every entry point that failed."""
    report = run_fuzz(count=FUZZ_COUNT, seed=2024, jobs=2, timeout=30.0, out_dir=tmp_path / "fuzz")
    assert sorted(report.stats) == sorted(ENTRY_POINTS)
    problems = []
    for entry, stats in report.stats.items():
        failures = [f"{f.error}: {f.detail.strip().splitlines()[-1] if f.detail else ''}"
                    for f in report.failures if f.entry == entry][:3]
        if stats.inputs != FUZZ_COUNT or stats.unhandled or stats.timeout \
                or stats.input_error + stats.accepted != stats.inputs:
            problems.append(f"{entry}: {stats.inputs} inputs, {stats.unhandled} unhandled, "
                            f"{stats.timeout} over 30 s, e.g. {failures}")
    assert not problems, "\n".join(problems) + f"\ninputs saved in {report.out_dir}"
