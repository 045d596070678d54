"""Kemendagri village codes: normalising, validating and telling them from BPS codes.

A Kemendagri village code (Permendagri 58/2021, DOMAIN §7.1) is ``PP.KK.CC.DDDD``:
province (11..96), kabupaten/kota, kecamatan, and a 4-digit village part whose first
digit is 1 (kelurahan), 2 (desa) or 3 (desa adat).  A BPS code (DOMAIN §7.3) is
``PPKKCCCDDD`` with a 3-digit kecamatan that usually ends in 0, so its 7th digit
(index 6) is usually ``0`` — impossible in a Kemendagri code.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from decimal import Decimal, InvalidOperation
from typing import Literal

import numpy as np
import pandas as pd

__all__ = [
    "BPS_MIN_SHARE",
    "KEMENDAGRI_MIN_SHARE",
    "detect_code_system",
    "kecamatan_code",
    "kecamatan_codes",
    "looks_like_bps",
    "looks_like_bps_series",
    "normalise_code",
    "normalise_codes",
    "village_type",
]

#: Share of non-empty values that must be valid Kemendagri codes for the column to count as
#: Kemendagri (tolerates a few typos in an otherwise clean column).
KEMENDAGRI_MIN_SHARE = 0.8
#: Share of non-empty values that must look BPS for the column to count as BPS.  Low on
#: purpose: only the codes of unsplit BPS kecamatan (7th digit 0) give BPS away; codes of
#: split kecamatan (7th digit 1, 2, ...) are indistinguishable from Kemendagri codes.
BPS_MIN_SHARE = 0.2

_DOTTED = r"(?P<d1>[0-9]{2})\.(?P<d2>[0-9]{2})\.(?P<d3>[0-9]{2})\.(?P<d4>[0-9]{4})"
# Ten digits, optionally with the ".0" that spreadsheets and float columns append.
_PLAIN = r"(?P<p>[0-9]{10})(?:\.0*)?"
_CODE_RE = re.compile(rf"^(?:{_DOTTED}|{_PLAIN})$")
_SCIENTIFIC_RE = re.compile(r"^[+]?[0-9]+(?:\.[0-9]+)?[eE][+]?[0-9]+$")
# Optional "ID" prefix: OCHA COD-AB P-codes prefix the BPS code with the ISO country code.
_BPS_RE = re.compile(r"^(?:[iI][dD])?(?P<p>[0-9]{10})(?:\.0*)?$")
_VILLAGE_TYPES = {"1": "kelurahan", "2": "desa", "3": "desa adat"}

# The scalar functions below are plain Python (fast enough to ``map`` over 83k codes);
# the vectorised ones use pandas string ops.  A property test keeps them in agreement.


def _expand_scientific(text: str) -> str:
    """Turn ``3.211012001E9`` into ``3211012001`` (unchanged if not an integer)."""
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    if number != number.to_integral_value():
        return text
    return str(int(number))


def _scalar_text(value: object) -> str | None:
    """Stripped text of a scalar (integral floats without ``.0``); None when empty."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        if not math.isfinite(value):
            return None
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    try:
        if pd.isna(value):  # type: ignore[call-overload]
            return None
    except (TypeError, ValueError):
        pass
    text = str(value).strip()
    if _SCIENTIFIC_RE.match(text):
        text = _expand_scientific(text)
    return text or None


def _valid_digits(digits: str) -> bool:
    return (
        11 <= int(digits[:2]) <= 96
        and digits[2:4] != "00"
        and digits[4:6] != "00"
        and digits[6] in _VILLAGE_TYPES
        and digits[7:] != "000"
    )


def normalise_code(value: object) -> str | None:
    """Canonical dotted Kemendagri village code, or None.

    Accepts ``32.11.01.2001``, ``3211012001``, surrounding spaces, spreadsheet floats
    (``3211012001.0``, ``3.211012001E9``) and Python/numpy numbers.  Provinces start at
    11, so no leading zero can have been lost and nothing is padded.

    Parameters
    ----------
    value
        Any scalar.

    Returns
    -------
    str or None
        ``PP.KK.CC.DDDD``; None for empty values and anything that is not a 10-digit
        village code whose village part starts with 1, 2 or 3 (so BPS codes, whose
        7th digit is usually 0, give None).
    """
    text = _scalar_text(value)
    match = _CODE_RE.match(text) if text else None
    if match is None:
        return None
    digits = match["p"] or "".join(match.group("d1", "d2", "d3", "d4"))
    if not _valid_digits(digits):
        return None
    return f"{digits[:2]}.{digits[2:4]}.{digits[4:6]}.{digits[6:]}"


def _as_text(series: pd.Series) -> pd.Series:
    """Stripped text with NA for missing or empty cells; scientific notation expanded."""
    text = series.astype("string").str.strip()
    text = text.mask(text == "")
    sci = text.str.match(_SCIENTIFIC_RE.pattern).fillna(False).astype(bool)
    if sci.any():
        text = text.copy()
        text[sci] = text[sci].map(_expand_scientific)
    return text


