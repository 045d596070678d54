"""SMAA in the stability layer and the village profile, the survey estimate on the map page and in
presenter step 1 (issue 15), called as plain functions on the embedded Sumedang data; every number
is checked against the engines (:func:`smaa_of_result`, :func:`reconcile_dataset`) run here."""

from __future__ import annotations

import numpy as np
import pytest

from callbacks.analytics_shown import smaa_of_page, survey_of_page
from callbacks.profile import profile_view
from callbacks.scoring import layer_classes, map_patch
from geo.core.errors import InputError
from geo.core.i18n import format_number, format_percent
from geo.scoring.presets import preset_config
from geo.scoring.smaa import WeightInfo, smaa_of_result
from geo.scoring.survey import SurveyEstimate, reconcile_dataset
from geo.view.analytics_shown import SmaaRuns, draws_of, smaa_inputs, smaa_labels
from layouts.analytics_shown import survey_line, survey_present

SMAA = smaa_inputs("ranking", {"rasio_merah": 1, "merah": 2}, {}, {}, 2000)
SURVEY = {"prevalence": 20.8, "low": 18.0, "high": 23.6, "year": 2021, "source": "SSGI", "adjust": False}


@pytest.fixture(scope="module")
def config(sumedang_dataset):
    return preset_config(sumedang_dataset, "prevalensi_kasus", 2021).to_dict()


@pytest.fixture(scope="module")
def engine(registry, config):
    """SMAA computed here with the engine directly: ranking rasio_merah > merah, 2 000 draws, seed 0."""
    result = registry.score("sumedang", config)
    return smaa_of_result(result, WeightInfo.from_ranking(["rasio_merah", "merah"]), draws=2000, seed=0)


def test_inputs_are_clipped_and_json_safe() -> None:
    assert draws_of(10**7) == 20_000 and draws_of(5) == 100
    assert draws_of(None) == 5_000 and draws_of("x") == 5_000
    assert SMAA == {"mode": "ranking", "ranks": {"rasio_merah": 1, "merah": 2}, "lows": {}, "highs": {},
                    "draws": 2000}


def test_page_run_equals_engine_and_is_cached(registry, config, engine) -> None:
    data = {"smaa": SMAA}
    run = smaa_of_page(registry, "sumedang", config, data)
    assert run is not None
    np.testing.assert_allclose(run.table["p_lokus"], engine.table["p_lokus"])
    np.testing.assert_allclose(run.acceptability.to_numpy(), engine.acceptability.to_numpy())
    assert smaa_of_page(registry, "sumedang", config, data) is run  # the bounded cache
    assert smaa_of_page(registry, "sumedang", config, {}) is None
    other = {**SMAA, "ranks": {"prevalensi": 1}}  # inputs of another scoring: not shown, no error
    assert SmaaRuns(registry).get("sumedang", config, other) is None
    with pytest.raises(InputError):
        SmaaRuns(registry).get("sumedang", config, other, strict=True)


def test_stability_layer_classes_smaa_p_lokus(registry, config, engine) -> None:
    result = registry.score("sumedang", config)
    index, entries, _colours, _title = layer_classes(result, "stabilitas", "id", engine)
    p = engine.table["p_lokus"].reindex(result.table["kode"].astype(str)).to_numpy()
    scored = result.table["skor"].notna().to_numpy()
    # independent: the stability words from P(lokus) with the 0.9 / 0.1 bounds of geo.scoring.stability
    expected = np.where(~scored, -1, np.where(p >= 0.9, 0, np.where(p <= 0.1, 2, 1)))
    forced = ~scored & (result.table["rekomendasi"] == "ya").to_numpy()
    np.testing.assert_array_equal(index[~forced], expected[~forced])
    assert [e[2] for e in entries] == [int((expected == i).sum()) for i in range(3)]
    plain = layer_classes(result, "stabilitas", "id")[0]
    assert not np.array_equal(plain, index)  # the source changes the map (draws vs weight ranking)
    words = smaa_labels(engine, result.table["kode"])[1]
    assert set(words[scored]) <= {"inti", "bimbang", "jarang"} and set(words[~scored]) == {""}


def test_map_patch_legend_says_the_source(registry, config, engine) -> None:
    result = registry.score("sumedang", config)
    fig, legend = map_patch(result, "stabilitas", "id", engine)
    assert "urutan bobot (SMAA, 2.000 simulasi)" in str(legend)
    _fig, plain = map_patch(result, "stabilitas", "id")
    assert "bobot tetap" in str(plain) and "SMAA" not in str(plain)
    _fig, english = map_patch(result, "stabilitas", "en", engine)
    assert "weights as a ranking (SMAA, 2,000 draws)" in str(english)
    texts = fig.to_plotly_json()["operations"]
    hover = next(op["params"]["value"] for op in texts if op["location"][-1] == "text")
    first = engine.table["p_lokus"].idxmax()
    pos = int(np.flatnonzero(result.table["kode"].astype(str).to_numpy() == first)[0])
    assert f"P(lokus) SMAA {format_number(100 * engine.table.loc[first, 'p_lokus'], 0, 'id')}" in hover[pos]
    _fig, other = map_patch(result, "rekomendasi", "id", engine)  # other layers: no source line
    assert "SMAA" not in str(other) and "bobot tetap" not in str(other)


