"""The "Analisis lanjutan" tab called as plain functions on the embedded Sumedang data: the budget
selection, SMAA, survey vs register and the review of last year's lokus, each checked against
numbers computed here from the dataset itself."""

from __future__ import annotations

import base64

import numpy as np
import pandas as pd
import pytest

from callbacks.analytics import MAX_DRAWS
from callbacks.analytics_views import acceptability_figure, budget_body, review_body, smaa_body, survey_body
from geo.scoring.presets import preset_config
from geo.scoring.smaa import smaa_of_result
from geo.view.analytics import (
    budget_costs,
    budget_selection,
    default_ranks,
    parse_amount,
    review_result,
    save_upload,
    smaa_info,
    survey_result,
)
from layouts.analytics import analytics_panel

BUDGET = {
    "budget": 500_000_000.0,
    "source": "unit",
    "unit_cost": 2_500_000.0,
    "target": "stunting",
    "objective": "score",
    "min": None,
    "max": None,
}
SURVEY = {"prevalence": 20.8, "low": 18.0, "high": 23.6, "year": 2021, "source": "SSGI"}


@pytest.fixture(scope="module")
def config(sumedang_dataset):
    return preset_config(sumedang_dataset, "prevalensi_kasus", 2021).to_dict()


def callback(app, name: str):
    """A registered callback with its error handling (``@input_errors``), without Dash's wrapper."""
    return next(
        c["callback"].__wrapped__
        for c in app.callback_map.values()
        if "callback" in c and c["callback"].__wrapped__.__name__ == name
    )


def text_of(component) -> str:
    return str(component)


def test_panel_has_four_sections_in_both_languages(sumedang_dataset) -> None:
    indonesian, english = (
        str(analytics_panel(sumedang_dataset, "id")),
        str(analytics_panel(sumedang_dataset, "en")),
    )
    for title in (
        "Pilih dengan anggaran",
        "Bobot sebagai urutan (SMAA)",
        "Dua angka stunting",
        "Apakah lokus tahun lalu berhasil?",
    ):
        assert title in indonesian
    for title in (
        "Choose within a budget",
        "Weights as a ranking (SMAA)",
        "The two stunting numbers",
        "Did last year's lokus work?",
    ):
        assert title in english
    for word in ("Anggaran", "Pilih", "Tahun", "Bandingkan", "pilih berkas"):
        assert word not in english, word


@pytest.mark.parametrize(
    ("text", "amount"), [("1.500.000.000", 1.5e9), ("1500000000", 1.5e9), ("Rp 2.500.000", 2.5e6), ("", None)]
)
def test_rupiah_typed_the_indonesian_way(text, amount) -> None:
    assert parse_amount(text) == amount


def test_budget_choice_respects_budget_and_counts_money_left(
    registry, sumedang_dataset, config, tmp_path
) -> None:
    result = registry.score("sumedang", config)
    costs = budget_costs(sumedang_dataset, result, BUDGET, tmp_path)
    sel = budget_selection(sumedang_dataset, result, BUDGET, costs)
    # independent: cost = 2.5 M × stunted children (the register's count of the rate scored)
    merah = pd.Series(
        sumedang_dataset.values("rasio_merah", 2021).numerator,
        index=[str(c) for c in sumedang_dataset.codes],
        dtype=float,
    )
    spent = float((merah[list(sel.chosen)] * 2_500_000).sum())
    assert spent == pytest.approx(sel.cost) and spent <= 500_000_000
    assert sel.money_left == pytest.approx(500_000_000 - spent)
    assert sel.children == pytest.approx(float(merah[list(sel.chosen)].sum()))
    body = text_of(budget_body(sel, costs, sumedang_dataset, result, "id"))
    assert f"sisa anggaran Rp {sel.money_left:,.0f}".replace(",", ".") in body
    assert "Dibanding daftar top-20" in body and "an-budget-table" in body
    free = [c for c in sel.chosen if merah[c] == 0]  # no stunted child: costs Rp 0, said so
    assert free and f"{len(free)} desa terpilih berbiaya Rp 0" in body
    english = text_of(budget_body(sel, costs, sumedang_dataset, result, "en"))
    assert f"money left Rp {sel.money_left:,.0f}" in english


def test_budget_callback_shows_chosen_list_and_stores_inputs(app, config) -> None:
    run = callback(app, "_budget")
    body, patch = run(
        1,
        "300.000.000",
        "unit",
        "2.500.000",
        "diukur",
        "children",
        None,
        None,
        {},
        config,
        None,
        None,
        "sumedang",
        "id",
    )
    assert "desa terpilih" in text_of(body) and "sisa anggaran Rp" in text_of(body)
    stored = patch.to_plotly_json()["operations"][0]
    assert stored["location"] == ["budget"] and stored["params"]["value"]["budget"] == 300_000_000


