"""A clearly synthetic e-PPGBM export, for demos and tests (no real child in it)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Final

import numpy as np
import pandas as pd

from geo.core.anthro import MAX_AGE_DAYS, haz, lms_table

__all__ = ["synthetic_export"]

_MONTHS_ID: Final = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
                     "Oktober", "November", "Desember")


def synthetic_export(
    n: int,
    seed: int,
    villages: pd.DataFrame | Sequence[tuple[str, str]],
    *,
    start: date = date(2024, 1, 1),
    months: int = 12,
    duplicate_share: float = 0.05,
    implausible_share: float = 0.002,
    export_error_share: float = 0.01,
    haz_sd: float = 1.5,
    first_child: int = 0,
) -> pd.DataFrame:
    """A clearly synthetic e-PPGBM export (all text, as the export looks), for demos and tests.

    NIKs start with ``99`` (no such province) and names read ``ANAK SINTETIS <n>``, so
    the file can never be mistaken for real data.  Heights are drawn from the WHO
    standard shifted to a mean HAZ of −1 (SD ``haz_sd``), measured lying under 24 months and
    standing from 24 months in 90 % of cases (the rest the other way, to exercise the
    0.7 cm rule); ``ZS TB/U`` is the true z rounded to 2 decimals, off by 0.5 in
    ``export_error_share`` of records; ``duplicate_share`` of records are an earlier
    measurement of a child in the same month; ``implausible_share`` have a height typed
    wrongly (×0.6).  Dates dd/mm/yyyy, decimal comma.

    Parameters
    ----------
    n
        Number of records (rows).
    seed
        Random seed (same seed, same file).
    villages
        ``(kecamatan, desa)`` names, or a frame with ``nama_kec``, ``nama_desa``.
    start, months
        Measurement months: ``months`` calendar months from ``start``.
    haz_sd
        SD of the true HAZ; the default 1.5 lies in WHO's expected 1.35–1.95, so demo
        villages pass the SD rule of :func:`measurement_flags`.
    first_child
        Number of the first child (NIK, name): blocks of a large file written one after the
        other keep their children apart.
    """
    rng = np.random.default_rng(seed)
    if isinstance(villages, pd.DataFrame):
        vil = villages[["nama_kec", "nama_desa"]].astype(str).to_numpy()
    else:
        vil = np.asarray(list(villages), dtype=object).reshape(-1, 2)
    if n <= 0 or len(vil) == 0:
        raise ValueError("n and villages must be non-empty")
    # one generator drawn in a fixed order: the same seed gives the same file
    kids = _children(rng, n, round(n * duplicate_share), len(vil), start, months)
    size = _sizes(rng, kids, haz_sd, implausible_share, export_error_share)
    frame = _export_frame(rng, kids, size, vil, first_child)
    return frame.iloc[rng.permutation(n)].reset_index(drop=True)


def _children(rng: np.random.Generator, n: int, n_dup: int, n_villages: int, start: date,
              months: int) -> dict[str, np.ndarray]:
    """Per record: ``child``, ``sex``, ``village``, ``birth``, ``measured``, ``age`` (days),
    ``duplicate`` (an earlier measurement of a child in the same month)."""
    n_child = n - n_dup
    child = np.concatenate([np.arange(n_child), rng.integers(0, n_child, n_dup)])
    sex = rng.integers(1, 3, n_child)
    v_of = rng.integers(0, n_villages, n_child)
    month_of = rng.integers(0, months, n_child)
    m0 = pd.Timestamp(start)
    month_start = (pd.DatetimeIndex([m0 + pd.DateOffset(months=int(k)) for k in range(months)])
                   .to_numpy(dtype="datetime64[D]"))
    day_in = rng.integers(5, 26, n)  # days after the month start
    meas = month_start[month_of[child]] + day_in.astype("timedelta64[D]")
    is_dup = np.zeros(n, dtype=bool)
    is_dup[n_child:] = True
    # A duplicate is an *earlier* measurement in the same month (the original is later).
    meas = np.where(is_dup, meas - rng.integers(1, 5, n).astype("timedelta64[D]"), meas)
    age_main = rng.integers(0, MAX_AGE_DAYS - 40, n_child)
    birth_c = month_start[month_of] + np.timedelta64(25, "D") - age_main.astype("timedelta64[D]")
    birth = birth_c[child]
    age = np.clip((meas - birth).astype("int64"), 0, MAX_AGE_DAYS)
    return {"child": child, "sex": sex[child], "village": v_of[child], "birth": birth,
            "measured": birth + age.astype("timedelta64[D]"), "age": age, "duplicate": is_dup,
            "n_child": np.asarray(n_child)}


def _sizes(rng: np.random.Generator, kids: dict[str, np.ndarray], haz_sd: float, implausible_share: float,
           export_error_share: float) -> dict[str, np.ndarray]:
    """Per record: ``height`` as measured (cm), ``lying``, ``export_z`` (the export's ZS TB/U),
    ``weight`` (kg)."""
    n, n_child = len(kids["child"]), int(kids["n_child"])
    s, age = kids["sex"], kids["age"]
    z_true = (rng.normal(-1.0, haz_sd, n_child)[kids["child"]]
              + np.where(kids["duplicate"], rng.normal(0, 0.05, n), 0.0))
    lms = lms_table()[s - 1, age]
    length = lms[:, 1] * (1 + lms[:, 0] * lms[:, 2] * z_true) ** (1 / lms[:, 0])  # table's kind of measure
    young = age < 731
    usual = rng.random(n) < 0.9
    lying = np.where(young, usual, ~usual)
    measured_h = length - np.where(young & ~lying, 0.7, 0.0) + np.where(~young & lying, 0.7, 0.0)
    bad = rng.random(n) < implausible_share
    measured_h = np.round(np.where(bad, measured_h * 0.6, measured_h), 1)
    export_z = np.round(haz(measured_h, age, s, lying), 2)
    off = rng.random(n) < export_error_share
    weight = np.round(3.3 + age / 365.25 * 2.3 + rng.normal(0, 0.8, n), 1).clip(1.5)
    return {"height": measured_h, "lying": lying, "export_z": np.where(off, export_z + 0.5, export_z),
            "weight": weight}


def _comma(x: np.ndarray, digits: int) -> pd.Series:
    text = pd.Series(np.round(x, digits)).map(f"{{:.{digits}f}}".format)
    return text.str.replace(".", ",", regex=False)


def _dmy(values: np.ndarray) -> pd.Series:
    codes, uniq = pd.factorize(values)
    return pd.Series(pd.DatetimeIndex(uniq).strftime("%d/%m/%Y").to_numpy()[codes])


def _export_frame(rng: np.random.Generator, kids: dict[str, np.ndarray], size: dict[str, np.ndarray],
                  vil: np.ndarray, first_child: int = 0) -> pd.DataFrame:
    """The records as the e-PPGBM export writes them (all text, columns in its order)."""
    age, child = kids["age"], kids["child"]
    years, rem = age // 365, age % 365
    mon = np.minimum(np.floor(rem / 30.4375), 11).astype(np.int64)
    dd = rem - np.floor(mon * 30.4375).astype(np.int64)
    cid = pd.Series(child + first_child)
    v = kids["village"]
    m_idx = pd.DatetimeIndex(kids["measured"]).month.to_numpy() - 1
    return pd.DataFrame({
        "NIK": "99" + cid.map("{:014d}".format),
        "Nama": "ANAK SINTETIS " + cid.map("{:06d}".format),
        "JK": np.where(kids["sex"] == 1, "L", "P"),
        "Tgl Lahir": _dmy(kids["birth"]),
        "Nama Ortu": "ORTU SINTETIS " + cid.map("{:06d}".format),
        "Prov": "JAWA BARAT",
        "Kab/Kota": "SUMEDANG",
        "Kec": vil[v, 0],
        "Desa/Kel": vil[v, 1],
        "Posyandu": "POSYANDU " + pd.Series(rng.integers(1, 6, int(kids["n_child"]))[child]).astype(str),
        "Alamat": "JL. SINTETIS NO. " + cid.map(str),
        "Usia Saat Ukur": (pd.Series(years).astype(str) + " Tahun - " + pd.Series(mon).astype(str)
                           + " Bulan - " + pd.Series(dd).astype(str) + " Hari"),
        "Tanggal Pengukuran": _dmy(kids["measured"]),
        "Bulan Pengukuran": np.asarray(_MONTHS_ID, dtype=object)[m_idx],
        "Berat": _comma(size["weight"], 1),
        "Tinggi": _comma(size["height"], 1),
        "Cara Ukur": np.where(size["lying"], "Telentang", "Berdiri"),
        "ZS TB/U": _comma(size["export_z"], 2),
    })