def normalise_codes(series: pd.Series) -> pd.Series:
    """Vectorised :func:`normalise_code`.

    Parameters
    ----------
    series
        Codes as text, integers or floats (any dtype).

    Returns
    -------
    pandas.Series
        ``string`` dtype, same index, canonical ``PP.KK.CC.DDDD`` or NA where invalid.
    """
    text = _as_text(series)
    parts = text.str.extract(_CODE_RE.pattern)
    digits = parts["p"].fillna(parts["d1"] + parts["d2"] + parts["d3"] + parts["d4"])
    digits = digits.astype("string")
    prov = pd.to_numeric(digits.str[:2], errors="coerce")
    valid = (
        digits.notna()
        & prov.between(11, 96)
        & (digits.str[2:4] != "00")
        & (digits.str[4:6] != "00")
        & digits.str[6].isin(list(_VILLAGE_TYPES))
        & (digits.str[7:10] != "000")
    ).fillna(False).astype(bool)
    dotted = digits.str[:2] + "." + digits.str[2:4] + "." + digits.str[4:6] + "." + digits.str[6:]
    return dotted.where(valid, pd.NA).astype("string")


def looks_like_bps_series(series: pd.Series) -> pd.Series:
    """Vectorised :func:`looks_like_bps` (boolean Series, same index)."""
    text = _as_text(series)
    digits = text.str.extract(_BPS_RE.pattern)["p"].astype("string")
    prov = pd.to_numeric(digits.str[:2], errors="coerce")
    result = digits.notna() & prov.between(11, 96) & (digits.str[6] == "0")
    return result.fillna(False).astype(bool)


def looks_like_bps(value: object) -> bool:
    """Whether a value is a 10-digit code in BPS layout ``PP KK CCC DDD``.

    The tell is the 7th digit (index 6): ``0`` for the unsplit BPS kecamatan
    (``010``, ``020``, ..., ``100``), impossible in a Kemendagri code whose village
    part starts with 1, 2 or 3.  Floats (``3211100004.0``) and an ``ID`` prefix
    (OCHA P-codes) are accepted.  Codes of split BPS kecamatan (7th digit 1..9)
    cannot be told apart value by value; use :func:`detect_code_system` on a column.
    """
    text = _scalar_text(value)
    match = _BPS_RE.match(text) if text else None
    return match is not None and 11 <= int(match["p"][:2]) <= 96 and match["p"][6] == "0"


def detect_code_system(
    series: pd.Series, known_codes: Collection[str] | None = None
) -> Literal["kemendagri", "bps", "unknown"]:
    """Decide which code system a whole column uses.

    Rule, over the non-empty values:

    1. ``"kemendagri"`` if at least :data:`KEMENDAGRI_MIN_SHARE` (80 %) of them
       normalise to a Kemendagri code (and, when ``known_codes`` is given, that code
       is in ``known_codes``);
    2. else ``"bps"`` if at least :data:`BPS_MIN_SHARE` (20 %) of them look BPS
       (:func:`looks_like_bps`) — in a real BPS column most codes look BPS and the
       rest (split kecamatan) masquerade as Kemendagri codes;
    3. else ``"unknown"`` (also for an empty column).

    Parameters
    ----------
    series
        The code column, any dtype.
    known_codes
        Optional dotted Kemendagri codes that exist (e.g. the 2025 code list).
    """
    text = _as_text(series)
    present = text.notna()
    n = int(present.sum())
    if n == 0:
        return "unknown"
    kem = normalise_codes(text)
    kem_ok = kem.notna()
    if known_codes is not None:
        kem_ok &= kem.isin(set(known_codes)).fillna(False).astype(bool)
    if kem_ok.sum() / n >= KEMENDAGRI_MIN_SHARE:
        return "kemendagri"
    if looks_like_bps_series(text).sum() / n >= BPS_MIN_SHARE:
        return "bps"
    return "unknown"


def _require(code: object) -> str:
    normal = normalise_code(code)
    if normal is None:
        raise ValueError(f"not a Kemendagri village code: {code!r}")
    return normal


def kecamatan_code(code: str) -> str:
    """Kecamatan part of a village code: ``"32.11.01.2001"`` -> ``"32.11.01"``.

    Raises
    ------
    ValueError
        If ``code`` is not a valid village code (a programming error: validate first).
    """
    return _require(code)[:8]


def kecamatan_codes(series: pd.Series) -> pd.Series:
    """Vectorised :func:`kecamatan_code` (``string`` dtype, NA where invalid)."""
    return normalise_codes(series).str[:8]


def village_type(code: str) -> Literal["kelurahan", "desa", "desa adat"]:
    """Village type from the first digit of the 4-digit village part.

    Raises
    ------
    ValueError
        If ``code`` is not a valid village code.
    """
    return _VILLAGE_TYPES[_require(code)[9]]  # type: ignore[return-value]