def test_infeasible_budget_names_the_rule(app, config) -> None:
    run = callback(app, "_budget")
    # one village per kecamatan (26) at 2.5 M × children measured cannot fit in Rp 1.000.000
    message, _ = run(
        1,
        "1.000.000",
        "unit",
        "2.500.000",
        "diukur",
        "score",
        1,
        None,
        {},
        config,
        None,
        None,
        "sumedang",
        "id",
    )
    assert "Aturan tidak bisa dipenuhi" in text_of(message) and "minimum per kecamatan" in text_of(message)
    assert "Traceback" not in text_of(message)
    missing, _ = run(
        1, "", "unit", "2.500.000", "diukur", "score", None, None, {}, config, None, None, "sumedang", "id"
    )
    assert "Isi anggaran" in text_of(missing)


def test_budget_from_an_uploaded_cost_table(app, registry, sumedang_dataset, config, tmp_path) -> None:
    codes = [str(c) for c in sumedang_dataset.codes][:40]
    table = pd.DataFrame({"kode_desa": codes, "biaya": [10_000_000 + 1_000 * i for i in range(40)]})
    contents = "data:text/csv;base64," + base64.b64encode(table.to_csv(index=False).encode()).decode()
    token, name = save_upload(tmp_path, contents, "biaya.csv")
    inputs = {
        **BUDGET,
        "source": "file",
        "budget": 100_000_000.0,
        "cost_file": {"token": token, "name": name},
    }
    result = registry.score("sumedang", config)
    costs = budget_costs(sumedang_dataset, result, inputs, tmp_path)
    assert len(costs.values) == 40
    sel = budget_selection(sumedang_dataset, result, inputs, costs)
    assert set(sel.chosen) <= set(codes) and sel.cost <= 100_000_000
    assert len(sel.no_cost) >= len(sumedang_dataset.codes) - 40 - len(sel.excluded)


def test_smaa_ranking_gives_acceptability_and_is_capped(app, registry, config) -> None:
    result = registry.score("sumedang", config)
    assert default_ranks(result) == {"rasio_merah": 1, "merah": 2}  # weights 0.6 and 0.4 of the preset
    info = smaa_info([c.id for c in result.criteria], "ranking", {"rasio_merah": 1, "merah": 2}, {}, {})
    assert info.ranking == (("rasio_merah",), ("merah",))
    res = smaa_of_result(result, info, draws=2000, seed=0)
    np.testing.assert_allclose(res.acceptability.sum(axis=1), 1.0)
    top = list(res.table.sort_values("p_lokus", ascending=False).index[:15])
    fig = acceptability_figure(res, top, {}, "id")
    assert np.asarray(fig.data[0].z).shape == (15, 40)
    assert np.asarray(fig.data[0].z)[0].sum() <= 1 + 1e-9
    body = text_of(smaa_body(res, registry.get("sumedang"), result, "id"))
    assert "2.000 simulasi bobot" in body and "P(lokus)" in body
    run = callback(app, "_smaa")
    ids_ = [{"type": "an-smaa-rank", "criterion": c.id} for c in result.criteria]
    capped = text_of(
        run(1, "ranking", [1, 2], ids_, [None, None], [None, None], 10**6, config, "sumedang", "id")
    )
    assert f"{MAX_DRAWS:,}".replace(",", ".") + " simulasi bobot" in capped
    no_rank = text_of(
        run(1, "ranking", [1, None], ids_, [None, None], [None, None], 500, config, "sumedang", "id")
    )
    assert "peringkat 1 sampai 2" in no_rank


def test_smaa_bounds_only(registry, config) -> None:
    result = registry.score("sumedang", config)
    info = smaa_info(["rasio_merah", "merah"], "intervals", {}, {"rasio_merah": 60}, {"rasio_merah": 80})
    res = smaa_of_result(result, info, draws=500, seed=1)
    assert 0.6 - 1e-9 <= res.mean_weights["rasio_merah"] <= 0.8 + 1e-9


def test_survey_against_register(registry, sumedang_dataset, config) -> None:
    result = registry.score("sumedang", config)
    rec = survey_result(sumedang_dataset, result, SURVEY)
    values = sumedang_dataset.values("rasio_merah", 2021)
    register = 100 * np.nansum(values.numerator) / np.nansum(values.denominator)
    assert rec.kabupaten.register == pytest.approx(register)
    body = text_of(survey_body(rec, sumedang_dataset, "id"))
    assert "SSGI 2021: prevalensi 20,8%" in body and f"register: {register:.1f}".replace(".", ",") in body
    assert f"{rec.kabupaten.flagged} desa ditandai" in body
    flagged = rec.table[rec.table["belum_terukur"]]
    assert len(flagged) == rec.kabupaten.flagged > 0


