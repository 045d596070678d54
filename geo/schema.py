"""Column detection: map roles (``kode``, ``nama``, measures...) to the columns of a file.

Names are compared after normalising (lower case, only letters and digits kept), and only
exact normalised matches count: nothing fuzzy, so ``kode`` never grabs ``kode_bps`` or
``kode_kec`` and ``ibu_hamil`` never grabs ``ibu_hamil_kek``.  Within a role the first
alias wins (``KDEPUM`` before ``kode10``), and a column serves at most one role.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from geo.errors import InputError

__all__ = [
    "BOUNDARY_ROLES",
    "MEASURE_ROLES",
    "TABLE_ROLES",
    "detect_columns",
    "normalise_name",
]

#: Boundary-file roles.  ``iddesa`` and ``ADM4_PCODE`` are BPS-style schemas: the code
#: system is decided from the values (:func:`geo.codes.detect_code_system`).
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

#: Measure roles of a village table (counts), in display order.
MEASURE_ROLES: tuple[str, ...] = (
    "anak_diukur", "pendek", "sangat_pendek", "stunting", "merah", "kuning", "hijau",
    "ibu_hamil", "ibu_hamil_kek", "keluarga", "keluarga_berisiko",
)

#: Village-table roles: identifiers first, then the measures of :data:`MEASURE_ROLES`.
TABLE_ROLES: dict[str, tuple[str, ...]] = {
    "kode": (
        "kode", "kode_desa", "kd_desa", "kode_desa_kelurahan", "kdepum", "kode10",
        "kode_kemendagri", "kemendagri_kode_desa_kelurahan", "kode_wilayah",
    ),
    "kode_bps": ("kode_bps", "kd_bps", "bps_kode_desa_kelurahan"),
    "nama_desa": ("nama_desa", "desa", "desa/kel", "desa_kel", "nama"),
    "nama_kec": ("nama_kec", "kecamatan", "kec"),
    "tahun": ("tahun", "year", "periode"),
    "anak_diukur": ("balita_diukur", "jumlah_balita_diukur", "anak_diukur", "diukur", "measured"),
    "pendek": ("balita_pendek", "pendek"),
    "sangat_pendek": ("balita_sangat_pendek", "sangat_pendek"),
    "stunting": ("stunting", "jumlah_stunting", "balita_stunting", "stunted"),
    "merah": ("anak_0_23_merah_terindikasi_stunting", "merah", "terindikasi_stunting"),
    "kuning": ("anak_0_23_kuning_risiko_stunting", "kuning", "risiko_stunting"),
    "hijau": ("anak_0_23_hijau_normal", "hijau", "normal"),
    "ibu_hamil": ("ibu_hamil", "jumlah_ibu_hamil", "bumil"),
    "ibu_hamil_kek": ("ibu_hamil_kek", "bumil_kek", "kek"),
    "keluarga": ("jumlah_keluarga", "keluarga"),
    "keluarga_berisiko": ("keluarga_berisiko_stunting", "krs", "keluarga_berisiko"),
}

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def normalise_name(name: str) -> str:
    """Lower case without spaces, underscores, punctuation: ``"Desa/Kel"`` -> ``"desakel"``."""
    return _NOT_ALNUM.sub("", str(name).lower())


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
            raise InputError(
                f"kolom '{column}' yang dipilih untuk '{role}' tidak ada; kolom yang tersedia: "
                + ", ".join(map(str, columns)),
                file=file,
                column=str(column),
            )
    found: dict[str, str] = dict(overrides)
    taken = set(overrides.values())
    by_name: dict[str, str] = {}
    for column in columns:
        by_name.setdefault(normalise_name(column), column)  # first of look-alike headers wins
    for role, aliases in roles.items():
        if role in found:
            continue
        for alias in aliases:
            column = by_name.get(normalise_name(alias))
            if column is not None and column not in taken:
                found[role] = column
                taken.add(column)
                break
    return {role: found[role] for role in roles if role in found}
