"""Column detection: map roles (``kode``, ``nama``, measures...) to the columns of a file.

Names are compared after normalising (lower case, only letters and digits kept), and only
exact normalised matches count: nothing fuzzy, so ``kode`` never grabs ``kode_bps`` or
``kode_kec`` and ``ibu_hamil`` never grabs ``ibu_hamil_kek``.  Within a role the first
alias wins (``KDEPUM`` before ``kode10``), and a column serves at most one role.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path

from geo.core.errors import InputError

__all__ = [
    "BOUNDARY_ROLES",
    "HEADERS_FILE",
    "ID_ROLES",
    "MEASURE_ROLES",
    "PERCENT_ROLES",
    "TABLE_ROLES",
    "TEXT_ROLES",
    "detect_columns",
    "known_unused",
    "normalise_name",
]

#: Boundary-file roles.  ``iddesa`` and ``ADM4_PCODE`` are BPS-style schemas: the code
#: system is decided from the values (:func:`geo.core.codes.detect_code_system`).
BOUNDARY_ROLES: dict[str, tuple[str, ...]] = {
    "kode": (
        "KDEPUM", "kode", "kode_desa", "kd_desa", "kode_desa_kelurahan", "kdepum", "iddesa",
        "id_desa", "ADM4_PCODE", "kode10", "kode_kemendagri", "kemendagri_kode_desa_kelurahan",
    ),
    "nama": (
        "WADMKD", "nama", "nama_desa", "nmdesa", "desa", "desa_kelurahan", "NAMOBJ", "ADM4_EN",
        "village",
    ),
    "nama_kec": ("WADMKC", "nama_kec", "nmkec", "kecamatan", "kec", "ADM3_EN", "district"),
    "kode_kec": ("KDCPUM", "kode_kec", "kd_kec"),
}

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def normalise_name(name: str) -> str:
    """Lower case without spaces, underscores, punctuation: ``"Desa/Kel"`` -> ``"desakel"``."""
    return _NOT_ALNUM.sub("", str(name).lower())


#: Measure roles of a village table (numbers), in display order.  ``balita`` is the number
#: of under-fives (the *sasaran*), ``prevalensi`` a stunting prevalence given as a percent
#: (0–100) by tables that carry no counts.
MEASURE_ROLES: tuple[str, ...] = (
    "anak_diukur", "pendek", "sangat_pendek", "stunting", "merah", "kuning", "hijau",
    "ibu_hamil", "ibu_hamil_kek", "keluarga", "keluarga_berisiko", "balita", "prevalensi",
)
#: Measure roles holding a percent (0–100) rather than a count.
PERCENT_ROLES: frozenset[str] = frozenset({"prevalensi"})
#: Text roles carried into the measures as they are (``mutu_pengukuran``: ``baik`` /
#: ``perlu_dicek``, written by the e-PPGBM aggregation).
TEXT_ROLES: tuple[str, ...] = ("mutu_pengukuran",)
#: Identifier roles of a village table, in detection order.
ID_ROLES: tuple[str, ...] = ("kode", "kode_bps", "nama_desa", "nama_kec", "tahun")

#: The header catalogue (``role,alias``; role ``-`` = known columns Lokus does not use,
#: such as ``No`` or ``Kabupaten``): common Indonesian headers as data, so a new alias is
#: a one-line edit.
HEADERS_FILE = Path(__file__).parents[1] / "resources" / "headers.csv"


@cache
def _header_catalogue() -> tuple[dict[str, tuple[str, ...]], frozenset[str]]:
    """(role → aliases in file order, normalised names of known unused columns).

    Raises
    ------
    ValueError
        A role in the file that Lokus does not know, or a role without any alias
        (a packaging error, caught by the tests).
    """
    roles = (*ID_ROLES, *MEASURE_ROLES, *TEXT_ROLES)
    aliases: dict[str, list[str]] = {r: [] for r in roles}
    unused: set[str] = set()
    with HEADERS_FILE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            role, alias = row["role"].strip(), row["alias"].strip()
            if role == "-":
                unused.add(normalise_name(alias))
            elif role in aliases:
                aliases[role].append(alias)
            else:
                raise ValueError(f"{HEADERS_FILE.name}: unknown role {role!r}")
    empty = [r for r, a in aliases.items() if not a]
    if empty:
        raise ValueError(f"{HEADERS_FILE.name}: no alias for {empty}")
    return {r: tuple(a) for r, a in aliases.items()}, frozenset(unused)


#: Village-table roles: identifiers first, then the measures of :data:`MEASURE_ROLES`,
#: then :data:`TEXT_ROLES`; aliases from :data:`HEADERS_FILE`.
TABLE_ROLES: dict[str, tuple[str, ...]] = dict(_header_catalogue()[0])


def known_unused(column: str) -> bool:
    """Whether a header is a known column that Lokus reads but does not use (``No``,
    ``Kabupaten``, ``Puskesmas``...): such columns need no "not recognised" note."""
    return normalise_name(column) in _header_catalogue()[1]


def detect_columns(
    columns: Sequence[str],
    roles: Mapping[str, Sequence[str]],
    overrides: Mapping[str, str] | None = None,
    *,
    file: str | None = None,
) -> dict[str, str]:
    """Map each role to the column that plays it.

    Parameters
    ----------
    columns
        Column names of the file, in file order.
    roles
        Role -> aliases, e.g. :data:`BOUNDARY_ROLES` or :data:`TABLE_ROLES`.
    overrides
        Role -> column chosen by the user; wins over detection and takes the column away
        from other roles.
    file
        Base file name for error messages.

    Returns
    -------
    dict
        Role -> actual column name, only for roles that were found.

    Raises
    ------
    InputError
        If an override names a column that does not exist.
    ValueError
        If an override names an unknown role (a programming error).
    """
    overrides = dict(overrides or {})
    for role, column in overrides.items():
        if role not in roles:
            raise ValueError(f"unknown role {role!r}; expected one of {sorted(roles)}")
        if column not in columns:
            raise InputError.of("input.mapping.column_missing", file=file, column=str(column),
                                chosen=str(column), role=role, columns=[str(c) for c in columns])
    found: dict[str, str] = dict(overrides)
    taken = set(overrides.values())
    by_name: dict[str, str] = {}
    for column in columns:
        by_name.setdefault(normalise_name(column), column)  # first of look-alike headers wins
    for role, aliases in roles.items():
        if role in found:
            continue
        for alias in aliases:
            match = by_name.get(normalise_name(alias))
            if match is not None and match not in taken:
                found[role] = match
                taken.add(match)
                break
    return {role: found[role] for role in roles if role in found}
