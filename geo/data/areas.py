"""The area hierarchy of a dataset (provinsi → kabupaten/kota → kecamatan → desa/kelurahan)
and indicator values pooled per area.

Areas come from the Kemendagri village codes ``PP.KK.CC.DDDD`` alone: the province is the
first 2 characters, the kabupaten/kota the first 5, the kecamatan the first 8. Names come
from the dataset's village table (``nama``, ``nama_kec``, and ``nama_kab``/``nama_prov``
when the boundary file had them), else from the Kemendagri 2025 code list shipped with the
app (``region-codes``), else the code itself: a name is never invented.

Pooling (:func:`pool_values`) follows the village rules: a rate is the sum of the numerators
over the sum of the denominators of the villages that have a value (never a mean of rates),
a count is a sum, a percentage given without counts (coverage) is the plain mean of the
villages that have one; an area without a usable village has no value.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Final, Literal

import numpy as np
import pandas as pd

from geo.core.indicators import IndicatorValues
from geo.core.rates import wilson_interval
from geo.core.settings import embedded_data_dir
from geo.data.loading import region_names
from geo.data.wilayah import dataset_wilayah

__all__ = [
    "CODE_LENGTH",
    "LEVELS",
    "Area",
    "AreaHierarchy",
    "Level",
    "PooledValues",
    "area_kind",
    "build_hierarchy",
    "code_list_names",
    "level_of",
    "pool_values",
]

Level = Literal["provinsi", "kabupaten", "kecamatan", "desa"]
#: Levels from the top down.
LEVELS: Final[tuple[Level, ...]] = ("provinsi", "kabupaten", "kecamatan", "desa")
#: Length of a dotted code at each level (``32``, ``32.11``, ``32.11.01``, ``32.11.01.2001``).
CODE_LENGTH: Final[dict[Level, int]] = {"provinsi": 2, "kabupaten": 5, "kecamatan": 8, "desa": 13}
#: Name columns of a village table per level (the first present and non-empty wins).
_NAME_COLUMNS: Final[dict[Level, str]] = {"provinsi": "nama_prov", "kabupaten": "nama_kab",
                                         "kecamatan": "nama_kec", "desa": "nama"}
#: Words the code list and boundary files put before a kabupaten/kota or province name; the
#: kind is told by :func:`area_kind` and the catalogue, so it is kept out of the name.
_PREFIXES: Final = ("kabupaten ", "kab. ", "kab ", "kota ", "provinsi ", "prov. ")


def level_of(code: str) -> Level:
    """The level of a dotted code by its length; ValueError for anything else.

    >>> level_of("32"), level_of("32.11"), level_of("32.11.01"), level_of("32.11.01.2001")
    ('provinsi', 'kabupaten', 'kecamatan', 'desa')
    """
    for level, length in CODE_LENGTH.items():
        if len(code) == length:
            return level
    raise ValueError(f"not an area code: {code!r}")


def area_kind(code: str) -> str:
    """What an area is, for its label: ``provinsi``, ``kabupaten`` or ``kota`` (kab/kota
    part 71 and above is a kota), ``kecamatan``, ``desa``, ``kelurahan`` or ``desa_adat``
    (first digit of the village part: 1 kelurahan, 2 desa, 3 desa adat)."""
    level = level_of(code)
    if level == "kabupaten":
        return "kota" if int(code[3:5]) >= 71 else "kabupaten"
    if level == "desa":
        return {"1": "kelurahan", "3": "desa_adat"}.get(code[9], "desa")
    return level


def _bare(name: str) -> str:
    """A name without the kind word before it (``Kabupaten Sumedang`` → ``Sumedang``)."""
    lower = name.lower()
    for prefix in _PREFIXES:
        if lower.startswith(prefix) and len(name) > len(prefix):
            return name[len(prefix):].strip()
    return name.strip()


@cache
def code_list_names() -> dict[str, str]:
    """Kemendagri code → name from the 2025 code list shipped with the app (read once)."""
    return region_names(embedded_data_dir())


@dataclass(frozen=True)
class Area:
    """One area of a dataset.

    Attributes
    ----------
    code
        Dotted Kemendagri code (``32.11.01``).
    level
        One of :data:`LEVELS`.
    name
        Name without its kind word (``Sumedang``, ``Jatinangor``); the code when no
        source names it (then ``named`` is False).
    kind
        :func:`area_kind` (catalogue key ``levels.kind.<kind>`` labels it).
    parent
        Code of the area one level up ("" for a province).
    villages
        Villages of the dataset inside the area.
    named
        False when ``name`` is only the code.
    """

    code: str
    level: Level
    name: str
    kind: str
    parent: str
    villages: int
    named: bool = True


@dataclass(frozen=True)
class AreaHierarchy:
    """The areas of a dataset at every level and which villages each holds.

    Attributes
    ----------
    village_codes
        Village codes in the dataset's order (``Dataset.villages``).
    areas
        Code → :class:`Area`, for every level (villages included).
    members
        Level → the area code of each village at that level (aligned to ``village_codes``).
    root
        The area the whole dataset lies in (:func:`~geo.data.wilayah.dataset_wilayah`:
        ``32.11`` for one kabupaten, ``32`` for several of one province, "" for several
        provinces).
    opening_level
        The level a map of the whole dataset opens at: ``provinsi`` when it spans
        provinces, ``kabupaten`` when it spans kabupaten/kota, else ``desa`` (one
        kabupaten shows its villages, as before drill-down existed).
    """

    village_codes: tuple[str, ...]
    areas: dict[str, Area]
    members: dict[Level, np.ndarray]
    root: str
    opening_level: Level
    _children: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    _by_level: dict[Level, list[str]] = field(default_factory=dict, repr=False)

    def area(self, code: str) -> Area:
        """The area with this code (KeyError when the dataset has none)."""
        return self.areas[code]

    def at(self, level: Level, within: str = "") -> list[Area]:
        """Areas of ``level`` inside the area ``within`` ("" = all), in code order."""
        codes = self._by_level[level]
        first = bisect.bisect_left(codes, within)
        last = bisect.bisect_left(codes, within + "\uffff") if within else len(codes)
        return [self.areas[c] for c in codes[first:last]]

    def children(self, code: str) -> tuple[str, ...]:
        """Codes of the areas one level below ``code`` ("" = the provinces)."""
        return self._children.get(code, ())

    def villages_in(self, code: str) -> np.ndarray:
        """Boolean mask over :attr:`village_codes` of the villages inside an area
        ("" = all; a village code gives that village alone)."""
        if not code:
            return np.ones(len(self.village_codes), dtype=bool)
        return self.members[level_of(code)] == code

    def village_codes_in(self, code: str) -> list[str]:
        """Village codes inside an area, in the dataset's order."""
        return np.asarray(self.village_codes, dtype=object)[self.villages_in(code)].tolist()

    def ancestors(self, code: str) -> list[Area]:
        """The area and the areas above it, from the province down (``code`` last)."""
        chain: list[Area] = []
        while code:
            area = self.areas[code]
            chain.append(area)
            code = area.parent
        return chain[::-1]


