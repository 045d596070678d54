"""Comparison keys of Indonesian village and kecamatan names (old spellings, prefixes, numerals).

Names are not keys, but two spellings of one village should compare equal:
:func:`normalise_village_name` removes what differs between the stunting tables, the
e-PPGBM exports and the code list (prefixes, punctuation, spelling reforms, Roman numerals,
doubled letters); :func:`spaced` is the looser key of an *exact* match.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Final

import pandas as pd

__all__ = ["normalise_village_name", "normalise_village_names", "spaced"]

# Administrative prefixes written in front of names: "DESA", "DS.", "KEL.", "KELURAHAN",
# "KEC.", "KECAMATAN" (only as whole words, so DESAMULYA stays intact).
_PREFIX = re.compile(r"^(?:(?:DESA|DS|KELURAHAN|KEL|KECAMATAN|KEC)\b\s*)+")
# Spelling reforms, applied in this order (both sides get the same key, so the key need
# not be the modern spelling, only the same for old and new forms):
#   Soewandi 1947: OE -> U                (SOEMEDANG -> SUMEDANG)
#   EYD 1972:      DJ -> J, TJ -> C, SJ -> SY, CH -> KH, NJ -> NY
# DJ -> J runs before NJ -> NY, so old TANDJUNG and modern TANJUNG both become TANYUNG.
# Old J -> modern Y is *not* applied: it would clash with DJ -> J (DJAJA vs JAYA), and
# J is far more often modern than old.
_SPELLING: Final = (("OE", "U"), ("DJ", "J"), ("TJ", "C"), ("SJ", "SY"), ("CH", "KH"), ("NJ", "NY"))
# Roman numerals as separate words become digits before doubled letters collapse, so
# SUKAMAJU II never turns into SUKAMAJU I.
_ROMAN: Final = {"I": "1", "II": "2", "III": "3", "IV": "4", "V": "5", "VI": "6", "VII": "7",
                 "VIII": "8", "IX": "9", "X": "10"}
_ROMAN_RE = re.compile(r"\b(" + "|".join(sorted(_ROMAN, key=len, reverse=True)) + r")\b")
# Doubled letters collapse: compounds are written with and without the join letter
# doubled (PASIR + REUNGIT = PASIRREUNGIT / PASIREUNGIT; GANJARRESIK / GANJARESIK;
# PADANAAN / PADANAN).  Digits never collapse.
_DOUBLE = re.compile(r"([A-Z])\1+")


def spaced(text: pd.Series) -> pd.Series:
    """Upper case, single spaces, trimmed (the key of an *exact* match)."""
    return text.astype("string").str.upper().str.replace(r"\s+", " ", regex=True).str.strip()


def normalise_village_names(names: pd.Series | Sequence[object]) -> pd.Series:
    """Vectorised :func:`normalise_village_name`; NA (or empty result) stays NA."""
    text = pd.Series(names, dtype="object").astype("string")
    # Accents off (É -> E), then upper case.
    text = text.map(
        lambda s: unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode("ascii"),
        na_action="ignore",
    ).astype("string").str.upper()
    text = text.str.replace(r"[^A-Z0-9]+", " ", regex=True).str.strip()
    text = text.str.replace(_PREFIX, "", regex=True)
    text = text.str.replace(_ROMAN_RE, lambda m: _ROMAN[m.group(1)], regex=True)
    for old, new in _SPELLING:
        text = text.str.replace(old, new, regex=False)
    text = text.str.replace(" ", "", regex=False)
    text = text.str.replace(_DOUBLE, r"\1", regex=True)
    return text.mask(text == "")


def normalise_village_name(name: object) -> str:
    """Comparison key of a village or kecamatan name.

    Rules, in order (each one documented at its regular expression in this module):

    1. accents removed, upper case;
    2. every run of punctuation/whitespace becomes one space;
    3. leading prefixes ``DESA``, ``DS``, ``KEL``, ``KELURAHAN``, ``KEC``, ``KECAMATAN``
       (whole words, after punctuation is gone, so ``KEL.`` and ``Ds.`` count) removed;
    4. Roman numerals as separate words become digits (``II`` -> ``2``);
    5. old spellings: ``OE``->``U``, ``DJ``->``J``, ``TJ``->``C``, ``SJ``->``SY``,
       ``CH``->``KH``, ``NJ``->``NY`` (a comparison key, not a spelling: modern
       ``GANJAR`` becomes ``GANYAR`` on both sides alike);
    6. spaces removed (``PASEH KIDUL`` = ``PASEHKIDUL``);
    7. doubled letters collapse (``GANJARRESIK`` = ``GANJARESIK``).

    Returns
    -------
    str
        The key; ``""`` for an empty or missing name.

    Examples
    --------
    >>> normalise_village_name("Kel. Paseh Kidul")
    'PASEHKIDUL'
    >>> normalise_village_name("DESA TJIKONENG-KOELON")
    'CIKONENGKULON'
    """
    if name is None or (not isinstance(name, str) and pd.isna(name)):  # type: ignore[call-overload]
        return ""
    out = normalise_village_names([str(name)]).iloc[0]
    return "" if pd.isna(out) else str(out)

