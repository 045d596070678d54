"""Tables a Bupati can sign: every table joins one way, bad rows are listed, never fatal.

Each case runs on data built here by a seeded generator (two kecamatan, 16 villages) and
asserts the exact rows used / left out and that no village receives another village's value.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo.cli.main import main
from geo.core.messages import render_all
from geo.data.loading import load_dataset
from geo.data.model import CoverageSpec, Dataset
from geo.decide.continuity import read_previous_list
from geo.io.boundaries import read_boundaries

SEED = 20240610
KEC = {"32.11.01": "Alpha", "32.11.02": "Beta"}
NAMES = ["Sukamaju", "Cikoneng", "Mekarsari", "Pasirjati", "Sindangsari", "Karangmulya",
         "Cibeureum", "Margaluyu", "Tanjungsari", "Cilengkrang", "Sukahurip", "Jatimulya",
         "Bojongloa", "Cipancar", "Girimukti", "Rancamulya"]


def villages() -> pd.DataFrame:
    """16 villages: code, name, kecamatan; BPS code that, read as Kemendagri, is another
    village's code for every other village (the dangerous case) and looks BPS for the rest."""
    rows = []
    for i, name in enumerate(NAMES):
        kec = "32.11.01" if i < 8 else "32.11.02"
        rows.append({"kode": f"{kec}.20{i % 8 + 1:02d}", "nama": name, "nama_kec": KEC[kec]})
    frame = pd.DataFrame(rows)
    codes = frame["kode"].str.replace(".", "", regex=False)
    bps = [codes[(i + 1) % 16] if i % 2 else f"3211{i // 8 + 1:02d}0{i % 8 + 1:03d}"
           for i in range(16)]
    frame["kode_bps"] = bps
    return frame


def write_boundaries(folder: Path) -> Path:
    v = villages()
    features = [{"type": "Feature",
                 "properties": {"kode": r.kode, "nama": r.nama, "nama_kec": r.nama_kec,
                                "kode_kec": r.kode[:8]},
                 "geometry": {"type": "Polygon", "coordinates": [[
                     [107 + 0.01 * i, -6.9], [107.01 + 0.01 * i, -6.9],
                     [107.01 + 0.01 * i, -6.89], [107 + 0.01 * i, -6.89], [107 + 0.01 * i, -6.9]]]}}
                for i, r in enumerate(v.itertuples())]
    path = folder / "batas.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def counts(seed: int = SEED) -> pd.DataFrame:
    """Per village: measured (40–200) and stunted (< measured), distinct per village."""
    rng = np.random.default_rng(seed)
    measured = rng.choice(np.arange(40, 200), size=16, replace=False)
    stunted = (measured * rng.uniform(0.05, 0.4, size=16)).astype(int)
    out = villages()
    out["diukur"] = measured
    out["stunting"] = stunted
    out["cakupan"] = rng.choice(np.arange(10, 99), size=16, replace=False).astype(float)
    return out


def write_csv(folder: Path, name: str, frame: pd.DataFrame) -> Path:
    path = folder / name
    frame.to_csv(path, index=False)
    return path


def dataset(folder: Path, table: Path, *, coverage: Path | None = None,
            year: int | None = None) -> Dataset:
    specs = (CoverageSpec(coverage, year=2023),) if coverage else ()
    return load_dataset(write_boundaries(folder), table, dataset_id="t", title="t",
                        coverage=specs, default_year=year)


def by_code(ds: Dataset, field: str, year: int = 2023) -> dict[str, float]:
    rows = ds.measures.loc[ds.measures["tahun"] == year].set_index("kode")[field]
    return {k: float(v) for k, v in rows.items()}


def outcome_table(c: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"kode": c["kode"], "kecamatan": c["nama_kec"], "desa": c["nama"],
                         "tahun": 2023, "balita_diukur": c["diukur"],
                         "balita_stunting": c["stunting"]})


# --------------------------------------------------------------------------- BPS coverage