def _opening_level(codes: list[str]) -> Level:
    wilayah = dataset_wilayah(codes)
    if wilayah == "" and len({c[:2] for c in codes}) > 1:
        return "provinsi"
    if len(wilayah) < CODE_LENGTH["kabupaten"] and len({c[:5] for c in codes}) > 1:
        return "kabupaten"
    return "desa"


def _names_from_table(villages: pd.DataFrame, level: Level, codes: np.ndarray) -> dict[str, str]:
    """Code → the first non-empty name the village table gives an area of ``level``."""
    column = _NAME_COLUMNS[level]
    if column not in villages:
        return {}
    frame = pd.DataFrame({"code": codes, "name": villages[column].astype("string").str.strip()})
    frame = frame.loc[frame["name"].notna() & (frame["name"] != "")]
    frame = frame.loc[frame["name"] != frame["code"]]  # a code filled in for a name is no name
    first = frame.drop_duplicates("code")
    return dict(zip(first["code"], first["name"], strict=True))


def build_hierarchy(villages: pd.DataFrame, names: Mapping[str, str] | None = None) -> AreaHierarchy:
    """The area hierarchy of a dataset's villages.

    Parameters
    ----------
    villages
        ``Dataset.villages`` (or any table with ``kode`` and optionally ``nama``,
        ``nama_kec``, ``nama_kab``, ``nama_prov``); codes are dotted Kemendagri codes.
    names
        Code → name for the areas the table does not name; default the Kemendagri 2025
        code list (:func:`code_list_names`). Pass ``{}`` to use the table alone.
    """
    lookup = code_list_names() if names is None else names
    codes = villages["kode"].astype(str).to_numpy()
    members: dict[Level, np.ndarray] = {
        level: np.array([c[:CODE_LENGTH[level]] for c in codes], dtype=object) for level in LEVELS}
    areas: dict[str, Area] = {}
    children: dict[str, list[str]] = {}
    for depth, level in enumerate(LEVELS):
        table = _names_from_table(villages, level, members[level])
        counts = pd.Series(members[level]).value_counts().sort_index()
        for code, n in zip(counts.index.tolist(), counts.tolist(), strict=True):
            given = table.get(code) or lookup.get(code)
            parent = code[:CODE_LENGTH[LEVELS[depth - 1]]] if depth else ""
            areas[code] = Area(code=code, level=level, name=_bare(given) if given else code,
                               kind=area_kind(code), parent=parent, villages=int(n),
                               named=bool(given))
            children.setdefault(parent, []).append(code)
    return AreaHierarchy(
        village_codes=tuple(codes.tolist()), areas=areas, members=members,
        root=dataset_wilayah(codes.tolist()), opening_level=_opening_level(codes.tolist()),
        _children={k: tuple(v) for k, v in children.items()},
        _by_level={lv: sorted(c for c, a in areas.items() if a.level == lv) for lv in LEVELS})


