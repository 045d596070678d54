"""The scoring tabs ("Skoring lokus", "Kuadran") in Bahasa Indonesia (default) and English."""

from __future__ import annotations

import json
import re

import plotly.io
import pytest

from callbacks.scoring import (
    ahp_feedback,
    explain_card,
    map_patch,
    ranking_rows,
    summary_line,
)
from geo.core.messages import Message
from geo.scoring.config import PRESETS, ScoringConfig
from geo.scoring.explain import explain, explain_sentence, explain_village
from geo.scoring.pipeline import run_scoring
from geo.scoring.presets import preset_config
from geo.scoring.quadrant import quadrant
from geo.scoring.result import reason_text
from layouts import scoring

#: Props that hold code, not words.
_SKIP = {"id", "className", "type", "namespace", "style", "field", "value", "html_for",
         "getRowId", "valueFormatter", "role", "color", "sort", "tooltipField", "getRowStyle"}

#: Words of the Indonesian panels that must not be left in the English ones.
INDONESIAN = ["Tahun yang diskor", "Indikator", "arah dari katalog", "Bobot", "perbandingan berpasangan",
              "Terapkan", "Metode", "Normalisasi", "Jumlah terbobot", "Rerata geometrik", "Min–maks",
              "Skor-z", "persentil", "rerata kabupaten", "penghalusan", "Data kosong", "Keluarkan",
              "Isi median", "terburuk", "Minimal", "desa lokus", "Maks.", "tanpa batas",
              "dipaksa", "Pilih desa", "Alasan", "wajib", "kesepakatan", "Masuk", "Keluar", "Desa/Kel.",
              "Kecamatan", "Skor", "Stabilitas", "Prioritas", "Catatan", "Kode", "simulasi",
              "Tinggi-Tinggi", "sebagai kriteria", "anak diukur", "Garis potong", "Hasil",
              "kesenjangan", "Klik titik", "memilih desa", "Belum ada"]


def texts(obj) -> str:
    """Every visible-ish string of a component tree (children, labels, placeholders, headers)."""
    out: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key not in _SKIP:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str):
            out.append(node)

    walk(json.loads(plotly.io.json.to_json_plotly(obj)))
    return "\n".join(out)


def found(words: list[str], text: str) -> list[str]:
    return [w for w in words if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text)]


@pytest.fixture(scope="module")
def dataset(registry):
    return registry.get("sumedang")


@pytest.fixture(scope="module")
def config(dataset):
    return preset_config(dataset, "prevalensi_kasus", 2021).to_dict()


@pytest.fixture(scope="module")
def result(registry, config):
    return registry.score("sumedang", config)


def panel(dataset, lang: str):
    year = dataset.years[-1]
    choices = [(i.id, i.label(lang), i.direction, i.sector) for i in dataset.scoring_indicators(year)]
    villages = [(c, n) for c, n in zip(dataset.villages["kode"], dataset.villages["nama"], strict=True)]
    presets = {name: p["label_id"] for name, p in PRESETS.items()}
    return html_of(scoring.scoring_panel(dataset.years, presets, choices, villages, lang),
                   scoring.quadrant_panel(lang))


def html_of(*components) -> str:
    return "\n".join(texts(c) for c in components)


def test_scoring_panel_in_english_has_no_indonesian_left(dataset):
    id_text, en_text = panel(dataset, "id"), panel(dataset, "en")
    # the list is a real check: every word is on the Indonesian panel
    assert found(INDONESIAN, id_text) == INDONESIAN
    assert found(INDONESIAN, en_text) == []
    for english in ("Year scored", "Weighted sum (SAW)", "Number of priority villages (N)",
                    "Reason (required)", "Subdistrict", "Priority class", "Village convergence scorecard",
                    "Cut line x", "Empirical Bayes towards the district mean", "Apply the AHP weights"):
        assert english in en_text, english
    # Indonesian as before
    assert "Jumlah terbobot (SAW)" in id_text and "Perpres 72/2021 intervensi spesifik" in id_text