def test_coverage_with_bps_codes_is_matched_by_name_never_by_code(tmp_path: Path) -> None:
    c = counts()
    cov = pd.DataFrame({"kode": c["kode_bps"], "kecamatan": c["nama_kec"], "desa": c["nama"],
                        "tahun": 2023, "se_sanitasi": c["cakupan"]})
    # half of these BPS codes are valid Kemendagri codes of *another* village on the map
    assert cov["kode"].str.replace(r"(\d{2})(\d{2})(\d{2})(\d{4})", r"\1.\2.\3.\4", regex=True
                                   ).isin(set(c["kode"])).sum() == 8
    ds = dataset(tmp_path, write_csv(tmp_path, "t.csv", outcome_table(c)),
                 coverage=write_csv(tmp_path, "cakupan.csv", cov))
    rep = ds.coverage_report
    assert (rep.n_rows, rep.n_rows_by_code, rep.n_rows_by_name, rep.n_matched) == (16, 0, 16, 16)
    assert "kode BPS" in rep.name_matching[0].render()
    got = ds.coverage.set_index("kode")["se_sanitasi"].to_dict()
    assert got == dict(zip(c["kode"], c["cakupan"], strict=True))  # each village its own value
    log = ds.quality_log
    assert log.count("code_bps", "cakupan.csv") == 16
    assert set(log.issues.loc[log.issues["reason"] == "code_bps", "scope"]) == {"cell"}
    assert [f.rows_used for f in log.files] == [16, 16]


# --------------------------------------------------------------------------- mixed table


def test_mixed_code_and_name_rows_in_one_table(tmp_path: Path) -> None:
    c = counts()
    table = outcome_table(c)
    table.loc[[2, 9, 13], "kode"] = ""                # names only
    table.loc[5, "kode"] = "32.11.01.20X6"            # mangled: matched by name
    ds = dataset(tmp_path, write_csv(tmp_path, "campur.csv", table))
    rep = ds.report
    assert (rep.n_rows_by_code, rep.n_rows_by_name, rep.n_rows_unplaced) == (12, 4, 0)
    assert rep.n_matched == 16 and ds.name_match is not None
    assert ds.name_match.counts()["exact"]["rows"] == 4
    assert by_code(ds, "anak_diukur") == dict(zip(c["kode"], c["diukur"].astype(float), strict=True))
    assert by_code(ds, "stunting") == dict(zip(c["kode"], c["stunting"].astype(float), strict=True))
    assert ds.quality_log.files[0].rows_used == 16 and len(ds.quality_log) == 0
    assert any("4 lewat nama desa" in line for line in render_all(rep.summary()))


def test_name_only_row_that_matches_nothing_is_listed(tmp_path: Path) -> None:
    c = counts()
    table = outcome_table(c)
    table.loc[3, ["kode", "desa"]] = ["", "Antah Berantah"]
    table.loc[4, ["kode", "desa"]] = ["", ""]
    ds = dataset(tmp_path, write_csv(tmp_path, "t.csv", table))
    issues = ds.quality_log.issues
    assert issues[["row", "reason", "scope"]].values.tolist() == [
        [5, "name_unmatched", "row"], [6, "code_invalid", "row"]]
    assert ds.quality_log.files[0].rows_used == 14
    got = by_code(ds, "anak_diukur")
    assert c.loc[3, "kode"] not in got and c.loc[4, "kode"] not in got
    assert all(got[k] == v for k, v in zip(c["kode"], c["diukur"], strict=True) if k in got)


# --------------------------------------------------------------------------- duplicates