def test_survey_callback_needs_the_numbers(app, config) -> None:
    run = callback(app, "_survey")
    message, _ = run(1, None, 18, 23.6, 2021, "SSGI", [], config, "sumedang", "id")
    assert "Isi prevalensi survei" in text_of(message)
    wrong, _ = run(1, 20.8, 22, 23.6, 2021, "SSGI", [], config, "sumedang", "en")
    assert "0 ≤ lower" in text_of(wrong) or "interval" in text_of(wrong)


def test_review_of_last_years_list(registry, sumedang_dataset, tmp_path) -> None:
    previous = preset_config(sumedang_dataset, "prevalensi_kasus", 2020).to_dict()
    lokus = list(registry.score("sumedang", previous).selection.chosen)
    table = pd.DataFrame({"kode_desa": lokus, "tahun": 2020})
    contents = "data:text/csv;base64," + base64.b64encode(table.to_csv(index=False).encode()).decode()
    token, name = save_upload(tmp_path, contents, "lokus_2020.csv")
    inputs = {"list": f"file:{token}", "indicator": "rasio_merah", "before": 2020, "after": 2021}
    res = review_result(sumedang_dataset, None, inputs, tmp_path, {token: {"token": token, "name": name}})
    # independent: the unmatched difference of mean changes
    before = pd.Series(sumedang_dataset.values("rasio_merah", 2020).value, index=sumedang_dataset.codes)
    after = pd.Series(sumedang_dataset.values("rasio_merah", 2021).value, index=sumedang_dataset.codes)
    change = (after - before).dropna()
    is_lokus = change.index.isin(lokus)
    assert res.naive == pytest.approx(change[is_lokus].mean() - change[~is_lokus].mean())
    assert res.n_lokus == int(is_lokus.sum()) and res.n_control == int((~is_lokus).sum())
    body = text_of(review_body(res, sumedang_dataset, "id"))
    assert "Selisih-dalam-selisih (dicocokkan)" in body and "2020 → 2021" in body
    assert res.verdict.render("id") in body


def test_review_without_a_list_says_so(app) -> None:
    run = callback(app, "_review")
    message, _ = run(1, None, "rasio_merah", 2020, 2021, {}, "sumedang", "id")
    assert "daftar lokus tahun lalu" in text_of(message).lower()


def test_last_years_list_from_a_saved_scenario_and_its_previous_list(
    registry, sumedang_dataset, store, tmp_path
) -> None:
    from geo.decide.continuity import PreviousList
    from geo.store.model import chosen_from_result
    from geo.view.analytics import lokus_codes

    result = registry.score("sumedang", preset_config(sumedang_dataset, "prevalensi_kasus", 2020).to_dict())
    scenario = store.save_new(
        "Lokus 2020", "sumedang", result.config, chosen_from_result(result), author="Bappeda"
    )
    assert lokus_codes(sumedang_dataset, store, f"scn:{scenario.id}", tmp_path, {}) == list(scenario.codes)
    previous = PreviousList(codes=tuple(list(scenario.codes)[:7]), year=2019)
    store.set_previous(scenario.id, previous, author="Bappeda")
    assert lokus_codes(sumedang_dataset, store, f"prev:{scenario.id}", tmp_path, {}) == list(previous.codes)


def test_exports_get_the_analyses_run(app, registry, config, tmp_path) -> None:
    from callbacks.analytics import content_for_export

    result = registry.score("sumedang", config)
    data = {"budget": BUDGET, "survey": SURVEY, "review": {"list": None}}
    with app.server.app_context():
        content = content_for_export(registry, None, "sumedang", result, data)
        assert content_for_export(registry, None, "sumedang", result, {}) is None
    assert content.budget is not None and content.survey is not None
    assert content.review is None  # no list chosen: left out, not an error
    assert content.budget.cost <= BUDGET["budget"]


def test_budget_download_table_and_a_missing_cost_file(registry, sumedang_dataset, config, tmp_path) -> None:
    from geo.core.errors import InputError
    from geo.export.analytics import AnalyticsContent, budget_frame
    from geo.view.analytics import budget_parts

    result = registry.score("sumedang", config)
    content = AnalyticsContent(**budget_parts(sumedang_dataset, result, BUDGET, tmp_path))
    scores = result.table.set_index(result.table["kode"].astype(str))["skor"]
    frame = budget_frame(content, sumedang_dataset.villages, scores, "en")
    chosen = len(content.budget.chosen)
    assert list(frame["Village code"][:chosen]) == list(content.budget.chosen)
    assert frame["Cost (Rp)"][:chosen].sum() == pytest.approx(content.budget.cost)
    assert set(frame["Village code"][chosen:]) == set(content.budget.comparison.lost)
    gone = {**BUDGET, "source": "file", "cost_file": {"token": "gone.csv", "name": "biaya.csv"}}
    with pytest.raises(InputError) as error:
        budget_parts(sumedang_dataset, result, gone, tmp_path)
    assert "Unggah tabel biaya" in error.value.render("id")