def test_weights_and_ahp_pickers_follow_the_language():
    rows = scoring.weight_rows([("a", "Stunting prevalence", "higher_worse")], {"a": 1.0}, "en")
    assert "higher is worse" in texts(rows) and "makin" not in texts(rows)
    ahp = texts(scoring.ahp_matrix([("a", "A"), ("b", "B")], "en"))
    assert "1 (equally important)" in ahp and "sama penting" not in ahp
    assert "Choose at least two" in texts(scoring.ahp_matrix([("a", "A")], "en"))
    columns = scoring.ranking_columns("en")
    assert "replace('.', ',')" not in json.dumps(columns)  # English decimals in the grid
    assert "replace('.', ',')" in json.dumps(scoring.ranking_columns("id"))
    stability = next(c for c in columns if c["field"] == "stabilitas")
    assert '"inti": "core"' in stability["valueFormatter"]["function"]
    assert "valueFormatter" not in next(c for c in scoring.ranking_columns("id")
                                        if c["field"] == "stabilitas")


def test_explanation_card_and_sentence_in_english(registry, result, config):
    code = result.ranked().iloc[0]["kode"]
    en = texts(explain_card(registry, "sumedang", config, code, "en"))
    idn = texts(explain_card(registry, "sumedang", config, code, "id"))
    assert "Mengapa" in idn and "terutama karena" in idn and "kontribusi" in idn
    for word in ("Why", "Rank", "ranks", "mainly because of", "contribution", "Indicator", "Value",
                 "Contribution", "children"):
        assert word in en, word
    assert found(["Mengapa", "Peringkat", "peringkat", "terutama", "kontribusi", "dari", "Kecamatan",
                  "mentah", "anak", "Indikator", "Nilai"], en) == []
    # English number style: decimal point, Indonesian: decimal comma
    assert re.search(r"\d\.\d%", en) and not re.search(r"\d,\d%", en)
    assert re.search(r"\d,\d%", idn)
    assert "Why" not in texts(explain_card(registry, "sumedang", config, None, "id"))
    assert "Click a village" in texts(explain_card(registry, "sumedang", config, None, "en"))


def test_indonesian_sentence_is_unchanged(result):
    """The page's sentence in Indonesian is byte-identical to geo.scoring.explain.explain_sentence."""
    table = result.table.set_index("kode")
    ids = [c.id for c in result.criteria]
    contrib = table[[f"{c}__kontribusi" for c in ids]].set_axis(ids, axis=1)
    expl = explain(contrib, table["peringkat"], table["kode_kec"])
    for code in result.ranked()["kode"].iloc[[0, 5, 100, 260]]:
        row = table.loc[code]
        prefix = "Kelurahan" if code.split(".")[-1].startswith("1") else "Desa"
        expected = explain_sentence(code, expl, table[ids], list(result.criteria), name=row["nama"],
                                    kecamatan_name=row["nama_kec"], prefix=prefix).render()
        assert explain_village(result, code).sentence == expected
        assert explain_village(result, code, "id").sentence == expected


def test_village_without_data_explained_in_english(result):
    code = result.table.loc[result.table["skor"].isna(), "kode"].iloc[0]
    ex = explain_village(result, code, "en")
    assert "was not scored" in ex.sentence and "tidak" not in ex.sentence
    assert ex.reason == "no data"
    assert explain_village(result, code).reason == "tanpa data"  # stored data unchanged


def test_quadrant_figure_in_english(result, dataset):
    quad = quadrant(result, dataset, lang="en")
    table = result.table
    fig = scoring.quadrant_figure(quad.table["outcome"], quad.table["gap"], table["nama"], table["kode"],
                                  table["rekomendasi"] == "ya", quad.x_cut, quad.y_cut, quad.x_title,
                                  quad.y_title, "en")
    assert fig.layout.separators == ".,"
    assert fig.layout.xaxis.title.text == "Red screening rate (red / children measured), smoothed (%)"
    assert fig.layout.yaxis.title.text == "Coverage gap (no coverage indicator chosen)"
    assert fig.layout.annotations[0].text == "Priority: poor outcome + large gap"
    assert "Red screening rate" in fig.data[0].hovertemplate
    idq = quadrant(result, dataset)
    assert idq.x_title.endswith("dihaluskan (%)") and "Kesenjangan cakupan" in idq.y_title
    assert scoring.quadrant_figure([1], [1], ["a"], ["k"], [True], 0, 0, "x", "y").layout.separators == ",."
    # the quadrant labels of the table are data and stay Indonesian
    assert set(quad.table["kuadran"]) == set(idq.table["kuadran"])


