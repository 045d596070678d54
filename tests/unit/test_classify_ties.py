"""Fewer classes than asked when many villages share a value: the legend says why."""

from __future__ import annotations

import numpy as np

from geo.scoring.classify import classify, tie_note


def test_many_zeros_leave_four_quantile_classes_and_a_note_says_why():
    # 60 of 100 villages at 0 %: the 20 %, 40 % and 60 % quantiles are all 0, so quantiles
    # can only make 0 | three classes above it (by hand: 40 distinct positive values)
    values = np.array([0.0] * 60 + list(np.arange(1.0, 41.0)) + [np.nan] * 3)
    classes = classify(values, "quantiles", 5)
    assert len(classes.labels) < 5
    assert classes.counts[0] == 60 and sum(classes.counts) == 100 and classes.n_missing == 3
    note = classes.note
    assert note is not None and note.params["villages"] == 60
    assert note.params["made"] == len(classes.labels) and note.params["asked"] == 5
    assert note.render("id") == (f"Nilai yang sama (mis. 0) di 60 desa: {len(classes.labels)} kelas, "
                                 "bukan 5.")
    assert "classes, not 5" in note.render("en") and "60 villages" in note.render("en")


def test_the_note_names_the_most_shared_value_with_its_decimals():
    values = np.array([2.5] * 30 + [0.0] * 10 + [7.0, 9.0])
    note = classify(values, "quantiles", 5).note
    assert note is not None and "2,5" in note.render("id") and "2.5" in note.render("en")
    assert "di 30 desa" in note.render("id")


def test_no_note_when_every_class_is_made_or_nothing_is_tied():
    spread = np.arange(100.0)
    assert classify(spread, "quantiles", 5).note is None
    assert classify(np.array([1.0, 15.0, 35.0]), "who").note is None
    # three distinct values, none repeated: fewer classes, but not because of ties
    assert tie_note(np.array([1.0, 2.0, 3.0]), 5, 3) is None
    assert classify(np.array([1.0, 2.0, 3.0]), "quantiles", 5).note is None
