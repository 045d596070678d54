"""Saving, listing and deleting user datasets; the registry over several roots."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.core.errors import InputError
from geo.core.messages import render_all
from geo.data.library import (
    EPPGBM_TABLE,
    check_id,
    delete_dataset,
    list_datasets,
    safe_id,
    save_dataset,
    validate_dataset,
)
from geo.io.eppgbm_synthetic import synthetic_export
from geo.view.registry import Registry
from tests.upload_files import write_kecamatan


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    return write_kecamatan(tmp_path / "in")


def _leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


def test_safe_id_and_check_id() -> None:
    assert safe_id("Kab. Garut 2024 / revisi") == "kab-garut-2024-revisi"
    assert safe_id("../..") == "dataset"
    assert check_id("garut-2024") == "garut-2024"
    for bad in ("../sumedang", "a/b", "..", ".tmp-x", "", "A B", None, "x" * 80):
        with pytest.raises(InputError):
            check_id(bad)


def test_save_list_load_delete(tmp_path: Path, files, data_dir: Path) -> None:
    geojson, csv = files
    root = tmp_path / "datasets"
    dataset_id = save_dataset(root, "Wado uji", boundaries=geojson, table=csv, data_dir=data_dir)
    assert dataset_id == "wado-uji"
    assert _leftovers(root) == ["wado-uji"]  # no staging folder left
    [info] = list_datasets(root)
    assert (info.id, info.title) == ("wado-uji", "Wado uji")

    registry = Registry(data_dir, extra_roots=[root])
    assert registry.ids() == ["sumedang", "wado-uji"]
    dataset = registry.get("wado-uji")
    assert len(dataset.villages) == 10
    assert dataset.years == [2019, 2020, 2021]
    assert not registry.is_embedded("wado-uji") and registry.is_embedded("sumedang")

    delete_dataset(root, "wado-uji")
    assert list_datasets(root) == [] and _leftovers(root) == []
    assert registry.ids() == ["sumedang"]
    with pytest.raises(InputError, match="tidak ditemukan"):
        registry.get("wado-uji")


def test_name_taken_and_reserved(tmp_path: Path, files, data_dir: Path) -> None:
    geojson, csv = files
    root = tmp_path / "datasets"
    save_dataset(root, "wado", boundaries=geojson, table=csv, data_dir=data_dir)
    with pytest.raises(InputError, match="sudah dipakai"):
        save_dataset(root, "WADO", boundaries=geojson, table=csv, data_dir=data_dir)
    with pytest.raises(InputError, match="sudah dipakai"):
        save_dataset(root, "Sumedang", boundaries=geojson, table=csv, data_dir=data_dir)
    assert _leftovers(root) == ["wado"]


def test_failed_validation_leaves_nothing(tmp_path: Path, files, data_dir: Path) -> None:
    geojson, _csv = files
    bad = tmp_path / "in" / "tabel_rusak.csv"
    # unusable as a whole (no number column); a bad cell alone no longer sinks a file
    bad.write_text("kode,tahun,warna\n32.11.01.2001,2024,abc\n", encoding="utf-8")
    root = tmp_path / "datasets"
    with pytest.raises(InputError) as err:
        save_dataset(root, "rusak", boundaries=geojson, table=bad, data_dir=data_dir)
    assert "tabel_rusak.csv" in str(err.value) and "kolom angka" in str(err.value)
    assert _leftovers(root) == []

    junk = tmp_path / "in" / "acak.geojson"
    junk.write_bytes(bytes(range(256)) * 10)
    with pytest.raises(InputError, match=r"acak\.geojson"):
        save_dataset(root, "acak", boundaries=junk, table=_csv, data_dir=data_dir)
    assert _leftovers(root) == []


def test_validate_keeps_nothing(tmp_path: Path, files, data_dir: Path) -> None:
    geojson, csv = files
    root = tmp_path / "datasets"
    dataset = validate_dataset(root, boundaries=geojson, table=csv, data_dir=data_dir)
    assert render_all(dataset.report.summary())
    assert _leftovers(root) == []


def test_column_overrides_are_stored(tmp_path: Path, files, data_dir: Path) -> None:
    geojson, csv = files
    table = pd.read_csv(csv, dtype=str).rename(columns={"kode": "KODE_WIL", "tahun": "thn"})
    renamed = tmp_path / "in" / "tabel_nama_lain.csv"
    table.to_csv(renamed, index=False)
    root = tmp_path / "datasets"
    with pytest.raises(InputError):
        validate_dataset(root, boundaries=geojson, table=renamed, data_dir=data_dir)
    dataset_id = save_dataset(root, "lain", boundaries=geojson, table=renamed, data_dir=data_dir,
                              table_columns={"kode": "KODE_WIL", "tahun": "thn"})
    registry = Registry(data_dir, extra_roots=[root])
    assert registry.get(dataset_id).years == [2019, 2020, 2021]


def test_delete_refuses_default_and_traversal(tmp_path: Path, data_dir: Path) -> None:
    root = tmp_path / "datasets"
    root.mkdir()
    with pytest.raises(InputError, match="bawaan"):
        delete_dataset(root, "sumedang")
    with pytest.raises(InputError, match="tidak sah"):
        delete_dataset(root, "../sumedang")
    (tmp_path / "victim").mkdir()
    (tmp_path / "victim" / "dataset.json").write_text("{}")
    with pytest.raises(InputError):
        delete_dataset(root, "../victim")
    with pytest.raises(InputError, match="tidak ditemukan"):
        delete_dataset(root, "tidak-ada")
    assert (tmp_path / "victim" / "dataset.json").exists()
    assert (data_dir / "sumedang" / "dataset.json").exists()


def test_eppgbm_export_becomes_village_table(tmp_path: Path, files, data_dir: Path) -> None:
    geojson, csv = files
    villages = pd.read_csv(csv, dtype=str).drop_duplicates("nama_desa")[["nama_kec", "nama_desa"]]
    export = synthetic_export(400, seed=3, villages=villages, start=date(2024, 1, 1), months=3)
    path = tmp_path / "in" / "ekspor.csv"
    export.to_csv(path, sep=";", index=False)
    root = tmp_path / "datasets"
    dataset_id = save_dataset(root, "wado eppgbm", boundaries=geojson, eppgbm=path,
                              data_dir=data_dir)
    saved = (root / dataset_id / EPPGBM_TABLE).read_text(encoding="utf-8-sig")
    assert "SINTETIS" not in saved and "NIK" not in saved.upper()  # no names, no NIK
    assert not (root / dataset_id / "ekspor.csv").exists()  # child records not kept
    dataset = Registry(data_dir, extra_roots=[root]).get(dataset_id)
    assert dataset.years == [2024]
    assert "prevalensi" in {i.id for i in dataset.indicators}


def test_table_or_eppgbm_exactly_one(tmp_path: Path, files, data_dir: Path) -> None:
    geojson, csv = files
    with pytest.raises(InputError, match="tepat satu"):
        save_dataset(tmp_path / "d", "x", boundaries=geojson, data_dir=data_dir)
    with pytest.raises(InputError, match="tepat satu"):
        save_dataset(tmp_path / "d", "x", boundaries=geojson, table=csv, eppgbm=csv,
                     data_dir=data_dir)


def test_registry_sees_replaced_folder(tmp_path: Path, files, data_dir: Path) -> None:
    geojson, csv = files
    root = tmp_path / "datasets"
    registry = Registry(data_dir, extra_roots=[root])
    save_dataset(root, "x", boundaries=geojson, table=csv, data_dir=data_dir)
    first = registry.get("x")
    delete_dataset(root, "x")
    table = pd.read_csv(csv, dtype=str)
    table[table["tahun"] == "2020"].to_csv(csv, index=False)
    save_dataset(root, "x", boundaries=geojson, table=csv, data_dir=data_dir)
    assert first.years == [2019, 2020, 2021]
    assert registry.get("x").years == [2020]


def test_match_review_decisions_are_reused(tmp_path: Path, files, data_dir: Path) -> None:
    from geo.data.library import district_crosswalk, name_review, save_decisions

    geojson, csv = files
    villages = pd.read_csv(csv, dtype=str).drop_duplicates("nama_desa")[["nama_kec", "nama_desa"]]
    villages.loc[villages["nama_desa"] == "CIMUNGKAL", "nama_desa"] = "CIMUNGKL"  # typo
    villages.loc[villages["nama_desa"] == "SUKAPURA", "nama_desa"] = "ANTAH BERANTAH"
    export = tmp_path / "ekspor.csv"
    synthetic_export(500, seed=5, villages=villages, start=date(2024, 1, 1),
                     months=2).to_csv(export, sep=";", index=False)
    path = district_crosswalk(tmp_path / "cw", geojson)
    assert path is not None and path.name == "crosswalk_32.11.csv"

    match, bnd = name_review(tmp_path / "d", boundaries=geojson, eppgbm=export, crosswalk=path)
    review = match.review_table()
    assert set(review["desa"]) == {"CIMUNGKL", "ANTAH BERANTAH"}
    assert len(bnd) == 10
    decisions = pd.DataFrame({"kecamatan": review["kecamatan"], "desa": review["desa"],
                              "kode": ["32.11.01.2011" if d == "ANTAH BERANTAH" else "32.11.01.2001"
                                       for d in review["desa"]]})
    save_decisions(match, decisions, path, decided_by="uji")
    again, _ = name_review(tmp_path / "d", boundaries=geojson, eppgbm=export, crosswalk=path)
    assert again.review_table().empty
    assert set(again.pairs.loc[again.pairs["status"] == "crosswalk", "desa"]) == {
        "CIMUNGKL", "ANTAH BERANTAH"}
    # the saved decisions are used when saving the dataset: all 10 villages have data
    dataset_id = save_dataset(tmp_path / "ds", "w", boundaries=geojson, eppgbm=export,
                              data_dir=data_dir, crosswalk=path)
    table = pd.read_csv(tmp_path / "ds" / dataset_id / EPPGBM_TABLE, dtype=str)
    assert table["kode"].nunique() == 10


def test_table_with_bps_codes_is_matched_by_name_and_reviewed(tmp_path: Path, files,
                                                              data_dir: Path) -> None:
    from geo.data.library import CROSSWALK_FILE, district_crosswalk, name_review, save_decisions

    geojson, csv = files
    table = pd.read_csv(csv, dtype=str).drop(columns=["kode"])  # only BPS codes left
    table.loc[table["nama_desa"] == "CIMUNGKAL", "nama_desa"] = "Desa Cimungkl"  # typo + prefix
    table.loc[table["nama_desa"] == "SUKAPURA", "nama_desa"] = "ANTAH BERANTAH"
    bps = tmp_path / "bps.csv"
    table.to_csv(bps, index=False)
    root = tmp_path / "d"

    dataset = validate_dataset(root, boundaries=geojson, table=bps, data_dir=data_dir)
    assert dataset.name_match is not None
    lines = render_all(dataset.report.summary())
    assert "kode BPS" in lines[0]
    statuses = dict(zip(dataset.name_match.pairs["desa"], dataset.name_match.pairs["status"],
                        strict=True))
    assert statuses["Desa Cimungkl"] == "fuzzy" and statuses["ANTAH BERANTAH"] == "unmatched"
    assert statuses["WADO"] == "exact"
    # the unmatched village is reported, not guessed: Sukapura's polygon has no data
    assert "32.11.01.2011" in {p["kode"] for p in dataset.report.polygons_without_data}

    path = district_crosswalk(tmp_path / "cw", geojson)
    match, _ = name_review(root, boundaries=geojson, table=bps, data_dir=data_dir,
                                  crosswalk=path)
    decisions = pd.DataFrame({"kecamatan": ["WADO"], "desa": ["ANTAH BERANTAH"],
                              "kode": ["32.11.01.2011"]})
    save_decisions(match, decisions, path, decided_by="uji")
    dataset_id = save_dataset(root, "bps nama", boundaries=geojson, table=bps, data_dir=data_dir,
                              crosswalk=path)
    saved = Registry(data_dir, extra_roots=[root]).get(dataset_id)
    assert (root / dataset_id / CROSSWALK_FILE).is_file()  # reloads use the same decisions
    assert saved.report.n_matched == 10
    pairs = saved.name_match.pairs.set_index("desa")
    assert pairs.loc["ANTAH BERANTAH", "kode"] == "32.11.01.2011"
    assert pairs.loc["ANTAH BERANTAH", "status"] == "crosswalk"


def test_table_with_codes_is_not_name_matched(tmp_path: Path, files, data_dir: Path) -> None:
    from geo.data.library import name_review

    geojson, csv = files
    assert validate_dataset(tmp_path / "d", boundaries=geojson, table=csv,
                            data_dir=data_dir).name_match is None
    assert name_review(tmp_path / "d", boundaries=geojson, table=csv, data_dir=data_dir) is None


def test_table_without_codes_or_names_is_rejected(tmp_path: Path, files, data_dir: Path) -> None:
    geojson, csv = files
    bare = tmp_path / "bare.csv"
    pd.read_csv(csv, dtype=str).drop(columns=["kode", "nama_desa"]).to_csv(bare, index=False)
    with pytest.raises(InputError, match="nama desa") as err:
        validate_dataset(tmp_path / "d", boundaries=geojson, table=bare, data_dir=data_dir)
    assert "bare.csv" in str(err.value)
    assert _leftovers(tmp_path / "d") == []


def test_stunted_above_measured_is_named_and_shown_as_no_data(tmp_path: Path, files,
                                                              data_dir: Path) -> None:
    geojson, csv = files
    table = pd.read_csv(csv, dtype=str)
    table["balita_diukur"] = "20"
    table["balita_stunting"] = "5"
    table.loc[[1, 4], "balita_stunting"] = "25"  # spreadsheet rows 3 and 6
    bad = tmp_path / "lebih.csv"
    table.to_csv(bad, index=False)
    dataset = validate_dataset(tmp_path / "d", boundaries=geojson, table=bad, data_dir=data_dir)
    note = next(q for q in render_all(dataset.warnings) if "balita_stunting" in q)
    assert "'lebih.csv'" in note and "'balita_diukur'" in note and "baris 3, 6" in note
    import numpy as np

    values = dataset.values("prevalensi", int(table.loc[1, "tahun"])).value
    village = list(dataset.villages["kode"]).index(table.loc[1, "kode"])
    assert np.isnan(values[village])  # shown as no data, not as a rate above 100 %
    assert np.nanmax(values) <= 100


def test_negative_and_non_numeric_counts_are_left_out_and_listed(tmp_path: Path, files,
                                                                 data_dir: Path) -> None:
    # was: the whole table refused for one bad cell; now the cell is left out and listed
    geojson, csv = files
    column = "anak_0_23_merah_terindikasi_stunting"
    for value, reason in (("-3", "negative"), ("dua", "not_number")):
        table = pd.read_csv(csv, dtype=str)
        table.loc[2, column] = value
        path = tmp_path / f"salah_{reason}.csv"
        table.to_csv(path, index=False)
        dataset = validate_dataset(tmp_path / "d", boundaries=geojson, table=path,
                                   data_dir=data_dir)
        issues = dataset.quality_log.issues
        assert issues[["file", "row", "column", "value", "reason", "scope"]].values.tolist() == [
            [path.name, 4, column, value, reason, "cell"]]
        assert dataset.quality_log.files[0].rows_used == len(table)
        cell = dataset.measures.set_index(["kode", "tahun"]).loc[
            (table.loc[2, "kode"], int(table.loc[2, "tahun"])), "merah"]
        assert np.isnan(cell)
        assert not any("pertama" in q for q in render_all(dataset.warnings))
        assert _leftovers(tmp_path / "d") == []


_VILLAGE_HEADERS = ["kode", "kode_bps", "nama_desa", "nama_kec", "tahun", "balita_diukur",
                    "balita_stunting", "anak_0_23_merah_terindikasi_stunting", "ibu_hamil",
                    "ibu_hamil_kek", "catatan"]
_VILLAGE_CELL = st.one_of(
    st.sampled_from(["32.11.01.2001", "3211012001", "3211100004", "CIMUNGKAL", "Wado", "2021",
                     "1.234", "-5", "0", "", "=1+1", "nan", "12,5", "desa cimungkl"]),
    st.text(alphabet="0123456789.,-= abcDESA", max_size=10),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_village_tables_never_crash(tmp_path: Path, files, data_dir: Path,
                                           data: st.DataObject) -> None:
    geojson, _ = files
    headers = data.draw(st.lists(st.sampled_from(_VILLAGE_HEADERS), min_size=1, max_size=8,
                                 unique=True))
    rows = [[data.draw(_VILLAGE_CELL) for _ in headers] for _ in range(data.draw(st.integers(0, 5)))]
    table = tmp_path / "acak.csv"
    table.write_text("\n".join(",".join(r) for r in [headers, *rows]) + "\n", encoding="utf-8")
    root = tmp_path / "d"
    try:
        dataset = validate_dataset(root, boundaries=geojson, table=table, data_dir=data_dir)
    except InputError as err:
        assert "acak.csv" in str(err) or "batas" in str(err)
    else:
        assert len(dataset.villages) == 10
    assert _leftovers(root) == []  # valid or not, nothing is left behind


def test_zip_limit_of_the_settings_reaches_the_upload_path(tmp_path: Path, files, data_dir: Path) -> None:
    import zipfile

    import geopandas as gpd

    geojson, csv = files
    shp = tmp_path / "shp"
    shp.mkdir()
    gpd.read_file(geojson).to_file(shp / "desa.shp")
    archive = tmp_path / "desa.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for part in shp.iterdir():
            zf.write(part, part.name)
    unpacked_mb = sum(p.stat().st_size for p in shp.iterdir()) / 2**20
    root = tmp_path / "datasets"
    # the default limit accepts it; the configured one (LOKUS_MAX_UNZIPPED_MB) is applied
    assert validate_dataset(root, boundaries=archive, table=csv, data_dir=data_dir).villages.shape[0]
    with pytest.raises(InputError) as err:
        save_dataset(root, "kecil", boundaries=archive, table=csv, data_dir=data_dir,
                     max_unzipped_mb=unpacked_mb / 2)
    assert err.value.key == "input.zip.too_big" and "desa.zip" in str(err.value)
    assert _leftovers(root) == []
