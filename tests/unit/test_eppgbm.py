"""e-PPGBM export: parsing, bad input, HAZ, one measurement per child, per-village counts, privacy."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import tempfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.cli.main import main
from geo.core.anthro import haz
from geo.core.errors import InputError
from geo.core.messages import render_all
from geo.io.eppgbm import EppgbmRecords, read_eppgbm
from geo.io.eppgbm_aggregate import aggregate, compute_haz, match_villages
from geo.io.eppgbm_result import write_safe_csv
from geo.io.eppgbm_synthetic import synthetic_export

TODAY = date(2025, 6, 30)
HEADER = ["NIK", "Nama", "JK", "Tgl Lahir", "Kec", "Desa/Kel", "Posyandu", "Tanggal Pengukuran",
          "Berat", "Tinggi", "Cara Ukur", "ZS TB/U"]


# --------------------------------------------------------------------------- helpers


def write_csv(path: Path, rows: list[list[str]], header: list[str] | None = None, sep: str = ";") -> Path:
    lines = [sep.join(header or HEADER)] + [sep.join(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def row(nik: str = "9900000000000001", nama: str = "ANAK SATU", jk: str = "L", lahir: str = "01/01/2023",
        kec: str = "WADO", desa: str = "CIMUNGKAL", ukur: str = "15/06/2024", berat: str = "9,5",
        tinggi: str = "75,0", cara: str = "Telentang", zs: str = "") -> list[str]:
    return [nik, nama, jk, lahir, kec, desa, "MAWAR", ukur, berat, tinggi, cara, zs]


@pytest.fixture(scope="module")
def villages(sumedang_posyandu: pd.DataFrame) -> pd.DataFrame:
    return sumedang_posyandu.drop_duplicates(["nama_kec", "nama_desa"])[["nama_kec", "nama_desa"]]


@pytest.fixture(scope="module")
def boundaries(sumedang_villages: pd.DataFrame) -> pd.DataFrame:
    return sumedang_villages


@pytest.fixture(scope="module")
def synthetic(villages: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, Path]:
    frame = synthetic_export(3000, seed=7, villages=villages, start=date(2024, 1, 1), months=6)
    path = tmp_path_factory.mktemp("eppgbm") / "ekspor_eppgbm.csv"
    frame.to_csv(path, sep=";", index=False)
    return frame, path


def _identifying(frame: pd.DataFrame) -> set[str]:
    cols = ["NIK", "Nama", "Nama Ortu", "Alamat"]
    return {str(v) for c in cols if c in frame for v in frame[c].dropna().unique()}


# --------------------------------------------------------------------------- synthetic end to end


def test_synthetic_round_trip(synthetic: tuple[pd.DataFrame, Path], boundaries: pd.DataFrame) -> None:
    _, path = synthetic
    records = read_eppgbm(path, today=TODAY)
    assert records.identity == "nik"
    assert len(records.data) == 3000
    roles = {"nik", "nama", "jk", "tgl_lahir", "tgl_ukur", "tinggi", "cara_ukur", "zs_tbu"}
    assert set(records.columns) >= roles
    match = match_villages(records, boundaries)
    result = aggregate(records, period="month", match=match)
    rep = result.report
    assert rep.n_read == 3000
    # 5 % duplicates (earlier measurement, same month), minus those that are implausible themselves.
    assert 140 <= rep.n_duplicates_removed <= 150
    # Heights typed wrongly (x 0.6): below 38 cm (height_invalid) or |HAZ| > 6.
    mistyped = rep.n_implausible + rep.n_excluded.get("height_invalid", 0)
    assert 0 < mistyped < 20 and set(rep.n_excluded) <= {"height_invalid", "haz_implausible"}
    assert rep.n_used == 3000 - rep.n_duplicates_removed - mistyped
    v = result.villages
    assert v["anak_diukur"].sum() == rep.n_used
    assert (v["stunting"] == v["pendek"] + v["sangat_pendek"]).all()
    assert v["n_implausible"].sum() == rep.n_implausible
    assert {"nama_kec", "nama_desa", "kode", "tahun", "bulan", "prevalensi"} <= set(v.columns)
    # Only SIRNASARI (renamed Jatinunggal) is left without code.
    assert [u["desa"] for u in rep.unmatched_villages] in ([], ["SIRNASARI"])
    assert v["kode"].isna().sum() == v["status_cocok"].eq("unmatched").sum()
    # ~1 % of the export's own z-scores were shifted by 0.5; the rest agree within rounding.
    assert 0.003 < rep.n_disagree / rep.n_with_export_z < 0.03


def test_synthetic_haz_matches_export_z(synthetic: tuple[pd.DataFrame, Path]) -> None:
    _, path = synthetic
    z = compute_haz(read_eppgbm(path, today=TODAY))
    ok = z["alasan"] == ""
    diff = (z.loc[ok, "haz"] - z.loc[ok, "zs_export"]).abs()
    assert (diff <= 0.0051).mean() > 0.98


def test_period_year_and_all(synthetic: tuple[pd.DataFrame, Path]) -> None:
    _, path = synthetic
    records = read_eppgbm(path, today=TODAY)
    month = aggregate(records, period="month")
    year = aggregate(records, period="year")
    whole = aggregate(records, period="all")
    assert aggregate(records).report.period == "year"  # the default: one measurement per child per year
    assert "bulan" not in year.villages and "tahun" in year.villages
    assert "tahun" not in whole.villages
    # All six months are in 2024 and every child is measured in one month only.
    assert year.report.n_used == whole.report.n_used == month.report.n_used
    assert "kode" not in month.villages
    with pytest.raises(ValueError):
        aggregate(records, period="week")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- hand-made values


def test_counts_latest_measurement_and_point_seven(tmp_path: Path) -> None:
    # Child A: two measurements in June 2024; the later one counts.
    # Child B: 400 days old, measured standing (+0.7 cm) -> z computed on 70.7.
    # Child C: implausible height (|HAZ| > 6).  Child D: empty height (left out, counted).
    rows = [
        row(nik="9900000000000001", lahir="01/01/2023", ukur="03/06/2024", tinggi="70,0"),
        row(nik="9900000000000001", lahir="01/01/2023", ukur="20/06/2024", tinggi="72,0"),
        row(nik="9900000000000002", nama="ANAK DUA", jk="P", lahir="10/05/2023", ukur="13/06/2024",
            tinggi="70,0", cara="Berdiri", zs="-2,5"),
        row(nik="9900000000000003", nama="ANAK TIGA", ukur="15/06/2024", tinggi="50"),
        row(nik="9900000000000004", nama="ANAK EMPAT", ukur="15/06/2024", tinggi=""),
    ]
    records = read_eppgbm(write_csv(tmp_path / "a.csv", rows), today=TODAY)
    z = compute_haz(records)
    expected_b = haz(70.7, (date(2024, 6, 13) - date(2023, 5, 10)).days, 2, True)[0]
    assert z.loc[2, "haz"] == pytest.approx(expected_b)
    assert z["alasan"].tolist() == ["", "", "", "haz_implausible", "empty_required"]
    res = aggregate(records, period="month")
    v = res.villages
    assert len(v) == 1
    expected_a = haz(72.0, (date(2024, 6, 20) - date(2023, 1, 1)).days, 1, True)[0]
    n_stunted = int(expected_a < -2) + int(expected_b < -2)
    assert v.loc[0, "anak_diukur"] == 2 and v.loc[0, "stunting"] == n_stunted
    assert v.loc[0, "n_implausible"] == 1
    assert v.loc[0, "prevalensi"] == pytest.approx(round(n_stunted / 2 * 100, 1))
    assert (v.loc[0, "tahun"], v.loc[0, "bulan"]) == (2024, 6)
    rep = res.report
    assert rep.n_duplicates_removed == 1 and rep.n_implausible == 1 and rep.n_empty["tinggi"] == 1
    assert rep.n_excluded == {"haz_implausible": 1, "empty_required": 1}
    issues = res.quality.issues
    assert issues[["row", "reason"]].values.tolist() == [[5, "haz_implausible"], [6, "empty_required"]]
    assert issues["value"].iloc[0] == "50,0" and pd.isna(issues["value"].iloc[1])
    assert rep.n_with_export_z == 1
    assert rep.n_disagree == int(abs(expected_b - -2.5) > 0.1)


def test_classes_at_the_boundaries(tmp_path: Path) -> None:
    """pendek is −3 ≤ z < −2, sangat pendek z < −3 (Permenkes 2/2020)."""
    from geo.core.anthro import lms_table

    age = 365
    m, s = lms_table()[0, age, 1], lms_table()[0, age, 2]
    birth = date(2023, 6, 1)
    measured = date.fromordinal(birth.toordinal() + age)
    heights = [m * (1 + s * z) for z in (-1.0, -2.5, -3.5, -1.99, -2.99, -3.01)]
    rows = [row(nik=f"99000000000001{i:02d}", nama=f"ANAK {i}", lahir=birth.strftime("%d/%m/%Y"),
                ukur=measured.strftime("%d/%m/%Y"), tinggi=f"{h:.4f}".replace(".", ","))
            for i, h in enumerate(heights)]
    v = aggregate(read_eppgbm(write_csv(tmp_path / "c.csv", rows), today=TODAY), period="all").villages
    assert v.loc[0, ["anak_diukur", "pendek", "sangat_pendek", "stunting"]].tolist() == [6, 2, 2, 4]


def test_identity_fallback_without_nik(tmp_path: Path) -> None:
    rows = [
        row(nik="", nama="Anak  Satu", ukur="03/06/2024"),
        row(nik="0", nama="ANAK SATU", ukur="20/06/2024"),  # same child: name+birth+sex
        row(nik="", nama="ANAK SATU", jk="P", ukur="20/06/2024"),  # other sex: other child
    ]
    res = aggregate(read_eppgbm(write_csv(tmp_path / "f.csv", rows), today=TODAY))
    assert res.report.n_duplicates_removed == 1 and res.report.n_used == 2


def test_no_identity_columns(tmp_path: Path) -> None:
    header = [h for h in HEADER if h not in ("NIK", "Nama")]
    rows = [row()[2:], row()[2:]]
    records = read_eppgbm(write_csv(tmp_path / "n.csv", rows, header), today=TODAY)
    assert records.identity == "none"
    assert any("NIK atau Nama" in w for w in render_all(records.warnings))
    assert aggregate(records).report.n_duplicates_removed == 0


def test_age_out_of_range_is_counted(tmp_path: Path) -> None:
    rows = [row(lahir="01/01/2018", ukur="01/06/2024", tinggi="110"), row(nik="9900000000000009")]
    rep = aggregate(read_eppgbm(write_csv(tmp_path / "o.csv", rows), today=TODAY)).report
    assert rep.n_age_out_of_range == 1 and rep.n_used == 1


# --------------------------------------------------------------------------- formats


def test_formats_dates_codes_commas(tmp_path: Path) -> None:
    rows = [
        row(lahir="2023-01-01", ukur="2024-06-15 00:00:00", jk="Laki-laki", cara="terlentang"),
        row(nik="9900000000000002", lahir="44927", ukur="15-06-2024", jk="p", cara="BERBARING",
            tinggi="75.0"),
        row(nik="9900000000000003", lahir="1/1/2023", ukur="15.06.2024", cara="berdiri", tinggi=" 75,0 "),
        row(nik="9900000000000004", cara=""),
    ]
    d = read_eppgbm(write_csv(tmp_path / "f.csv", rows, sep="\t"), today=TODAY).data
    assert (d["tgl_lahir"] == pd.Timestamp("2023-01-01")).all()  # 44927 is the Excel serial of 1 Jan 2023
    assert (d["tgl_ukur"] == pd.Timestamp("2024-06-15")).all()
    assert d["sex"].tolist() == [1, 2, 1, 1]
    assert d["telentang"].tolist()[:3] == [1.0, 1.0, 0.0] and np.isnan(d["telentang"].iloc[3])
    assert (d["tinggi"] == 75.0).all()


def test_xlsx_with_date_cells(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(HEADER)
    ws.append(["9900000000000001", "ANAK", "L", datetime(2023, 1, 1), "WADO", "CIMUNGKAL", "MAWAR",
               datetime(2024, 6, 15), 9.5, 75.2, "Telentang", -1.2])
    path = tmp_path / "ekspor.xlsx"
    book.save(path)
    d = read_eppgbm(path, today=TODAY).data
    assert d.loc[0, "tinggi"] == pytest.approx(75.2) and d.loc[0, "umur_hari"] == 531
    assert d.loc[0, "zs_export"] == pytest.approx(-1.2)


def test_user_column_override(tmp_path: Path) -> None:
    header = [*HEADER[:9], "PB/TB (cm)", *HEADER[10:]]
    path = write_csv(tmp_path / "o.csv", [row()], header)
    with pytest.raises(InputError, match="Tinggi"):
        read_eppgbm(path, today=TODAY)
    d = read_eppgbm(path, today=TODAY, columns={"tinggi": "PB/TB (cm)"}).data
    assert d.loc[0, "tinggi"] == 75.0


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("kwargs", "column", "reason", "value"),
    [
        ({"ukur": "15/06/2022"}, "Tanggal Pengukuran", "measured_before_birth", "15/06/2022"),
        ({"ukur": "15/06/2026"}, "Tanggal Pengukuran", "date_future", "15/06/2026"),
        ({"lahir": "01/01/2026", "ukur": "15/06/2026"}, "Tgl Lahir", "date_future", None),
        ({"tinggi": "-75"}, "Tinggi", "height_invalid", "-75"),
        ({"tinggi": "tujuh puluh"}, "Tinggi", "height_invalid", "tujuh puluh"),
        ({"tinggi": "n/a"}, "Tinggi", "height_invalid", "n/a"),
        ({"tinggi": "NaN"}, "Tinggi", "height_invalid", "NaN"),
        ({"tinggi": "1e999"}, "Tinggi", "height_invalid", "1e999"),
        ({"tinggi": "0"}, "Tinggi", "empty_required", None),
        ({"ukur": "31/02/2024"}, "Tanggal Pengukuran", "date_unreadable", "31/02/2024"),
        ({"lahir": "kemarin"}, "Tgl Lahir", "date_unreadable", None),
        ({"lahir": "01/01/2018"}, "Tgl Lahir", "age_over_60m", None),
        ({"jk": "X"}, "JK", "sex_unknown", "X"),
        ({"jk": ""}, "JK", "empty_required", None),
        ({"desa": ""}, "Desa/Kel", "empty_required", None),
    ],
)
def test_bad_rows_are_excluded_and_listed(tmp_path: Path, kwargs: dict[str, str], column: str, reason: str,
                                          value: str | None) -> None:
    rows = [row(), row(nik="9900000000000002"), row(nik="9900000000000003", **kwargs)]
    path = write_csv(tmp_path / "server-side-name.csv", rows)
    records = read_eppgbm(path, display_name="ekspor juni.csv", today=TODAY)
    res = aggregate(records)
    assert res.report.n_read == 3 and res.report.n_used == 2
    assert res.report.n_excluded == {reason: 1}
    issues = res.quality.issues
    assert issues[["file", "row", "column", "reason", "scope"]].values.tolist() == [
        ["ekspor juni.csv", 4, column, reason, "row"]]  # header is row 1
    assert (issues["value"].iloc[0] if pd.notna(issues["value"].iloc[0]) else None) == value
    assert res.quality.files[0].rows_read == 3 and res.quality.files[0].rows_used == 2


@pytest.mark.parametrize(
    ("kwargs", "column", "reason"),
    [
        ({"berat": "-1,5"}, "Berat", "negative"),
        ({"berat": "berat?"}, "Berat", "not_number"),
        ({"zs": "abc"}, "ZS TB/U", "not_number"),
        ({"zs": "1e999"}, "ZS TB/U", "out_of_range"),
        ({"cara": "duduk"}, "Cara Ukur", "position_unknown"),
    ],
)
def test_bad_cells_are_emptied_and_the_row_used(tmp_path: Path, kwargs: dict[str, str], column: str,
                                                reason: str) -> None:
    rows = [row(), row(nik="9900000000000002", **kwargs)]
    res = aggregate(read_eppgbm(write_csv(tmp_path / "c.csv", rows), today=TODAY))
    assert res.report.n_used == 2 and res.report.n_excluded == {}
    assert res.report.n_cells == {reason: 1}
    assert res.quality.issues[["row", "column", "reason", "scope"]].values.tolist() == [
        [3, column, reason, "cell"]]


def test_birth_date_value_is_not_quoted(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "b.csv", [row(lahir="32/13/2023"), row(nik="9900000000000002",
                                                                       lahir="01/01/2026")])
    res = aggregate(read_eppgbm(path, today=TODAY))
    assert res.quality.issues["value"].isna().all()
    blob = res.quality.to_frame().to_csv() + json.dumps(res.quality.to_dict())
    assert "32/13/2023" not in blob and "01/01/2026" not in blob


def test_file_level_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import geo.io.eppgbm as eppgbm

    wide = tmp_path / "wide.csv"
    wide.write_text(";".join(f"k{i}" for i in range(eppgbm.MAX_COLUMNS + 5)) + "\n1\n", encoding="utf-8")
    with pytest.raises(InputError, match="kolom") as err:
        read_eppgbm(wide, today=TODAY)
    assert err.value.key == "eppgbm.error.too_many_columns"
    monkeypatch.setattr(eppgbm, "MAX_ROWS", 3)
    many = write_csv(tmp_path / "many.csv", [row(nik=f"99000000000000{i:02d}") for i in range(4)])
    with pytest.raises(InputError) as err:
        read_eppgbm(many, today=TODAY)
    assert err.value.key == "eppgbm.error.too_many_rows" and err.value.file == "many.csv"
    assert len(read_eppgbm(write_csv(tmp_path / "ok.csv", [row()] * 3), today=TODAY).data) == 3


def test_empty_and_header_only_and_missing_columns(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="kosong") as err:
        read_eppgbm(empty)
    assert err.value.file == "empty.csv"
    header_only = write_csv(tmp_path / "h.csv", [])
    with pytest.raises(InputError, match="tidak ada baris data"):
        read_eppgbm(header_only)
    missing = write_csv(tmp_path / "m.csv", [["1", "2"]], ["NIK", "Nama"])
    with pytest.raises(InputError, match="kolom wajib") as err:
        read_eppgbm(missing)
    assert "Tinggi" in err.value.rows and "Tgl Lahir" in err.value.rows
    # A file without its header row: the first child's NIK and name must not be echoed.
    first = row(nik="9912345678901234", nama="SITI SINTETIS")
    headless = write_csv(tmp_path / "nh.csv", [row()], header=first)
    with pytest.raises(InputError) as err:
        read_eppgbm(headless, today=TODAY)
    assert "9912345678901234" not in str(err.value) and "SITI" not in str(err.value)


# --------------------------------------------------------------------------- privacy


def test_no_personal_data_in_outputs(synthetic: tuple[pd.DataFrame, Path], boundaries: pd.DataFrame,
                                     tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    frame, path = synthetic
    secrets_ = _identifying(frame)
    assert len(secrets_) > 3000
    with caplog.at_level(logging.DEBUG):
        records = read_eppgbm(path, today=TODAY)
        match = match_villages(records, boundaries)
        result = aggregate(records, period="month", match=match)
    out = write_safe_csv(result.villages, tmp_path / "village_prevalence.csv")
    texts = [
        out.read_text(encoding="utf-8-sig"),
        repr(result),
        repr(records),
        json.dumps(result.report.to_dict(), ensure_ascii=False),
        "\n".join(result.report.summary_lines()),
        json.dumps(match.to_dict(), ensure_ascii=False, default=str),
        "\n".join(r.getMessage() for r in caplog.records),
        result.quality.to_frame().to_csv(),
        json.dumps(result.quality.to_dict(), ensure_ascii=False),
        result.mutu_desa.to_csv(),
        result.mutu_posyandu.to_csv(),
    ]
    assert caplog.records, "processing should log its counts"
    blob = "\n".join(texts)
    leaked = [s for s in secrets_ if s in blob]
    assert not leaked, leaked[:3]
    # Nor are they kept in the records passed on.
    text_cols = records.data.select_dtypes(exclude="number").astype(str)
    kept = set(np.unique(text_cols.to_numpy()))
    assert not (kept & secrets_)


def test_child_key_differs_between_uploads(synthetic: tuple[pd.DataFrame, Path]) -> None:
    _, path = synthetic
    a = read_eppgbm(path, today=TODAY).data["child"]
    b = read_eppgbm(path, today=TODAY).data["child"]
    assert not np.array_equal(a.to_numpy(), b.to_numpy())


def test_write_safe_csv_formula_injection(tmp_path: Path) -> None:
    frame = pd.DataFrame({"nama_desa": ["=HYPERLINK(1)", "+1", "-2", "@x", "\tx", "Cimungkal", None],
                          "n": [1, 2, -3, 4, 5, 6, 7]})
    path = write_safe_csv(frame, tmp_path / "x.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.StringIO(raw.decode("utf-8-sig")), keep_default_na=False)
    assert back["nama_desa"].tolist()[:6] == ["'=HYPERLINK(1)", "'+1", "'-2", "'@x", "'\tx", "Cimungkal"]
    assert back["n"].tolist()[2] == -3
    assert frame.loc[0, "nama_desa"] == "=HYPERLINK(1)"  # input untouched


# --------------------------------------------------------------------------- CLI


def test_cli(synthetic: tuple[pd.DataFrame, Path], tmp_path: Path,
             capsys: pytest.CaptureFixture[str]) -> None:
    frame, path = synthetic
    out = tmp_path / "village_prevalence.csv"
    assert main(["eppgbm", str(path), "--period", "year", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "digantikan pengukuran yang lebih baru" in printed and "SIRNASARI" in printed
    assert "tahunan" in printed
    table = pd.read_csv(out, encoding="utf-8-sig", dtype={"kode": str})
    assert {"kode", "tahun", "anak_diukur", "prevalensi"} <= set(table.columns)
    assert not [s for s in _identifying(frame) if s in printed + out.read_text(encoding="utf-8-sig")]

    cw = tmp_path / "cw.csv"
    cw.write_text("kecamatan,desa,kode,decided_by,decided_at\nJATINUNGGAL,SIRNASARI,32.11.02.2001,t,2025\n",
                  encoding="utf-8")
    assert main(["eppgbm", str(path), "--crosswalk", str(cw), "--json", "--out", str(out)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["unmatched_villages"] == [] and doc["match"]["counts"]["crosswalk"]["pairs"] == 1


def test_cli_bad_input_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = write_csv(tmp_path / "bad.csv", [row()[:8]], header=HEADER[:8])  # no Tinggi column
    assert main(["eppgbm", str(bad), "--out", str(tmp_path / "o.csv")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "bad.csv" in err and "Tinggi" in err
    assert not (tmp_path / "o.csv").exists()


# --------------------------------------------------------------------------- robustness

_CELL = st.one_of(
    st.sampled_from(["", "L", "P", "x", "-", "0", "-1", "1,5", "75,0", "1.234,5", "01/01/2023", "15/06/2024",
                     "2024-06-15", "45000", "31/02/2024", "Telentang", "Berdiri", "=1+1", "NaN", "inf",
                     "1e999", "99999", "00/00/0000"]),
    st.text(alphabet="0123456789/,.-:LP aeT", max_size=12),
)
_HEADERS = st.lists(st.sampled_from([*HEADER, "Usia Saat Ukur", "Bulan Pengukuran", "X"]), min_size=1,
                    max_size=14, unique=True)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(headers=_HEADERS, data=st.data())
def test_random_tables_raise_only_input_error(headers: list[str], data: st.DataObject) -> None:
    n_rows = data.draw(st.integers(0, 6))
    rows = [[data.draw(_CELL) for _ in headers] for _ in range(n_rows)]
    text = "\n".join([";".join(headers)] + [";".join(r) for r in rows]) + "\n"
    with _tmp_file(text.encode("utf-8")) as path:
        try:
            records = read_eppgbm(path, today=TODAY)
        except InputError:
            return
        assert isinstance(records, EppgbmRecords)
        result = aggregate(records, period=data.draw(st.sampled_from(["month", "year", "all"])))
        assert result.villages["anak_diukur"].sum() == result.report.n_used


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_raise_only_input_error(blob: bytes) -> None:
    with _tmp_file(blob) as path, contextlib.suppress(InputError):
        read_eppgbm(path, today=TODAY)


@contextlib.contextmanager
def _tmp_file(data: bytes) -> Iterator[Path]:
    """A temporary file with the given bytes (hypothesis cannot use function-scoped fixtures)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ekspor.csv"
        path.write_bytes(data)
        yield path
