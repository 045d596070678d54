"""Rembuk numbers (pooled rates, kecamatan bars), meeting edits and the Berita Acara PDF."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pypdf
import pytest

from geo.core.errors import InputError
from geo.core.i18n import format_date
from geo.decide.rembuk import (
    MeetingChange,
    by_kecamatan,
    headline,
    meeting_changes,
    meeting_config,
    outcome_indicator,
)
from geo.export.berita_acara import (
    Meeting,
    berita_acara_filename,
    default_planning_year,
    export_berita_acara,
)
from geo.export.common import export_context
from tests.conftest_db import A, B, C, D


@pytest.fixture(scope="module")
def tiny(tiny_dataset):
    return tiny_dataset


@pytest.fixture(scope="module")
def sumedang(sumedang_dataset, sumedang_result):
    return sumedang_dataset, sumedang_result


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def test_headline_pools_counts_not_village_rates(tiny):
    # 2021: 30+10+25+5 red of 400 measured; 2020: 20+30+10+5 of 400
    h = headline(tiny, "rasio_merah", 2021)
    assert (h.cases, h.measured, h.villages_with_data) == (70, 400, 4)
    assert h.rate == pytest.approx(17.5)
    assert h.previous_year == 2020 and h.previous_rate == pytest.approx(16.25)
    assert h.change == pytest.approx(1.25)
    assert headline(tiny, "rasio_merah", 2020).change is None


def test_kecamatan_bars_are_pooled_and_sorted_highest_first(tiny):
    frame = by_kecamatan(tiny, "rasio_merah", 2021)
    assert frame["nama_kec"].tolist() == ["Satu", "Dua"]  # 40/200 = 20 % before 30/200 = 15 %
    assert frame["rasio"].tolist() == pytest.approx([20.0, 15.0])
    assert frame["kasus"].tolist() == [40, 30]


def test_outcome_indicator_falls_back_to_a_rate(tiny):
    assert outcome_indicator(tiny, "merah") == "rasio_merah"  # a count: show its rate
    assert outcome_indicator(tiny, "rasio_merah") == "rasio_merah"


def test_meeting_config_changes_n_with_the_forced_village():
    cfg = {"top_n": 2, "force_in": {}, "force_out": {A: "lama"}}
    added = meeting_config(cfg, A, "  usul  camat ", "add", [B, C])
    assert added["top_n"] == 3 and added["force_in"] == {A: "usul camat"} and added["force_out"] == {}
    removed = meeting_config(added, A, "sudah ditangani", "remove", [A, B, C])
    assert removed["top_n"] == 2 and removed["force_out"] == {A: "sudah ditangani"}
    assert removed["force_in"] == {} and cfg["force_out"] == {A: "lama"}  # input untouched
    with pytest.raises(InputError, match="alasan"):
        meeting_config(cfg, D, "  ", "add", [B])
    with pytest.raises(InputError, match="sudah ada"):
        meeting_config(cfg, B, "x", "add", [B])
    with pytest.raises(InputError, match="tidak ada"):
        meeting_config(cfg, D, "x", "remove", [B])


def test_meeting_changes_keep_list_changes_since_the_start_not_a_new_scenarios_list(tiny):
    start = datetime(2026, 2, 10, 9, 0, tzinfo=UTC)
    row = lambda minutes, action, code, reason: SimpleNamespace(  # noqa: E731
        at=start + timedelta(minutes=minutes), who="Bappeda", action=action, code=code, reason=reason)
    entries = [row(-5, "add", A, "sebelum rapat"), row(1, "create", None, "baru"),
               row(1, "add", D, "peringkat 1"), row(1, "config", None, "x"),
               row(2, "remove", B, "r1"), row(3, "add", C, "r2")]
    changes = meeting_changes(entries, tiny.villages, start)
    assert [(c.action, c.code, c.name, c.kecamatan, c.reason) for c in changes] == [
        ("remove", B, "Cikoneng", "Satu", "r1"), ("add", C, "Mekarsari", "Dua", "r2")]


def test_berita_acara_lists_agreed_villages_reasons_changes_and_participants(sumedang):
    dataset, result = sumedang
    chosen = [(c, r) for c, r in zip(result.selection.chosen, ["peringkat"] * 20, strict=False)]
    chosen[0] = (chosen[0][0], "usul <b>& camat")  # markup in a reason prints as typed
    ctx = export_context(result, dataset, chosen=chosen, name="Lokus 2026")
    names = dataset.villages.set_index("kode")
    gone = names.loc["32.11.01.2001"]
    changes = [MeetingChange(datetime.now(UTC), "Sekretariat TPPS", "remove", "32.11.01.2001", gone["nama"],
                             gone["nama_kec"], "sudah ditangani APBDes")]
    meeting = Meeting.from_form("2026-02-10", "Aula Bappeda", "Sekda Kabupaten Sumedang",
                                "Kepala Dinas Kesehatan\n\n  Camat Wado  \nKepala Desa Cigendel")
    text = pdf_text(export_berita_acara(ctx, meeting, changes))
    flat = " ".join(text.split())
    assert "Berita Acara Rembuk Stunting" in text
    assert "10 Februari 2026" in flat and "Aula Bappeda" in flat and "Sekda Kabupaten Sumedang" in flat
    for person in ("Kepala Dinas Kesehatan", "Camat Wado", "Kepala Desa Cigendel"):
        assert person in text
    for name in ctx.lokus["nama"]:
        assert name in text
    assert "usul <b>& camat" in text  # escaped, not bold markup or a reportlab error
    assert f"{gone['nama']} ({gone['nama_kec']})" in flat and "sudah ditangani APBDes" in flat
    assert "Dikeluarkan" in text and "Sekretariat TPPS" in text
    # data of 2021, meeting in February 2026: the lokus are for the 2027 budget (no synthetic criterion)
    assert "Penetapan Desa Lokus Stunting Tahun 2027" in flat and "berdasarkan data tahun 2021" in flat
    assert "Tahun 2021" not in flat and "stunting tahun 2021" not in flat
    assert berita_acara_filename(ctx, meeting) == "berita_acara_rembuk_Sumedang_2027.pdf"


def test_berita_acara_in_english_without_changes(sumedang):
    dataset, result = sumedang
    ctx = export_context(result, dataset)
    text = " ".join(pdf_text(export_berita_acara(ctx, Meeting(date(2026, 3, 5)), [], lang="en")).split())
    assert "Minutes of the Rembuk Stunting" in text and "5 March 2026" in text
    assert "No changes to the proposal." in text and "Attendance list attached." in text
    assert "Berita Acara Rembuk" not in text
    assert "Villages for 2027" in text and "based on data of 2021" in text
    assert format_date(date(2026, 8, 17)) == "17 Agustus 2026"


def test_meeting_form_parsing():
    m = Meeting.from_form("not a date", "  Aula  ", None, "A\n \nB")
    assert m == Meeting(None, "Aula", "", ("A", "B"))
    assert m.lokus_year is None


def test_planning_year_defaults_to_the_year_after_the_meeting_and_can_be_set():
    assert default_planning_year("2026-02-10") == 2027
    assert default_planning_year(None, today=date(2026, 12, 3)) == 2027
    assert default_planning_year("garbage", today=date(2025, 1, 2)) == 2026
    assert default_planning_year(None) is None
    assert Meeting.from_form("2026-02-10", "", "", "").lokus_year == 2027
    assert Meeting.from_form("2026-02-10", "", "", "", "2026").lokus_year == 2026  # typed: kept
    assert Meeting.from_form("2026-02-10", "", "", "", 2028.0).planning_year == 2028
    assert Meeting.from_form(None, "", "", "", None, today=date(2026, 12, 3)).lokus_year == 2027
    assert Meeting(date(2026, 3, 5)).lokus_year == 2027 and Meeting(planning_year=2030).lokus_year == 2030
    with pytest.raises(InputError):
        Meeting.from_form("2026-02-10", "", "", "", "1999")
    with pytest.raises(InputError):
        Meeting.from_form("2026-02-10", "", "", "", "dua ribu")


def test_berita_acara_title_and_file_use_the_planning_year_and_show_the_data_year(sumedang):
    dataset, result = sumedang
    ctx = export_context(result, dataset, name="Lokus")
    meeting = Meeting.from_form("2026-02-10", "Aula", "Sekda", "", "2028")
    flat = " ".join(pdf_text(export_berita_acara(ctx, meeting)).split())
    assert "Penetapan Desa Lokus Stunting Tahun 2028" in flat and "berdasarkan data tahun 2021" in flat
    assert "lokus penurunan stunting tahun 2028" in flat and "10 Februari 2026" in flat
    assert berita_acara_filename(ctx, meeting) == "berita_acara_rembuk_Sumedang_2028.pdf"
    meta = pypdf.PdfReader(io.BytesIO(export_berita_acara(ctx, meeting))).metadata
    assert "2028" in meta.subject
    # no meeting date or year (a programmatic caller): the context's list year, as before
    assert berita_acara_filename(ctx) == "berita_acara_rembuk_Sumedang_2021.pdf"