def test_profile_shows_the_village_smaa(registry, config, engine) -> None:
    code = str(engine.table["p_lokus"].idxmax())
    row = engine.table.loc[code]
    _title, body = profile_view(registry, "sumedang", code, 2021, config, "id", {"smaa": SMAA})
    text = str(body)
    n = registry.score("sumedang", config).config.top_n
    assert f"P(lokus) top-{n}: {format_percent(100 * row['p_lokus'], 0, 'id')}" in text
    assert f"peringkat harapan {format_number(row['peringkat_harapan'], 1, 'id')}" in text
    assert "profile-smaa-bar" in text
    bar = next(c for c in _walk(body) if getattr(c, "id", None) == "profile-smaa-bar")
    ranks, shares = list(bar.figure.data[0].x), list(bar.figure.data[0].y)
    np.testing.assert_allclose(shares, engine.acceptability.loc[code, ranks].to_numpy())
    assert sum(shares) == pytest.approx(1.0)  # every rank the village reaches is in the bar
    _title, without = profile_view(registry, "sumedang", code, 2021, config, "id", {})
    assert "profile-smaa-bar" not in str(without) and "SMAA" not in str(without)


def _walk(component):
    yield component
    children = getattr(component, "children", None)
    if isinstance(component, list):
        children = component
    for child in children if isinstance(children, list) else [children] if children is not None else []:
        if not isinstance(child, str | int | float):
            yield from _walk(child)


def test_survey_line_and_presenter_equal_the_engine(registry, sumedang_dataset, config) -> None:
    k = survey_of_page(registry, "sumedang", config, {"survey": SURVEY})
    ref = reconcile_dataset(sumedang_dataset, 2021, SurveyEstimate(20.8, 18.0, 23.6, 2021, "SSGI")).kabupaten
    assert k is not None and k.register == pytest.approx(ref.register)
    assert (k.register_low, k.register_high) == pytest.approx((ref.register_low, ref.register_high))
    # independent: the pooled register prevalence Σk/Σn of 2021
    values = sumedang_dataset.values("prevalensi" if 2021 in sumedang_dataset.indicator_years("prevalensi")
                                     else "rasio_merah", 2021)
    pooled = 100 * np.nansum(values.numerator) / np.nansum(values.denominator)
    assert k.register == pytest.approx(pooled)
    line = str(survey_line(k, "id"))
    assert "SSGI 2021: 20,8% (95% CI 18,0–23,6%)" in line
    assert f"register e-PPGBM: {format_percent(pooled, 1, 'id')}" in line
    assert "cakupan pengukuran" in line
    assert "SSGI 2021: 20.8% (95% CI 18.0–23.6%)" in str(survey_line(k, "en"))
    big = str(survey_present(k, "id"))
    assert "20,8%" in big and format_percent(pooled, 1, "id") in big and "present-card-value" in big
    assert survey_line(None, "id") is None and survey_present(None, "id") == []
    assert survey_of_page(registry, "sumedang", config, {}) is None
    assert survey_of_page(registry, "sumedang", config, {"survey": {**SURVEY, "low": 30}}) is None


def test_registered_callbacks_use_the_store(app, config) -> None:
    def callback(name):
        return next(c["callback"].__wrapped__ for c in app.callback_map.values()
                    if "callback" in c and c["callback"].__wrapped__.__name__ == name)

    line = callback("_map_survey")({"survey": SURVEY}, config, "sumedang", "id")
    assert "SSGI 2021: 20,8%" in str(line)
    assert callback("_map_survey")({}, config, "sumedang", "id") is None
    _title, body, _meeting = callback("_body")(1, None, "sumedang", config, None, 2021, None, "id",
                                              {"survey": SURVEY})
    assert "present-survey" in str(body) and "20,8%" in str(body)
    _t, plain, _m = callback("_body")(1, None, "sumedang", config, None, 2021, None, "id", {})
    assert "present-survey" not in str(plain)
    _rows, _alerts, _summary, _fig, legend = callback("_score")(config, "stabilitas", {"smaa": SMAA},
                                                                "sumedang", "id")
    assert "SMAA, 2.000 simulasi" in str(legend)