def test_identical_duplicates_collapse_conflicts_are_all_left_out(tmp_path: Path) -> None:
    c = counts()
    table = outcome_table(c)
    a, b, k = c.loc[0], c.loc[1], c.loc[9]
    extra = pd.DataFrame([
        {**table.loc[0].to_dict()},                                          # identical: row 18
        {**table.loc[1].to_dict(), "balita_stunting": int(b["stunting"]) + 3},  # conflict: row 19
        # a second source village landing on Cilengkrang by a fuzzy name, other values: row 20
        {"kode": "", "kecamatan": "Beta", "desa": "Cilengkrng", "tahun": 2023,
         "balita_diukur": 77, "balita_stunting": 7},
    ])
    table = pd.concat([table, extra], ignore_index=True)
    ds = dataset(tmp_path, write_csv(tmp_path, "ganda.csv", table))
    log = ds.quality_log
    listed = log.issues[["row", "reason"]].values.tolist()
    assert listed == [[3, "duplicate_conflict"], [11, "duplicate_conflict"],
                      [18, "duplicate_identical"], [19, "duplicate_conflict"],
                      [20, "duplicate_conflict"]]
    assert ds.name_match.pairs.set_index("desa").loc["Cilengkrng", "status"] == "fuzzy"
    got = by_code(ds, "stunting")
    assert got[a["kode"]] == a["stunting"]                  # collapsed, its own value
    assert b["kode"] not in got and k["kode"] not in got    # never first-row-wins
    others = c.loc[~c["kode"].isin([b["kode"], k["kode"]])]
    assert {x: got[x] for x in others["kode"]} == dict(zip(others["kode"], others["stunting"].astype(float),
                                                           strict=True))
    assert log.files[0].rows_read == 19 and log.files[0].rows_used == 14
    rep = ds.report
    assert len(rep.conflicts) == 4 and len(rep.duplicates) == 1
    assert {x["via"] for x in rep.conflicts} == {"kode", "nama"}
    assert any("nilai berbeda" in line for line in render_all(rep.summary()))


# --------------------------------------------------------------------------- bad cells


def test_bad_cells_and_years_are_left_out_and_listed_never_fatal(tmp_path: Path) -> None:
    c = counts()
    table = outcome_table(c)
    table["prevalensi"] = (100 * c["stunting"] / c["diukur"]).round(1)
    table = table.astype(object)
    table.loc[0, "balita_stunting"] = "n/a"       # row 2
    table.loc[1, "balita_diukur"] = "-3"          # row 3
    table.loc[2, "balita_stunting"] = "12,7"      # row 4
    table.loc[3, "balita_diukur"] = "1e308"       # row 5
    table.loc[4, "balita_diukur"] = "1e309"       # row 6
    table.loc[5, "prevalensi"] = "150"            # row 7
    table.loc[6, "tahun"] = "2099"                # row 8
    table.loc[7, "tahun"] = "2023,5"              # row 9
    table.loc[8, "balita_stunting"] = 500         # row 10: stunted > measured
    ds = dataset(tmp_path, write_csv(tmp_path, "kotor.csv", table))
    issues = ds.quality_log.issues[["row", "column", "value", "reason", "scope"]].values.tolist()
    assert issues == [
        [2, "balita_stunting", "n/a", "not_number", "cell"],
        [3, "balita_diukur", "-3", "negative", "cell"],
        [4, "balita_stunting", "12,7", "fractional_count", "cell"],
        [5, "balita_diukur", "1e308", "out_of_range", "cell"],
        [6, "balita_diukur", "1e309", "out_of_range", "cell"],
        [7, "prevalensi", "150", "out_of_range", "cell"],
        [8, "tahun", "2099", "year_invalid", "row"],
        [9, "tahun", "2023,5", "year_invalid", "row"],
        [10, "balita_stunting > balita_diukur", "500 > " + str(c.loc[8, "diukur"]),
         "numerator_gt_denominator", "cell"],
    ]
    [count] = ds.quality_log.files
    assert (count.rows_read, count.rows_used) == (16, 14)
    measured = by_code(ds, "anak_diukur")
    stunted = by_code(ds, "stunting")
    assert np.isnan(stunted[c.loc[0, "kode"]]) and measured[c.loc[0, "kode"]] == c.loc[0, "diukur"]
    assert np.isnan(measured[c.loc[3, "kode"]]) and stunted[c.loc[3, "kode"]] == c.loc[3, "stunting"]
    assert c.loc[6, "kode"] not in measured and c.loc[7, "kode"] not in measured
    assert np.isnan(by_code(ds, "prevalensi")[c.loc[5, "kode"]])
    rate = ds.values("prevalensi", 2023).value
    assert np.isnan(rate[list(ds.codes).index(c.loc[8, "kode"])])   # the rate, not the row
    for i in (9, 10, 11, 12, 13, 14, 15):
        assert measured[c.loc[i, "kode"]] == c.loc[i, "diukur"]
    text = " ".join(render_all(ds.warnings))
    assert "pertama" not in text
    assert "Berkas 'kotor.csv', kolom 'balita_stunting': 1 sel dikeluarkan — bukan angka (baris 2)." in text
    assert "'balita_stunting' > 'balita_diukur' (baris 10)" in text