def test_status_texts_rows_and_map_layer_in_english(result):
    line = summary_line(result, "en")
    assert line.startswith("Year 2021 · 2 indicators · 20 priority villages recommended")
    assert summary_line(result).startswith("Tahun 2021 · 2 indikator · 20 desa lokus")
    rows = ranking_rows(result, "en")
    assert rows[0]["alasan"] == "rank 1" and rows[0]["rekomendasi"] == "ya"  # data values kept
    flagged = [r["flags"] for r in rows if r["flags"]]
    assert flagged and not found(["kosong", "kecil", "tanpa data", "dikecualikan"], "\n".join(flagged))
    assert ranking_rows(result)[0]["alasan"] == "peringkat 1"
    fig, legend = map_patch(result, "rekomendasi", "en")
    legend_text = texts(legend)
    assert "Recommended priority villages" in legend_text and "Priority village (recommended)" in legend_text
    assert "metode" not in legend_text and "Lokus (rekomendasi)" not in legend_text
    trace_text = json.dumps(fig.to_plotly_json())
    assert "Subdistrict %{customdata[1]}" in trace_text and "peringkat" not in trace_text
    score_fig, _ = map_patch(result, "skor", "en")
    assert re.search(r"score \d\.\d{3}, rank 1,", json.dumps(score_fig.to_plotly_json()))


def test_ahp_feedback_in_english():
    labels = {"a": "A", "b": "B", "c": "C"}
    pairs = [{"a": "a", "b": "b"}, {"a": "a", "b": "c"}, {"a": "b", "b": "c"}]
    text, _ = ahp_feedback([9, 1 / 9, 9], pairs, labels, True, False, "en")
    words = texts(text)
    assert "NOT consistent, > 0.1" in words and "Weights not applied" in words and "Bobot" not in words
    assert re.search(r"CR = \d\.\d{3} ", words)
    text, _ = ahp_feedback([3, 5, 3], pairs, labels, True, False, "en")
    assert "AHP weights applied." in texts(text)


def test_engine_warnings_and_reasons_are_shown_in_english(registry, dataset):
    config = preset_config(dataset, "perpres72_spesifik", 2021, method="topsis", smoothing="none",
                           top_n=5, max_per_kecamatan=1, min_one_per_kecamatan=False,
                           force_in={"32.11.17.1001": "SK Bupati 2,5"}, force_out={},
                           draws=50).to_dict()
    result = registry.score("sumedang", config)
    assert len(result.warnings) >= 3
    indonesian = ["tidak", "untuk", "data ini", "dilewati", "desa", "SINTETIS", "memerlukan", "diisi",
                  "dengan", "dihaluskan"]
    for warning in result.warnings:
        english = warning.render("en")
        assert english != warning.render("id") and not found(indonesian, english), english
        assert warning.render() == warning.render("id")
    assert any("Perpres 72/2021 specific interventions" in w.render("en") for w in result.warnings)
    reasons = {reason_text(r, "en") for r in result.table["alasan"]}
    assert "forced in: SK Bupati 2,5" in reasons  # the planner's own words are kept as typed
    inconsistent = run_scoring(dataset, ScoringConfig.from_dict({**config, "ahp_cr": 0.125}),
                               stability=False, hotspots=False)
    ahp = next(w for w in inconsistent.warnings if w.key == "scoring.engine.ahp_inconsistent")
    assert ahp.render() == ("Bobot AHP tidak konsisten (CR = 0,125 > 0,1), diterapkan atas "
                            "konfirmasi pengguna.")
    assert ahp.render("en") == ("Inconsistent AHP weights (CR = 0.125 > 0.1), applied because the "
                                "user confirmed.")
    note = Message.of("scoring.engine.note", text="some other text")  # a free note stays as written
    assert note.render("en") == note.render("id") == "some other text"