@dataclass(frozen=True)
class PooledValues:
    """An indicator pooled per area of one level, aligned to :attr:`codes`.

    ``value`` is in the unit of the village values (percent for rates), NaN = no data;
    ``numerator``/``denominator`` are the sums behind a rate (the sum itself for a count,
    NaN for a mean); ``low``/``high`` the 95 % Wilson interval of a pooled rate in percent
    (NaN otherwise); ``villages_used`` how many villages had a value, ``villages`` how many
    lie in the area. ``method``: ``ratio`` (rates), ``sum`` (counts) or ``mean``
    (percentages given without counts, and changes between years, see
    :func:`geo.view.levels.pooled_indicator`).
    """

    level: Level
    codes: list[str]
    value: np.ndarray
    numerator: np.ndarray
    denominator: np.ndarray
    low: np.ndarray
    high: np.ndarray
    villages_used: np.ndarray
    villages: np.ndarray
    method: str


def _pool_method(values: IndicatorValues) -> str:
    if values.denominator is not None:
        return "ratio"
    return "sum" if values.indicator.kind == "count" else "mean"


def pool_values(hierarchy: AreaHierarchy, values: IndicatorValues, level: Level,
                within: str = "", *, usable: np.ndarray | None = None) -> PooledValues:
    """Pool village values per area of ``level`` inside ``within`` ("" = the whole dataset).

    A village counts when its value is finite (the village no-data rules of
    :func:`geo.core.indicators.compute` already blank a zero denominator or a numerator
    above its denominator) and, when ``usable`` is given, where ``usable`` is True. For a
    rate :math:`100 \\sum k_i / \\sum n_i` over those villages, with the Wilson interval of
    :math:`(\\sum k_i, \\sum n_i)`; for a count :math:`\\sum k_i`; for a percentage without
    counts the mean. An area with no such village has NaN, never 0.
    """
    method = _pool_method(values)
    ok = np.isfinite(np.asarray(values.value, dtype=float))
    if usable is not None:
        ok &= np.asarray(usable, dtype=bool)
    keys = hierarchy.members[level]
    inside = np.array([k.startswith(within) for k in keys.tolist()], dtype=bool)
    num = np.where(ok, np.asarray(values.numerator, dtype=float), 0.0)
    den = np.where(ok, np.asarray(values.denominator, dtype=float), 0.0) if method == "ratio" else ok * 1.0
    frame = pd.DataFrame({"area": keys[inside], "num": num[inside], "den": den[inside],
                          "used": ok[inside], "one": 1})
    sums = frame.groupby("area", sort=True)[["num", "den", "used", "one"]].sum()
    used = sums["used"].to_numpy(dtype=int)
    k, n = sums["num"].to_numpy(dtype=float), sums["den"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "ratio":
            value = np.where(n > 0, 100.0 * k / n, np.nan)
            low, high = (100.0 * b for b in wilson_interval(k, n))
        else:
            value = np.where(used > 0, k if method == "sum" else k / used, np.nan)
            low = high = np.full(len(k), np.nan)
    return PooledValues(
        level=level, codes=[str(c) for c in sums.index], value=value,
        numerator=np.where(used > 0, k, np.nan) if method != "mean" else np.full(len(k), np.nan),
        denominator=np.where(used > 0, n, np.nan) if method == "ratio" else np.full(len(k), np.nan),
        low=low, high=high, villages_used=used, villages=sums["one"].to_numpy(dtype=int),
        method=method)