def test_year_range_is_next_year_at_most() -> None:
    from datetime import date

    from geo.io.tables import clean_years

    years, keep, _ = clean_years(pd.Series(["1989", "1990", str(date.today().year + 1),
                                            str(date.today().year + 2), "inf", "1e308"]),
                                 file="f", column="tahun", rows=pd.Series(range(2, 8)))
    assert keep.tolist() == [False, True, True, False, False, False]
    assert years[keep].tolist() == [1990, date.today().year + 1]


# --------------------------------------------------------------------------- headers


def test_common_indonesian_headers_are_recognised(tmp_path: Path) -> None:
    c = counts()
    table = pd.DataFrame({
        "No": range(1, 17), "Kode Desa": c["kode"], "Nama Desa": c["nama"],
        "Kecamatan": c["nama_kec"], "Tahun": 2023, "Sasaran": c["diukur"] + 10,
        "Jumlah Balita Diukur": c["diukur"], "Jumlah Balita Stunting": c["stunting"],
        "Prevalensi (%)": (100 * c["stunting"] / c["diukur"]).round(2),
        "Mutu Pengukuran": ["baik"] * 15 + ["Perlu dicek"], "Kolom Aneh": "x",
    })
    ds = dataset(tmp_path, write_csv(tmp_path, "dinkes.csv", table))
    assert {"anak_diukur", "stunting", "balita", "prevalensi", "mutu_pengukuran"} <= set(ds.measures)
    assert by_code(ds, "balita") == dict(zip(c["kode"], (c["diukur"] + 10).astype(float), strict=True))
    mutu = ds.measures.set_index("kode")["mutu_pengukuran"]
    assert mutu[c.loc[15, "kode"]] == "perlu_dicek" and mutu[c.loc[0, "kode"]] == "baik"
    assert tuple(render_all(ds.table_notes)) == (
        "dinkes.csv: kolom 'Kolom Aneh' tidak dikenali, tidak dipakai.",)
    assert ds.table_notes[0] in ds.warnings


def test_prevalence_only_table_is_accepted(tmp_path: Path) -> None:
    c = counts()
    share = (c["stunting"] / c["diukur"]).round(4)
    table = pd.DataFrame({"Kode Desa": c["kode"], "Tahun": 2023, "Prevalensi Stunting (%)": share})
    ds = dataset(tmp_path, write_csv(tmp_path, "prev.csv", table))
    got = by_code(ds, "prevalensi")
    assert got == pytest.approx(dict(zip(c["kode"], share * 100, strict=True)))
    assert any("proporsi 0–1" in n for n in render_all(ds.table_notes))
    assert any("hanya berisi prevalensi" in n for n in render_all(ds.table_notes))


# --------------------------------------------------------------------------- last year's list


def test_previous_list_bps_codes_and_overflowing_years(tmp_path: Path) -> None:
    c = counts()
    pick = [0, 3, 9, 12]
    frame = pd.DataFrame({"kode": c.loc[pick, "kode_bps"], "kecamatan": c.loc[pick, "nama_kec"],
                          "desa": c.loc[pick, "nama"], "tahun": ["2022", "2022", "inf", "1e308"]})
    path = write_csv(tmp_path, "lokus_lalu.csv", frame)
    gdf = read_boundaries(write_boundaries(tmp_path)).gdf
    prev = read_previous_list(path, gdf)  # no OverflowError
    assert prev.codes == tuple(c.loc[[0, 3], "kode"]) and prev.year == 2022
    assert prev.quality_log.count("year_invalid") == 2
    assert prev.quality_log.count("code_bps") == 2
    assert prev.quality_log.files[0].rows_read == 4 and prev.quality_log.files[0].rows_used == 2


