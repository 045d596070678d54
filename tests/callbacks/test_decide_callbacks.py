"""Decide & deliver glue called as plain functions: the panel and its messages in both
languages, on a real SQLite scenario store."""

from __future__ import annotations

import pytest

from callbacks.decide import (
    audit_rows,
    plan_items,
    plan_rows,
    previous_body,
    require_active,
    scenario_options,
    target_rows,
)
from geo.core.errors import InputError
from geo.decide.continuity import continuity, read_previous_list
from geo.decide.plan import draft_plan
from geo.store.model import chosen_from_result
from layouts.decide import decide_panel
from layouts.text import t


@pytest.fixture(scope="module")
def result(sumedang_result):
    return sumedang_result


def callback(app, name: str):
    """A registered callback's own function (no Dash request needed)."""
    return next(c["callback"].__wrapped__ for c in app.callback_map.values()
                if c["callback"].__wrapped__.__name__ == name)


def test_panel_in_english_has_no_indonesian_words() -> None:
    english = str(decide_panel("en"))
    for text in ("Saved scenarios", "Save as…", "Delete", "Reason for the change",
                 "List change log (audit)", "Compare with another scenario",
                 "Action 2 activity plan", "Estimated budget (Rp)", "Scenario target (%)",
                 "Download", "CSV (semicolon, Indonesian Excel)", "choose a file",
                 "No changes recorded yet", "Choose a scenario…"):
        assert text in english, text
    for word in ("Simpan", "Skenario", "Hapus", "Alasan", "Muat", "Unduh", "Kegiatan", "Catatan",
                 "Desa", "pilih berkas", "Pilih", "Tanggal", "koma", "Cari"):
        assert word not in english, word
    indonesian = str(decide_panel())
    assert "Simpan sebagai…" in indonesian and "Perkiraan anggaran (Rp)" in indonesian
    assert "Save" not in indonesian
    # rupiah: 1.250.000 in Indonesian, 1,250,000 in English
    assert "replace(/,/g, '.')" in indonesian and "replace(/,/g, '.')" not in english


def test_callback_messages_in_english(app) -> None:
    status, _ = callback(app, "_plan_save")(1, [], None, "en")
    assert status.children == "save a scenario first; the plan is saved with the scenario"
    status, _ = callback(app, "_targets_save")(1, [], {"id": 999, "version": 1}, "id")
    assert status.children == t("store.error.not_found", "id", id="999")
    with pytest.raises(InputError) as err:
        require_active(None, "targets")
    assert err.value.render("en") == "save a scenario first; targets are saved with the scenario"
    assert str(err.value) == "simpan skenario dulu; target disimpan bersama skenario"


def test_scenario_audit_and_targets_in_english(registry, store, result) -> None:
    dataset = registry.get("sumedang")
    chosen = chosen_from_result(result)
    sc = store.save_new("Lokus 2026", "sumedang", result.config, chosen, author="Bappeda")
    store.rename(sc.id, "Lokus 2026 awal", author="Bappeda")
    (option,) = scenario_options(store, "sumedang", "en")
    assert option["label"] == f"Lokus 2026 awal · 2021 · {len(chosen)} villages · v2"
    assert "desa" in scenario_options(store, "sumedang")[0]["label"]
    names = dict(zip(dataset.villages["kode"], dataset.villages["nama"], strict=True))
    english = {r["aksi"] for r in audit_rows(store, sc.id, names, "en")}
    indonesian = {r["aksi"] for r in audit_rows(store, sc.id, names)}
    assert {"created", "renamed"} <= english and {"dibuat", "ganti nama"} <= indonesian
    rows = target_rows(dataset, {}, "en")
    coverage = [i for i in dataset.indicators if i.kind == "coverage"]
    assert [r["label"] for r in rows] == [i.label_en for i in coverage]
    assert {r["arah"] for r in rows} <= {"higher is better", "higher is worse"}


def test_plan_rows_show_the_label_and_save_without_it(registry, result) -> None:
    dataset = registry.get("sumedang")
    plan = draft_plan(dataset, result)
    rows = plan_rows(plan, dataset, "en")
    auto = [r for r in rows if r["indicator_id"]]
    assert auto, "the embedded data has coverage gaps"
    assert auto[0]["indikator"] == dataset.indicator(auto[0]["indicator_id"]).label_en
    assert plan_items(rows) == [item for item in plan if item.kegiatan.strip()]


def test_last_years_list_in_english(registry, result, tmp_path) -> None:
    dataset = registry.get("sumedang")
    codes = list(result.table.sort_values("peringkat")["kode"])[5:25]
    path = tmp_path / "lokus_2020.csv"
    path.write_text("kode\n" + "\n".join(codes) + "\n", encoding="utf-8")
    previous = read_previous_list(path, dataset.villages, display_name=path.name)
    body = str(previous_body(continuity(previous, result, dataset), previous, dataset, "en"))
    assert "new, " in body and "continuing" in body and "graduating" in body
    assert "Sub-district" in body and "Village" in body
    for word in ("baru", "lanjutan", "lulus", "Kecamatan", "Desa"):
        assert word not in body, word
