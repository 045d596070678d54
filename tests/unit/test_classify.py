import mapclassify
import numpy as np
import pytest

from geo.core.i18n import format_number
from geo.scoring.classify import classify


def test_who_bands_are_half_open_at_the_published_thresholds():
    # de Onis 2019: <2.5 very low, 2.5–<10 low, 10–<20 medium, 20–<30 high, >=30 very high
    values = np.array([0.0, 2.49, 2.5, 9.99, 10.0, 19.99, 20.0, 29.99, 30.0, 100.0, np.nan])
    c = classify(values, "who")
    assert c.index.tolist() == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, -1]
    assert c.counts == (2, 2, 2, 2, 2)
    assert c.n_missing == 1
    assert c.labels[0].startswith("Sangat rendah") and "2,5%" in c.labels[0]
    assert c.labels[-1] == "Sangat tinggi (≥ 30,0%)"


@pytest.mark.parametrize("scheme,cls", [("quantiles", mapclassify.Quantiles),
                                        ("equal_interval", mapclassify.EqualInterval),
                                        ("natural_breaks", mapclassify.FisherJenks)])
def test_data_driven_schemes_match_mapclassify_and_skip_nan(scheme, cls):
    rng = np.random.default_rng(1)
    values = rng.gamma(2.0, 3.0, 200)
    with_nan = np.concatenate([values, [np.nan] * 7])
    c = classify(with_nan, scheme, 5)
    ref = cls(values, k=5)
    assert c.index[:200].tolist() == ref.yb.tolist()
    assert (c.index[200:] == -1).all()
    assert sum(c.counts) == 200 and c.n_missing == 7


def test_equal_interval_by_hand():
    c = classify(np.array([0.0, 1.0, 2.0, 3.0, 4.0, 10.0]), "equal_interval", 2)
    # two classes of width 5: [0, 5] and (5, 10]
    assert c.index.tolist() == [0, 0, 0, 0, 0, 1]
    assert c.labels == ("0 – 5", "> 5 – 10")  # whole numbers and breaks: no decimals


def test_labels_of_tied_and_fractional_classes():
    c = classify(np.array([0.0, 0.0, 0.0, 1.5, 3.0, 4.5]), "equal_interval", 3)
    assert c.labels == ("0,0 – 1,5", "> 1,5 – 3,0", "> 3,0 – 4,5")
    c = classify(np.array([0.0] * 6 + [2.0, 5.0, 9.0]), "quantiles", 3)
    assert c.labels[0] == "0,0"  # a class holding only zeros


def test_fewer_distinct_values_than_classes_lowers_k():
    c = classify(np.array([0.0, 0.0, 1.0, 1.0, np.nan]), "quantiles", 5)
    assert len(c.labels) == 2 and c.counts == (2, 2)


def test_all_missing_gives_no_classes():
    c = classify(np.array([np.nan, np.nan]), "quantiles", 5)
    assert c.labels == () and c.n_missing == 2


def test_indonesian_number_format():
    assert format_number(1234567.891, 2) == "1.234.567,89"
    assert format_number(1234567.891, 2, "en") == "1,234,567.89"
    assert format_number(float("nan")) == "–"