def test_previous_list_mixed_codes_and_names(tmp_path: Path) -> None:
    c = counts()
    frame = pd.DataFrame({"kode": [c.loc[1, "kode"], "", c.loc[6, "kode_bps"]],
                          "kecamatan": c.loc[[1, 4, 6], "nama_kec"].tolist(),
                          "desa": c.loc[[1, 4, 6], "nama"].tolist()})
    gdf = read_boundaries(write_boundaries(tmp_path)).gdf
    prev = read_previous_list(write_csv(tmp_path, "l.csv", frame), gdf)
    assert prev.codes == tuple(c.loc[[1, 4, 6], "kode"]) and prev.unmatched.empty


# --------------------------------------------------------------------------- command line


def test_check_json_and_text_carry_the_quality_log(tmp_path: Path, capsys) -> None:
    c = counts()
    table = outcome_table(c).astype(object)
    table.loc[0, "balita_stunting"] = "n/a"
    path = write_csv(tmp_path, "t.csv", table)
    bnd = write_boundaries(tmp_path)
    report = tmp_path / "kualitas.csv"
    assert main(["check", "--boundaries", str(bnd), "--table", str(path), "--json",
                 "--quality-report", str(report)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["quality"]["n_issues"] == 1 and doc["quality"]["files"][0]["rows_used"] == 16
    assert doc["quality"]["issues"][0] == {"file": "t.csv", "row": 2, "column": "balita_stunting",
                                           "value": "n/a", "reason": "not_number", "scope": "cell"}
    assert doc["n_rows_by_code"] == 16
    written = pd.read_csv(report, dtype=str, encoding="utf-8-sig")
    assert written.shape[0] == 1 and written.iloc[0]["Alasan"] == "bukan angka"
    assert main(["check", "--boundaries", str(bnd), "--table", str(path)]) == 0
    out = capsys.readouterr().out
    assert "16 dari 16 baris dipakai" in out and "1 sel dikeluarkan — bukan angka" in out
    assert main(["check", "--boundaries", str(bnd), "--table", str(path),
                 "--quality-report", str(tmp_path / "k.txt")]) == 2


def test_import_writes_every_pair_to_review_fuzzy_first(tmp_path: Path, capsys) -> None:
    c = counts()
    table = outcome_table(c).drop(columns="kode")
    typo = {0: "Sukamju", 1: "Cikonneng Baru", 5: "Karangmulia", 9: "Cilengkrng"}
    lost = {3: "Tidak Ada", 12: "Entah Dimana"}
    for i, name in {**typo, **lost}.items():
        table.loc[i, "desa"] = name
    path = write_csv(tmp_path, "nama.csv", table)
    state = tmp_path / "state"
    review = tmp_path / "tinjau.csv"
    assert main(["import", "--name", "n", "--boundaries", str(write_boundaries(tmp_path)),
                 "--table", str(path), "--state-dir", str(state), "--review-out", str(review)]) == 0
    out = capsys.readouterr().out
    listed = pd.read_csv(review, dtype=str, keep_default_na=False)
    statuses = listed["status"].tolist()
    n_fuzzy = statuses.count("fuzzy")
    assert statuses == ["fuzzy"] * n_fuzzy + ["unmatched"] * (len(listed) - n_fuzzy)
    assert n_fuzzy >= 2 and set(lost.values()) <= set(listed["desa"])
    assert set(listed["desa"]) <= set(typo.values()) | set(lost.values())
    assert f"{len(listed)} pasangan nama perlu diperiksa ({n_fuzzy} mirip" in out
    assert list(listed.columns[:3]) == ["kecamatan", "desa", "kode"]
    # default place: inside the saved dataset's folder
    assert main(["import", "--name", "m", "--boundaries", str(write_boundaries(tmp_path)),
                 "--table", str(path), "--state-dir", str(state), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["review"]["n"] == len(listed)
    assert Path(doc["review"]["path"]) == state / "datasets" / "m" / "tinjau_pencocokan_nama.csv"
    assert doc["quality"]["files"][0]["rows_read"] == 16
