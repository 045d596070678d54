"""The wilayah (area) of a dataset: the common Kemendagri code prefix of its villages.

Access by area (issue 12) compares an account's area with the wilayah of a dataset (and of
the scenarios saved on it). The wilayah is computed from the data, never typed: a dataset of
one kabupaten has ``32.11``, one spanning several kabupaten of a province ``32``, one spanning
provinces ``""`` (the whole country). It never goes below the kabupaten: a dataset holding
only one kecamatan's villages is still the kabupaten's data.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["KABUPATEN_PARTS", "dataset_wilayah", "kabupaten_of"]

#: Dotted parts of a kabupaten code (``32.11``): the deepest level a dataset's wilayah takes.
KABUPATEN_PARTS = 2


def dataset_wilayah(codes: Iterable[str]) -> str:
    """The common code prefix (whole dotted parts, at most the kabupaten) of village codes.

    >>> dataset_wilayah(["32.11.01.2001", "32.11.26.2003"])
    '32.11'
    >>> dataset_wilayah(["32.11.01.2001", "32.04.01.2001"]), dataset_wilayah(["32.11.01", "33.01.01"])
    ('32', '')
    >>> dataset_wilayah([])
    ''
    """
    common: list[str] | None = None
    for code in codes:
        parts = str(code).split(".")[:KABUPATEN_PARTS]
        if common is None:
            common = parts
            continue
        n = 0
        while n < min(len(common), len(parts)) and common[n] == parts[n]:
            n += 1
        common = common[:n]
        if not common:
            break
    return ".".join(common or [])


def kabupaten_of(code: str) -> str:
    """The kabupaten part of a code or area (``32.11.01`` → ``32.11``; ``32`` stays ``32``)."""
    return ".".join(code.split(".")[:KABUPATEN_PARTS]) if code else ""
