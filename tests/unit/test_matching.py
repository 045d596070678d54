"""Name matching: normalisation rules, the real Sumedang names, review, crosswalk."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from geo.core.errors import InputError
from geo.core.messages import Message, render_all
from geo.io.crosswalk import build_crosswalk, crosswalk_path, load_crosswalk, save_crosswalk
from geo.io.matching import NameMatch, match_names, name_matching_reason
from geo.io.names import normalise_village_name, normalise_village_names


def said(message: Message | None) -> str:
    """The text of a message as the page shows it (Bahasa Indonesia), empty for None."""
    return message.render() if message else ""


@pytest.fixture(scope="module")
def boundaries(sumedang_villages: pd.DataFrame) -> pd.DataFrame:
    return sumedang_villages


@pytest.fixture(scope="module")
def table(sumedang_posyandu: pd.DataFrame) -> pd.DataFrame:
    return sumedang_posyandu


@pytest.fixture(scope="module")
def sumedang_match(table: pd.DataFrame, boundaries: pd.DataFrame) -> NameMatch:
    return match_names(table["nama_kec"], table["nama_desa"], boundaries)


def _bnd(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["kode", "nama", "nama_kec"])


# --------------------------------------------------------------------------- normalisation


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Desa Cimungkal", "CIMUNGKAL"),
        ("KEL. KOTA KALER", "KOTAKALER"),
        ("Kelurahan Regol Wetan", "REGOLWETAN"),
        ("Ds. Cibeureum-Kulon", "CIBEUREUMKULON"),
        ("  paseh   kidul ", "PASEHKIDUL"),
        ("GANJARRESIK", normalise_village_name("Ganjaresik")),
        ("PASIRREUNGIT", "PASIREUNGIT"),
        ("Padanaan", "PADANAN"),
        ("Soemedang", "SUMEDANG"),
        ("TJIKONENG", "CIKONENG"),
        ("Tandjung", normalise_village_name("Tanjung")),
        ("Sjarif", "SYARIF"),
        ("Chusus", "KHUSUS"),
        ("Njalindung", "NYALINDUNG"),
        ("Sukamaju II", "SUKAMAJU2"),
        ("Sukamaju I", "SUKAMAJU1"),
        ("Désa Cibodas", "CIBODAS"),
        ("Desamulya", "DESAMULYA"),  # a prefix only as a whole word
        ("Kecamatan Wado", "WADO"),
        ("", ""),
        (None, ""),
    ],
)
def test_normalise(raw: object, key: str) -> None:
    assert normalise_village_name(raw) == key


def test_normalise_vectorised_matches_scalar() -> None:
    names = ["Desa Cimungkal", None, "Paseh Kidul", "!!!"]
    out = normalise_village_names(names)
    assert out.tolist()[0] == "CIMUNGKAL" and pd.isna(out.iloc[1]) and pd.isna(out.iloc[3])
    assert [normalise_village_name(n) for n in names] == ["CIMUNGKAL", "", "PASEHKIDUL", ""]


# --------------------------------------------------------------------------- Sumedang


def test_sumedang_never_a_wrong_code(sumedang_match: NameMatch, table: pd.DataFrame) -> None:
    got = sumedang_match.kode
    wrong = got.notna() & (got != table["kode"].astype("string"))
    assert not wrong.any(), table.loc[wrong.to_numpy(), ["nama_kec", "nama_desa", "kode"]]


def test_sumedang_shares(sumedang_match: NameMatch) -> None:
    counts = sumedang_match.counts()
    pairs = {k: v["pairs"] for k, v in counts.items()}
    total = sum(pairs.values())
    shares = {k: round(v / total * 100, 1) for k, v in pairs.items()}
    print("Sumedang name matching (pairs, %):", pairs, shares)
    assert total == 270
    assert pairs == {"crosswalk": 0, "exact": 260, "normalised": 8, "fuzzy": 1, "unmatched": 1}
    assert sum(v["rows"] for v in counts.values()) == 810


def test_sumedang_renamed_village_left_for_review(sumedang_match: NameMatch) -> None:
    p = sumedang_match.pairs.set_index("desa")
    assert p.loc["SIRNASARI", "status"] == "unmatched"
    assert pd.isna(p.loc["SIRNASARI", "kode"])
    assert bool(p.loc["SIRNASARI", "review"])
    assert p.loc["SIRNASARI", "reason"] == "skor_rendah"
    assert len(p.loc["SIRNASARI", "candidates"]) == 3
    assert p.loc["HAURGOMBONG", "status"] == "fuzzy"
    assert p.loc["HAURGOMBONG", "kode"] == "32.11.13.2004"
    assert bool(p.loc["HAURGOMBONG", "review"])
    assert p.loc["GANJARESIK", "status"] == "normalised"
    assert p.loc["CIMUNGKAL", "status"] == "exact"
    assert (sumedang_match.pairs["kec_status"] == "exact").all()
    review = sumedang_match.review_table()
    # the accepted fuzzy pair first: a wrong match hides there (was: unmatched first)
    assert review["desa"].tolist() == ["HAURGOMBONG", "SIRNASARI"]


def test_summary_and_dict(sumedang_match: NameMatch) -> None:
    lines = sumedang_match.summary_lines()
    assert any("260 sama persis" in line for line in lines)
    doc = sumedang_match.to_dict()
    json.dumps(doc)  # JSON-friendly
    assert [r["desa"] for r in doc["review"]] == ["HAURGOMBONG", "SIRNASARI"]


def test_inputs_not_mutated(table: pd.DataFrame, boundaries: pd.DataFrame) -> None:
    t, b = table.copy(), boundaries.copy()
    match_names(table["nama_kec"], table["nama_desa"], boundaries)
    pd.testing.assert_frame_equal(t, table)
    pd.testing.assert_frame_equal(b, boundaries)


# --------------------------------------------------------------------------- rules


def test_close_runner_up_is_not_auto_matched() -> None:
    bnd = _bnd([("32.11.01.2001", "Sukamaju", "Wado"), ("32.11.01.2002", "Sukamaja", "Wado")])
    m = match_names(["WADO"], ["SUKAMAJE"], bnd)
    row = m.pairs.iloc[0]
    assert row["status"] == "unmatched" and row["reason"] == "selisih_kecil" and pd.isna(row["kode"])
    assert {c["kode"] for c in row["candidates"]} == {"32.11.01.2001", "32.11.01.2002"}
    # With margin 0 the same call would be a fuzzy match.
    assert match_names(["WADO"], ["SUKAMAJE"], bnd, margin=0).pairs.iloc[0]["status"] == "fuzzy"


def test_normalised_key_shared_by_two_villages_is_ambiguous() -> None:
    bnd = _bnd([("32.11.01.2001", "Pasir Reungit", "Wado"), ("32.11.01.2002", "Pasireungit", "Wado")])
    row = match_names(["WADO"], ["PASIRREUNGIT"], bnd).pairs.iloc[0]
    assert row["status"] == "unmatched" and row["reason"] == "ambigu"
    exact = match_names(["WADO"], ["PASIREUNGIT"], bnd).pairs.iloc[0]
    assert exact["status"] == "exact" and exact["kode"] == "32.11.01.2002"


def test_roman_numerals_do_not_collapse() -> None:
    bnd = _bnd([("32.11.01.2001", "Sukamaju I", "Wado"), ("32.11.01.2002", "Sukamaju II", "Wado")])
    m = match_names(["WADO", "WADO", "WADO"], ["SUKAMAJU II", "Sukamaju 2", "DESA SUKAMAJU 1"], bnd)
    assert m.kode.tolist() == ["32.11.01.2002", "32.11.01.2002", "32.11.01.2001"]
    assert m.status.tolist() == ["exact", "normalised", "normalised"]


def test_same_name_in_other_kecamatan_is_not_used() -> None:
    bnd = _bnd([("32.11.01.2001", "Sukamaju", "Wado"), ("32.11.02.2001", "Sukamulya", "Paseh")])
    row = match_names(["WADO"], ["SUKAMULYA"], bnd).pairs.iloc[0]
    assert pd.isna(row["kode"]) and row["status"] == "unmatched"


def test_kecamatan_fuzzy_and_missing() -> None:
    bnd = _bnd([("32.11.01.2001", "Cimungkal", "Sumedang Selatan"),
                ("32.11.02.2001", "Kirisik", "Jatinunggal")])
    m = match_names(["KEC. SUMEDANG SELATN", "ATLANTIS", None], ["Cimungkal", "Kirisik", "Kirisik"], bnd)
    p = m.pairs
    assert p.loc[0, "kec_status"] == "fuzzy" and p.loc[0, "kode"] == "32.11.01.2001"
    assert p.loc[1, "status"] == "unmatched" and p.loc[1, "reason"] == "kecamatan_tidak_ditemukan"
    assert pd.isna(p.loc[1, "kode"])
    # No kecamatan name: compared with the whole district.
    assert p.loc[2, "kec_status"] == "kosong" and p.loc[2, "kode"] == "32.11.02.2001"


def test_no_kecamatan_column_and_empty_names() -> None:
    bnd = _bnd([("32.11.01.2001", "Cimungkal", "Wado")])
    m = match_names(None, ["Cimungkal", None, ""], bnd)
    assert m.kode.tolist()[0] == "32.11.01.2001"
    assert m.pairs["reason"].tolist()[1:] == ["nama_kosong"]  # None and "" are the same pair
    assert any("tanpa nama kecamatan" in n for n in render_all(m.notes))


def test_weights_count_records() -> None:
    bnd = _bnd([("32.11.01.2001", "Cimungkal", "Wado")])
    m = match_names(["WADO", "Wado"], ["CIMUNGKAL", "Cimungkal"], bnd, weights=[10, 5])
    assert m.pairs["n_rows"].tolist() == [15]
    assert m.kode.tolist() == ["32.11.01.2001", "32.11.01.2001"]


def test_name_matching_reason(table: pd.DataFrame, boundaries: pd.DataFrame) -> None:
    assert name_matching_reason(table["kode"], boundaries["kode"].tolist()) is None
    assert "BPS" in said(name_matching_reason(table["kode_bps"]))
    assert "tidak punya kolom kode" in said(name_matching_reason(None))
    assert "kosong" in said(name_matching_reason(pd.Series(["", None])))


# --------------------------------------------------------------------------- crosswalk


def test_crosswalk_round_trip(tmp_path: Path, table: pd.DataFrame, boundaries: pd.DataFrame,
                              sumedang_match: NameMatch) -> None:
    decisions = pd.DataFrame({"kecamatan": ["JATINUNGGAL"], "desa": ["SIRNASARI"], "kode": ["3211022001"]})
    when = datetime(2025, 5, 1, tzinfo=UTC)
    cw = build_crosswalk(sumedang_match, decisions, decided_by="bappeda", decided_at=when)
    assert cw.loc[0, "kode"] == "32.11.02.2001" and cw.loc[0, "decided_at"].startswith("2025-05-01")
    path = save_crosswalk(cw, crosswalk_path(tmp_path, "32.11"))
    assert path.name == "crosswalk_32.11.csv"
    loaded = load_crosswalk(path)
    pd.testing.assert_frame_equal(loaded, cw.reset_index(drop=True), check_dtype=False)
    again = match_names(table["nama_kec"], table["nama_desa"], boundaries, crosswalk=loaded)
    row = again.pairs.set_index("desa").loc["SIRNASARI"]
    assert row["status"] == "crosswalk" and row["kode"] == "32.11.02.2001" and not row["review"]
    assert (again.kode == table["kode"].astype("string")).all()


def test_crosswalk_newer_decision_wins_and_empty_code(sumedang_match: NameMatch) -> None:
    first = build_crosswalk(sumedang_match, pd.DataFrame(
        {"kecamatan": ["Jatinunggal"], "desa": ["Sirnasari"], "kode": ["32.11.02.2005"]}), decided_by="a")
    second = build_crosswalk(sumedang_match, pd.DataFrame(
        {"kecamatan": ["JATINUNGGAL"], "desa": ["SIRNASARI"], "kode": [None]}),
        decided_by="b", previous=first)
    assert len(second) == 1 and pd.isna(second.loc[0, "kode"]) and second.loc[0, "decided_by"] == "b"


def test_crosswalk_rejects_unknown_code(sumedang_match: NameMatch) -> None:
    with pytest.raises(InputError, match="tidak ada di peta"):
        build_crosswalk(sumedang_match, pd.DataFrame(
            {"kecamatan": ["WADO"], "desa": ["X"], "kode": ["32.11.99.2099"]}), decided_by="a")
    with pytest.raises(InputError, match="bukan kode Kemendagri") as err:
        build_crosswalk(sumedang_match, pd.DataFrame(
            {"kecamatan": ["WADO"], "desa": ["X"], "kode": ["abc"]}), decided_by="a")
    assert err.value.column == "kode"


def test_stale_crosswalk_code_is_ignored(table: pd.DataFrame, boundaries: pd.DataFrame) -> None:
    stale = pd.DataFrame({"kecamatan": ["WADO"], "desa": ["CIMUNGKAL"], "kode": ["32.11.99.2001"],
                          "decided_by": ["x"], "decided_at": ["2020-01-01"]})
    m = match_names(table["nama_kec"], table["nama_desa"], boundaries, crosswalk=stale)
    assert m.pairs.set_index("desa").loc["CIMUNGKAL", "status"] == "exact"
    assert any("diabaikan" in n for n in render_all(m.notes))


def test_load_crosswalk_errors(tmp_path: Path) -> None:
    bad = tmp_path / "cw.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="kolom") as err:
        load_crosswalk(bad)
    assert err.value.file == "cw.csv"
    binary = tmp_path / "bin.csv"
    binary.write_bytes(b"\xff\xfe\x00\x00garbage")
    with pytest.raises(InputError):
        load_crosswalk(binary)
    with pytest.raises(ValueError):
        crosswalk_path(tmp_path, "../etc")
