"""Presenter mode glue called as plain functions on a real SQLite scenario store."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pypdf
import pytest

from callbacks.present import (
    apply_change,
    berita_acara,
    full_map,
    map_patch,
    map_values,
    meeting_form,
    planning_year_hint,
    step_body,
)
from geo.core.errors import InputError
from geo.decide.rembuk import meeting_changes
from geo.export.berita_acara import Meeting
from geo.scoring.presets import preset_config
from geo.store.model import StaleScenarioError, chosen_from_result
from layouts import ids

OUTSIDE = "32.11.01.2001"  # Cimungkal (Wado): not in the default top 20


@pytest.fixture(scope="module")
def config(registry):
    return preset_config(registry.get("sumedang"), "prevalensi_kasus", 2021).to_dict()


def change(registry, store, config, active=None, **kw):
    args = {"action": "remove", "dataset_id": "sumedang", "code": None, "reason": "alasan",
            "author": "Bappeda", "scenario_name": None, "active": active, "config": config}
    args.update(kw)
    return apply_change(registry, store, **args)


def list_changes(registry, store, sc):
    return meeting_changes(store.audit(sc.id), registry.get("sumedang").villages)


def ref(sc):
    return {"id": sc.id, "version": sc.version, "name": sc.name}


def texts(component) -> str:
    """All text in a component tree."""
    if isinstance(component, (list, tuple)):
        return " ".join(texts(c) for c in component)
    if isinstance(component, (str, int, float)):
        return str(component)
    children = getattr(component, "children", None)
    return "" if children is None else texts(children)


def test_without_an_active_scenario_a_name_is_required_then_it_is_saved_first(registry, store, config):
    first = registry.score("sumedang", config).selection.chosen[0]
    with pytest.raises(InputError, match="nama skenario"):
        change(registry, store, config, code=first)
    assert store.count() == 0
    sc, msg = change(registry, store, config, code=first, reason="sudah ditangani dana desa",
                     scenario_name="Rembuk 2026")
    assert sc.name == "Rembuk 2026" and len(sc.chosen) == 19 and first not in sc.codes
    assert "dikeluarkan" in msg and "19 desa" in msg
    audit = store.audit(sc.id)
    assert [e.action for e in audit] == ["create", *["add"] * 20, "config", "remove"]
    assert (audit[-1].code, audit[-1].reason) == (first, "sudah ditangani dana desa")
    assert audit[-1].who == "Bappeda"
    assert [(c.action, c.code) for c in list_changes(registry, store, sc)] == [("remove", first)]
    assert sc.config.force_out == {first: "sudah ditangani dana desa"} and sc.config.top_n == 19


def test_add_then_remove_audits_exactly_that_village(registry, store, config):
    result = registry.score("sumedang", config)
    sc = store.save_new("Rembuk", "sumedang", result.config, chosen_from_result(result), author="Bappeda")
    before = set(sc.codes)
    sc, msg = change(registry, store, config, active=ref(sc), action="add", code=OUTSIDE,
                     reason="usul camat <b>&", author="Sekretariat TPPS")
    assert set(sc.codes) == before | {OUTSIDE}  # no silent swap with the village ranked 20
    assert sc.reasons[OUTSIDE] == "dipaksa masuk: usul camat <b>&" and "Cimungkal" in msg
    assert [(c.action, c.code, c.reason, c.who) for c in list_changes(registry, store, sc)] == [
        ("add", OUTSIDE, "usul camat <b>&", "Sekretariat TPPS")]
    assert store.audit(sc.id)[-1].action == "add"  # written to the audit log itself

    sc, _ = change(registry, store, config, active=ref(sc), action="remove", code=OUTSIDE,
                   reason="tidak jadi")
    assert set(sc.codes) == before
    assert [c.action for c in list_changes(registry, store, sc)] == ["add", "remove"]


def test_missing_reason_or_recorder_or_duplicate_changes_nothing(registry, store, config):
    result = registry.score("sumedang", config)
    sc = store.save_new("R", "sumedang", result.config, chosen_from_result(result), author="B")
    first = sc.codes[0]
    with pytest.raises(InputError, match="alasan"):
        change(registry, store, config, active=ref(sc), code=first, reason="   ")
    with pytest.raises(InputError, match="pencatat"):
        change(registry, store, config, active=ref(sc), code=first, author="")
    with pytest.raises(InputError, match="sudah ada di daftar"):
        change(registry, store, config, active=ref(sc), action="add", code=first)
    with pytest.raises(InputError, match="Pilih desa"):
        change(registry, store, config, active=ref(sc), code=None)
    assert len(store.audit(sc.id)) == 21  # create + the 20 villages, nothing else
    # someone else changed the scenario meanwhile: refuse, never overwrite
    change(registry, store, config, active=ref(sc), code=first)
    with pytest.raises(StaleScenarioError):
        change(registry, store, config, active=ref(sc), code=sc.codes[1])


def test_steps_show_the_list_with_reasons_and_the_meeting_changes(registry, store, config):
    result = registry.score("sumedang", config)
    sc = store.save_new("Rembuk", "sumedang", result.config, chosen_from_result(result), author="B")
    meeting = {"since": datetime.now(UTC).isoformat(), "dataset": "sumedang"}
    sc, _ = change(registry, store, config, active=ref(sc), action="add", code=OUTSIDE, reason="usul camat")
    args = ("sumedang", ref(sc), config, "rasio_merah", 2021, meeting)
    step4 = texts(step_body(registry, store, 4, *args, "id"))
    assert "21 desa lokus" in step4 and "Cimungkal" in step4 and "dipaksa masuk: usul camat" in step4
    assert "berada di peringkat" in step4  # the generated explanation sentence
    step5 = texts(step_body(registry, store, 5, *args, "en"))
    assert "Changes made in this meeting" in step5 and "Added" in step5 and "usul camat" in step5
    step1 = texts(step_body(registry, store, 1, *args, "id"))
    assert "Anak diukur" in step1 and "poin persen" in step1 and "bukan prevalensi" in step1
    # a change before the meeting started is not a meeting change
    late = {"since": datetime.now(UTC).isoformat(), "dataset": "sumedang"}
    assert "Belum ada perubahan" in texts(step_body(registry, store, 5, *args[:-1], late, "id"))


def test_presenter_map_sends_geometry_once_then_patches_values(registry, store, config):
    trace, legend = map_values(registry, store, 1, "sumedang", None, config, "rasio_merah", 2021,
                               "quantiles", 5, "id")
    fig = full_map(registry, "sumedang", trace, "id")
    assert "Tanpa data" in texts(legend) and "Rasio skrining merah" in texts(legend)
    assert len(fig.data[0].geojson["features"]) == 277 and fig.data[0].z == tuple(trace["z"])
    assert set(fig.data[0].marker.line.width) == {0.6}  # no lokus outline on the situation map
    trace3, legend3 = map_values(registry, store, 3, "sumedang", None, config, None, None, None, None, "id")
    assert trace3["marker"]["line"]["width"].count(4.0) == 20 and "desa lokus" in texts(legend3)
    ops = map_patch(trace3).to_plotly_json()["operations"]
    paths = {tuple(op["location"]) for op in ops}
    assert ("data", 0, "z") in paths and ("data", 0, "marker") in paths
    assert not any("geojson" in op["location"] or "locations" in op["location"] for op in ops)


def legend_rows(legend) -> list[str]:
    """Text of each legend row (swatches, words, villages)."""
    return [texts(li).strip() for li in legend.children[1].children]


def test_presenter_legend_speaks_in_three_words_with_the_numbers_beside(registry, store, config):
    import numpy as np

    values = registry.get("sumedang").values("rasio_merah", 2021).value
    _trace, legend = map_values(registry, store, 1, "sumedang", None, config, "rasio_merah", 2021,
                                "quantiles", 5, "id")
    rows = legend_rows(legend)
    assert [r.split(" (")[0] for r in rows[:3]] == ["rendah", "sedang", "tinggi"]
    assert rows[3].startswith("Tanpa data")
    # 139 villages share 0 %: quintiles make 4 classes (bins 0 | q40 | q60 | q80), so the
    # thirds are rendah = {0 %}, sedang = the two middle classes, tinggi = above q80
    finite = values[np.isfinite(values)]
    lowest_high = finite[finite > np.percentile(finite, 80)].min()
    assert rows[2] == f"tinggi (≥ {lowest_high:.1f} %) {(finite > np.percentile(finite, 80)).sum()} desa" \
        .replace(".", ",")
    assert rows[0] == f"rendah (0,0 %) {(finite == 0).sum()} desa"
    assert rows[1].startswith("sedang (") and " %)" in rows[1]
    counts = [int(r.rsplit(" ", 2)[-2]) for r in rows[:3]]
    assert sum(counts) == len(finite)
    # a swatch per class: 1 + 2 + 1 for the four classes made; the tie is explained
    assert [len(li.children[0].children) for li in legend.children[1].children[:3]] == [1, 2, 1]
    assert "139 desa" in texts(legend.children[2])
    _t, legend_en = map_values(registry, store, 3, "sumedang", None, config, None, None, None, None, "en")
    assert [r.split(" (")[0] for r in legend_rows(legend_en)[:3]] == ["low", "medium", "high"]


def test_class_thirds():
    from layouts.present import level_of_class

    assert [level_of_class(i, 5) for i in range(5)] == [0, 0, 1, 2, 2]
    assert [level_of_class(i, 3) for i in range(3)] == [0, 1, 2]
    assert [level_of_class(i, 2) for i in range(2)] == [0, 2]
    assert [level_of_class(i, 4) for i in range(4)] == [0, 1, 1, 2]
    assert [level_of_class(0, 1)] == [1]


def test_berita_acara_of_the_meeting(registry, store, config):
    result = registry.score("sumedang", config)
    sc = store.save_new("Rembuk", "sumedang", result.config, chosen_from_result(result), author="B")
    meeting = {"since": datetime.now(UTC).isoformat(), "dataset": "sumedang"}
    sc, _ = change(registry, store, config, active=ref(sc), code=sc.codes[0], reason="sudah mandiri")
    data, name = berita_acara(registry, store, dataset_id="sumedang", active=ref(sc), config=config,
                              meeting=meeting, form=Meeting.from_form("2026-02-10", "Aula", "Sekda", "Camat"))
    text = " ".join(" ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages).split())
    # data of 2021, rembuk in 2026: the lokus are set for the 2027 budget
    assert name == "berita_acara_rembuk_Sumedang_2027.pdf"
    assert "Penetapan Desa Lokus Stunting Tahun 2027" in text and "berdasarkan data tahun 2021" in text
    assert "sudah mandiri" in text and "Desa lokus yang disepakati (19 desa)" in text


def test_berita_acara_planning_year_typed_in_the_form(registry, store, config):
    form = meeting_form("2026-02-10", "Aula", "Sekda", "", "2026")
    data, name = berita_acara(registry, store, dataset_id="sumedang", active=None, config=config,
                              meeting=None, form=form)
    text = " ".join(" ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages).split())
    assert name == "berita_acara_rembuk_Sumedang_2026.pdf"
    assert "Tahun 2026" in text and "berdasarkan data tahun 2021" in text and "Tahun 2021" not in text
    # no meeting date typed: the year after today (the meeting is happening now)
    assert meeting_form(None, "", "", "", None, today=date(2026, 12, 3)).lokus_year == 2027
    with pytest.raises(InputError, match="2000"):
        meeting_form("2026-02-10", "", "", "", 20277)
    with pytest.raises(InputError) as err:
        meeting_form("2026-02-10", "", "", "", 1900)
    assert "planning year" in err.value.render("en")


def test_planning_year_hint_follows_the_meeting_date():
    assert planning_year_hint("2026-02-10", today=date(2025, 5, 1)) == "2027"
    assert planning_year_hint(None, today=date(2026, 12, 3)) == "2027"
    assert planning_year_hint("", today=date(2024, 1, 1)) == "2025"


def test_app_has_the_presenter_button_overlay_and_a_closed_step(app):
    layout = app.layout() if callable(app.layout) else app.layout
    found = {c.id: c for c in layout._traverse() if isinstance(getattr(c, "id", None), str)}
    assert found[ids.PRESENT_OPEN].children == "Mode presentasi"
    assert found[ids.PRESENT_STEP].data == 0 and ids.PRESENT_OVERLAY in found
    assert any(ids.PRESENT_BA_FILE in key for key in app.callback_map)
    year = found[ids.PRESENT_BA_YEAR]
    assert year.type == "number" and not getattr(year, "value", None)  # empty = meeting year + 1
    assert any(f"{ids.PRESENT_BA_YEAR}.placeholder" in key for key in app.callback_map)
