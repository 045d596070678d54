"""The view in the URL: parsing, validation against the dataset, round trip."""

from __future__ import annotations

import pytest

from geo.view.viewstate import (
    ViewChoices,
    ViewState,
    parse_query,
    pick_dataset,
    resolve_view,
    to_query,
    with_lang,
)

CHOICES = ViewChoices(years=[2019, 2020, 2021], indicators=["merah", "rasio_merah"],
                      kecamatan=["32.11.01", "32.11.02"], default_indicator="rasio_merah",
                      pages=["tabel", "skoring", "data"])


def test_parse_query_handles_prefix_blanks_repeats_and_escapes():
    assert parse_query("?a=1&b=&a=2&c=x%20y") == {"a": "1", "b": "", "c": "x y"}
    assert parse_query("") == parse_query(None) == {}
    assert parse_query("year=2020") == {"year": "2020"}


def test_full_query_is_restored():
    args = parse_query("?dataset=sumedang&year=2020&indicator=merah&kec=32.11.02&page=skoring"
                       "&scenario=7&step=3&lang=en")
    view = resolve_view(args, "sumedang", CHOICES)
    assert view == ViewState("sumedang", 2020, "merah", "32.11.02", "skoring", 7, 3, "en")


def test_empty_query_gives_defaults():
    assert resolve_view({}, "sumedang", CHOICES) == ViewState(
        "sumedang", 2021, "rasio_merah", None, "tabel", None, 0, "id")


@pytest.mark.parametrize(("key", "bad"), [
    ("year", "1999"), ("year", "20x0"), ("year", ""), ("indicator", "stunting_palsu"),
    ("indicator", "<script>"), ("kec", "99.99.99"), ("page", "admin"), ("scenario", "-1"),
    ("scenario", "abc"), ("step", "6"), ("step", "-1"), ("lang", "fr"),
])
def test_every_bad_value_falls_back_to_its_default(key, bad):
    default = resolve_view({}, "sumedang", CHOICES)
    assert resolve_view({key: bad}, "sumedang", CHOICES) == default


def test_unknown_dataset_falls_back_to_default():
    assert pick_dataset({"dataset": "garut"}, ["sumedang"], "sumedang") == "sumedang"
    assert pick_dataset({"dataset": "garut"}, ["sumedang", "garut"], "sumedang") == "garut"
    assert pick_dataset({}, ["sumedang"], "sumedang") == "sumedang"


def test_round_trip_and_empty_values_left_out():
    view = ViewState("sumedang", 2019, "merah", "32.11.01", "data", 4, 2, "en")
    assert resolve_view(parse_query(to_query(view)), "sumedang", CHOICES) == view
    plain = to_query(ViewState("sumedang", 2019, "merah", page="tabel"))
    assert "kec=" not in plain and "scenario=" not in plain and "step=" not in plain


def test_language_switch_keeps_the_other_arguments():
    assert with_lang("?year=2020&kec=32.11.01&lang=id", "en") == "?year=2020&kec=32.11.01&lang=en"
    assert with_lang("", "en") == "?lang=en"
    assert with_lang("?lang=en", "xx") == "?lang=id"
