"""Upload wizard and dataset switching glue, called as plain functions."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from callbacks.datasets import picker_options, switch_outputs
from callbacks.errors import guarded
from callbacks.upload import (
    _inputs,
    adopt,
    columns_step,
    overrides,
    receive,
    report,
    upload_folder,
    upload_paths,
)
from geo.core.errors import InputError
from geo.data.library import save_dataset, validate_dataset
from geo.io.eppgbm_synthetic import synthetic_export
from geo.view.registry import Registry
from tests.upload_files import write_kecamatan

MB = 1024 * 1024


def store_file(up: Path, state: dict | None, kind: str, path: Path, name: str, limit: int) -> dict:
    """What the browser does: stream the file to the server, then report it to the callback."""
    uid, stored = receive(up, (state or {}).get("id"), kind, io.BytesIO(path.read_bytes()), name, limit)
    return adopt(state, {"id": uid, "kind": kind, "name": stored})


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    return write_kecamatan(tmp_path / "in")


def test_store_file_keeps_only_an_id_and_names(tmp_path: Path, files) -> None:
    geojson, csv = files
    up = tmp_path / "uploads"
    state = store_file(up, None, "boundaries", geojson, "../../batas_wado.geojson", MB)
    state = store_file(up, state, "table", csv, "tabel_wado.csv", MB)
    assert set(state) == {"id", "boundaries", "table"}
    assert state["boundaries"] == "batas_wado.geojson"  # no path parts survive
    paths = upload_paths(up, state)
    assert paths["table"].read_bytes() == csv.read_bytes()
    assert paths["boundaries"].parent.parent == up / state["id"]
    # an e-PPGBM export replaces the table (exactly one source of counts)
    state = store_file(up, state, "eppgbm", csv, "ekspor.csv", MB)
    assert "table" not in state and set(upload_paths(up, state)) == {"boundaries", "eppgbm"}


def test_tampered_upload_id_is_ignored(tmp_path: Path, files) -> None:
    geojson, _ = files
    up = tmp_path / "uploads"
    assert upload_folder(up, {"id": "../../etc"}) is None
    assert upload_paths(up, {"id": "../x", "table": "a.csv"}) == {}
    # a forged id in the request starts a fresh folder inside the upload dir
    uid, _ = receive(up, "../../etc", "boundaries", io.BytesIO(geojson.read_bytes()), "b.geojson", MB)
    assert (up / uid / "boundaries" / "b.geojson").is_file()
    with pytest.raises(InputError, match="tidak dikenal"):
        adopt(None, {"id": "../x", "kind": "table", "name": "a.csv"})
    with pytest.raises(InputError, match="tidak dikenal"):
        receive(up, uid, "../../x", io.BytesIO(b"a"), "a.csv", MB)


def test_size_and_extension_limits(tmp_path: Path, files) -> None:
    geojson, csv = files
    up = tmp_path / "uploads"
    with pytest.raises(InputError, match="lebih besar dari batas"):
        store_file(up, None, "boundaries", geojson, "b.geojson", 1000)
    with pytest.raises(InputError, match=r"tidak didukung.*\.csv"):
        store_file(up, None, "table", csv, "tabel.exe", MB)
    # nothing half-written is left behind by the rejected uploads
    assert [p for p in up.rglob("*") if p.is_file()] == []


def test_columns_step_detects_and_overrides(tmp_path: Path, files) -> None:
    geojson, csv = files
    up = tmp_path / "uploads"
    state = store_file(up, None, "boundaries", geojson, geojson.name, MB)
    state = store_file(up, state, "table", csv, csv.name, MB)
    columns, preview = columns_step(upload_paths(up, state))
    assert len(columns) == 2 and len(preview) == 1
    assert "32.11.01.2001" in str(preview[0])
    role_ids = [{"file": "table", "role": "kode"}, {"file": "table", "role": "tahun"},
                {"file": "boundaries", "role": "kode"}]
    assert overrides(role_ids, ["kode", None, "kode"], "table") == {"kode": "kode"}
    assert overrides(role_ids, [None, None, None], "table") is None
    dataset = validate_dataset(tmp_path / "ds", **_inputs(up, state, role_ids, ["kode", "tahun", "kode"]))
    assert "Data valid: 10 desa" in str(report(dataset))


def test_bad_boundary_file_is_named(tmp_path: Path) -> None:
    junk = tmp_path / "acak.geojson"
    junk.write_bytes(bytes(range(256)) * 20)
    state = store_file(tmp_path / "up", None, "boundaries", junk, junk.name, MB)
    with pytest.raises(InputError, match=r"acak\.geojson"):
        columns_step(upload_paths(tmp_path / "up", state))
    message = guarded(lambda: _inputs(tmp_path / "up", state, [], []))
    assert "tabel desa" in str(message)


def test_eppgbm_upload_has_no_preview(tmp_path: Path, files) -> None:
    geojson, csv = files
    villages = pd.read_csv(csv, dtype=str).drop_duplicates("nama_desa")[["nama_kec", "nama_desa"]]
    export = tmp_path / "ekspor.csv"
    synthetic_export(300, seed=1, villages=villages, start=date(2024, 1, 1),
                     months=2).to_csv(export, sep=";", index=False)
    up = tmp_path / "uploads"
    state = store_file(up, None, "boundaries", geojson, geojson.name, MB)
    state = store_file(up, state, "eppgbm", export, export.name, MB)
    _columns, preview = columns_step(upload_paths(up, state))
    assert "SINTETIS" not in str(preview) and "privasi" in str(preview)
    dataset = validate_dataset(tmp_path / "ds", **_inputs(up, state, [], []))
    assert dataset.years == [2024]


def test_switch_outputs_follow_the_dataset(tmp_path: Path, files, data_dir: Path) -> None:
    geojson, csv = files
    root = tmp_path / "datasets"
    save_dataset(root, "Wado", boundaries=geojson, table=csv, data_dir=data_dir)
    registry = Registry(data_dir, extra_roots=[root])
    labels = {o["value"]: o["label"] for o in picker_options(registry)}
    assert list(labels) == ["sumedang", "wado"] and labels["wado"] == "Wado (unggahan)"
    out = switch_outputs(registry, "wado")
    figure, kec_options = out[0], out[7]
    assert len(figure.data[0].locations) == 10
    assert [o["label"] for o in kec_options] == ["Wado"]
    assert out[6] == 2021 and out[15] == {"in": {}, "out": {}} and out[17] is None
    big = switch_outputs(registry, "sumedang")
    assert len(big[0].data[0].locations) == 277


def test_match_review_rows_and_decisions(tmp_path: Path, files) -> None:
    from callbacks.upload import check_step, decisions_frame, review_rows
    from geo.data.library import name_review, save_decisions
    from layouts.upload import NOT_ON_MAP

    geojson, csv = files
    villages = pd.read_csv(csv, dtype=str).drop_duplicates("nama_desa")[["nama_kec", "nama_desa"]]
    villages.loc[villages["nama_desa"] == "CIMUNGKAL", "nama_desa"] = "CIMUNGKL"
    villages.loc[villages["nama_desa"] == "SUKAPURA", "nama_desa"] = "ANTAH BERANTAH"
    export = tmp_path / "ekspor.csv"
    synthetic_export(400, seed=2, villages=villages, start=date(2024, 1, 1),
                     months=2).to_csv(export, sep=";", index=False)
    up = tmp_path / "uploads"
    state = store_file(up, None, "boundaries", geojson, geojson.name, MB)
    state = store_file(up, state, "eppgbm", export, export.name, MB)
    inputs = _inputs(up, state, [], [], tmp_path / "cw")
    assert inputs["crosswalk"].name == "crosswalk_32.11.csv"

    match, bnd = name_review(tmp_path / "d", **inputs)
    rows = {r["desa"]: r for r in review_rows(match, bnd)}
    assert set(rows) == {"CIMUNGKL", "ANTAH BERANTAH"}
    fuzzy = rows["CIMUNGKL"]
    assert fuzzy["options"][0]["value"] == "32.11.01.2001"  # best candidate first
    assert len(fuzzy["options"]) == 11  # the 10 villages of Wado + "not on the map"
    assert fuzzy["options"][-1]["value"] == NOT_ON_MAP

    pick_ids = [{"kec": r["kecamatan"] or "", "desa": d} for d, r in rows.items()]
    picks = ["32.11.01.2001" if d == "CIMUNGKL" else NOT_ON_MAP for d in rows]
    decisions = decisions_frame(pick_ids, picks)
    assert decisions["kode"].isna().sum() == 1
    save_decisions(match, decisions, inputs["crosswalk"], decided_by="uji")
    outcome, review = check_step({**inputs, "root": tmp_path / "ds", "data_dir": None})
    assert "Data valid" in str(outcome)
    assert "Tidak ada pasangan yang perlu diperiksa" in str(review)


def test_zipped_shapefile_columns(tmp_path: Path, files) -> None:
    import zipfile

    import geopandas as gpd

    from callbacks.upload import boundary_fields

    geojson, _csv = files
    gpd.read_file(geojson).to_file(tmp_path / "desa.shp")
    with zipfile.ZipFile(tmp_path / "desa.zip", "w") as archive:
        for part in tmp_path.glob("desa.*"):
            if part.suffix != ".zip":
                archive.write(part, part.name)
    assert {"kode", "nama", "nama_kec"} <= set(boundary_fields(tmp_path / "desa.zip"))


def test_upload_route_streams_to_disk_with_limits(tmp_path: Path, files, monkeypatch) -> None:
    from app import create_app

    geojson, _ = files
    app = create_app(database_url=f"sqlite:///{tmp_path}/t.db", state_dir=tmp_path / "state",
                     max_upload_mb=1)
    client = app.server.test_client()
    body = geojson.read_bytes()
    ok = client.post("/_lokus/unggah?kind=boundaries&name=../batas%20wado.geojson", data=body)
    assert ok.status_code == 200
    reply = ok.get_json()
    assert reply["name"] == "batas_wado.geojson" and reply["kind"] == "boundaries"
    stored = tmp_path / "state" / "uploads" / reply["id"] / "boundaries" / "batas_wado.geojson"
    assert stored.read_bytes() == body
    # a second file joins the same upload folder
    again = client.post(f"/_lokus/unggah?kind=table&id={reply['id']}&name=t.csv", data=b"kode\n1\n")
    assert again.get_json()["id"] == reply["id"]

    big = client.post("/_lokus/unggah?kind=table&name=besar.csv", data=b"x" * (1024 * 1024 + 1))
    assert big.status_code == 413 and "besar.csv" in big.get_json()["error"]
    wrong = client.post("/_lokus/unggah?kind=table&name=skrip.exe", data=b"x")
    assert wrong.status_code == 400 and "skrip.exe" in wrong.get_json()["error"]


def test_coverage_upload_is_previewed_and_joined(tmp_path: Path, files, data_dir: Path) -> None:
    geojson, csv = files
    coverage = pd.read_csv(data_dir / "sumedang" / "cakupan_sintetis_2019_2021.csv", dtype=str)
    cov = tmp_path / "cakupan.csv"
    coverage[coverage["kode"].str.startswith("32.11.01.")].to_csv(cov, index=False)
    up = tmp_path / "uploads"
    state = store_file(up, None, "boundaries", geojson, geojson.name, MB)
    state = store_file(up, state, "table", csv, csv.name, MB)
    state = store_file(up, state, "coverage", cov, cov.name, MB)
    _columns, preview = columns_step(upload_paths(up, state))
    assert "Cakupan intervensi" in str(preview)
    dataset = validate_dataset(tmp_path / "ds", **_inputs(up, state, [], []))
    assert any(i.kind == "coverage" for i in dataset.indicators)
    assert dataset.coverage_reports[0].n_matched == 10


def test_wizard_and_messages_in_english(tmp_path: Path, files) -> None:
    from layouts.upload import upload_panel

    english = str(upload_panel(MB, "en"))
    assert "Upload your own data" in english and "Save dataset" in english
    assert "Choose file…" in english and "1 MB limit" in english
    for word in ("Unggah", "Simpan", "Periksa", "Pilih berkas", "Berkas '"):
        assert word not in english, word
    geojson, csv = files
    up = tmp_path / "uploads"
    with pytest.raises(InputError) as err:
        store_file(up, None, "table", csv, "tabel.exe", MB)
    assert err.value.render("en") == "File 'tabel.exe': file type not supported; use .csv, .xlsx"
    assert str(err.value) == "Berkas 'tabel.exe': jenis berkas tidak didukung; gunakan .csv, .xlsx"
    state = store_file(up, None, "boundaries", geojson, geojson.name, MB)
    columns, _ = columns_step(upload_paths(up, state), "en")
    assert "Village code (Kemendagri)" in str(columns) and "Boundary columns" in str(columns)
