"""Aksi 2 draft plan: coverage gaps of each lokus village → kegiatan × desa × OPD.

For every chosen village, every **coverage** indicator of the catalogue that the
dataset has for the year scored (all of them, not only the indicators that were
scored: a village chosen for its prevalence still needs its immunisation gap closed,
and Aksi 2 plans the whole package; DOMAIN §1.4, §4) is compared with its target:

- ``higher_better`` (almost all coverage): a gap when the value is **below** the
  target; gap = target − value;
- ``higher_worse`` (e.g. unwanted pregnancies): the target is a **ceiling**; a gap
  when the value is above it; gap = value − ceiling.

Gaps are in percentage points (coverage is in percent). The target is the catalogue
default unless the scenario overrides it. Indicators **without a target** (no
official number found, e.g. drinking water) produce no automatic item: a 100 %
default would invent a norm; the plan notes say which were skipped, and the planner
can add manual items or set a target for the scenario.

Each gap gives one :class:`PlanItem` with the catalogue's intervention as
``kegiatan`` and its usual OPD (a practice, not a regulation: editable). Editing is
done in the UI on a list of items that :meth:`geo.store.scenarios.Store.save_plan` saves.
:func:`plan_matrix` lays the items out as kegiatan × desa × OPD.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from geo.core.codes import normalise_code
from geo.core.errors import InputError
from geo.core.i18n import t
from geo.core.indicators import Indicator, catalogue
from geo.core.messages import Message, Name
from geo.data.model import label_message

if TYPE_CHECKING:
    from geo.data.model import Dataset
    from geo.scoring.result import ScoringResult

__all__ = [
    "SOURCES",
    "DraftPlan",
    "PlanItem",
    "check_targets",
    "draft_plan",
    "effective_targets",
    "plan_matrix",
]

#: ``otomatis``: drafted from a coverage gap; ``manual``: added or edited by a planner.
SOURCES = ("otomatis", "manual")
_TEXT_MAX = {"kegiatan": 300, "opd": 120, "satuan": 60, "catatan": 2000, "nama": 200,
             "kecamatan": 200, "indicator": 300}


def _text(value: object, what: str, *, required: bool = False) -> str:
    """Trimmed text; control characters (except newline/tab in notes) are refused."""
    text = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value).strip()
    if required and not text:
        raise InputError.of("plan.error.required", field=what)
    limit = _TEXT_MAX.get(what, 300)
    if len(text) > limit:
        raise InputError.of("plan.error.too_long", field=what, limit=limit)
    allowed = {"\n", "\t"} if what == "catatan" else set()
    if any((ord(ch) < 32 and ch not in allowed) or ord(ch) == 127 for ch in text):
        raise InputError.of("plan.error.control", field=what)
    return text


def _number(value: object, what: str) -> float | None:
    """Finite non-negative float, None for empty; text with a decimal comma is accepted."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise InputError.of("plan.error.number", rows=[value], field=what)
    try:
        number = float(str(value).strip().replace(",", ".")) if isinstance(value, str) else float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError.of("plan.error.number", rows=[value], field=what) from None
    if math.isnan(number):
        return None
    if not math.isfinite(number) or number < 0:
        raise InputError.of("plan.error.non_negative", rows=[value], field=what)
    return number


@dataclass(frozen=True)
class PlanItem:
    """One activity in one village (a cell of the kegiatan × desa × OPD matrix).

    Attributes
    ----------
    kode
        Kemendagri village code (dotted).
    kegiatan
        The activity (catalogue intervention for automatic items; free text).
    opd
        Responsible OPD (catalogue's usual OPD for automatic items; editable).
    nama, kecamatan
        Village and kecamatan names (for display and export).
    indicator_id, indicator
        Coverage indicator whose gap called for the activity, and its label (None/""
        for manual activities not tied to an indicator).
    value, target, gap
        Value that year (%), target used (%), gap in percentage points (≥ 0).
    volume, satuan
        Planned volume and its unit (e.g. 12 "kali pertemuan"); optional.
    anggaran
        Budget estimate in whole rupiah; optional.
    catatan
        Free note.
    source
        ``"otomatis"`` or ``"manual"``.
    id
        Database id once saved (None for a draft).
    """

    kode: str
    kegiatan: str
    opd: str = ""
    nama: str = ""
    kecamatan: str = ""
    indicator_id: str | None = None
    indicator: str = ""
    value: float | None = None
    target: float | None = None
    gap: float | None = None
    volume: float | None = None
    satuan: str = ""
    anggaran: int | None = None
    catatan: str = ""
    source: Literal["otomatis", "manual"] = "manual"
    id: int | None = None

    def __post_init__(self) -> None:
        def put(name: str, value: Any) -> None:
            object.__setattr__(self, name, value)

        code = normalise_code(self.kode)
        if code is None:
            raise InputError.of("plan.error.code", rows=[self.kode])
        put("kode", code)
        put("kegiatan", _text(self.kegiatan, "kegiatan", required=True))
        for name in ("opd", "nama", "kecamatan", "indicator", "satuan", "catatan"):
            put(name, _text(getattr(self, name), name))
        if self.indicator_id is not None:
            iid = str(self.indicator_id).strip()
            if iid and iid not in catalogue():
                raise InputError.of("plan.error.indicator", rows=[iid])
            put("indicator_id", iid or None)
        for name in ("value", "target", "gap"):
            value = getattr(self, name)
            if value is not None:
                number = float(value)
                if not math.isfinite(number):
                    number = None  # type: ignore[assignment]
                put(name, number)
        put("volume", _number(self.volume, "volume"))
        budget = _number(self.anggaran, "anggaran")
        if budget is not None and budget != int(budget):
            raise InputError.of("plan.error.budget", rows=[self.anggaran])
        put("anggaran", None if budget is None else int(budget))
        if self.source not in SOURCES:
            raise InputError.of("plan.error.source", rows=[self.source], allowed=list(SOURCES))
        if self.id is not None:
            put("id", int(self.id))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict (for the grid and the scenario export)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PlanItem:
        """Item from :meth:`to_dict` output or a grid row (unknown keys are an InputError)."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InputError.of("plan.error.unknown_columns", rows=unknown)
        if "kode" not in data or "kegiatan" not in data:
            raise InputError.of("plan.error.code_and_activity")
        return cls(**dict(data))


@dataclass(frozen=True)
class DraftPlan:
    """Result of :func:`draft_plan`: the items and notes on what was skipped.

    Iterating, ``len`` and indexing go to :attr:`items`, so it can be used as the
    list of items directly.
    """

    items: tuple[PlanItem, ...]
    notes: tuple[Message, ...] = ()
    year: int | None = None
    targets: Mapping[str, float] = field(default_factory=dict)

    def __iter__(self) -> Iterator[PlanItem]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> PlanItem:
        return self.items[index]


def check_targets(targets: Mapping[str, object]) -> dict[str, float]:
    """Validated target overrides: catalogue coverage ids → finite percent 0–100.

    Raises
    ------
    InputError
        Unknown id, not a coverage indicator, or a value that is not a percentage.
    """
    cat = catalogue()
    out: dict[str, float] = {}
    for key, value in dict(targets).items():
        iid = str(key)
        if iid not in cat:
            raise InputError.of("plan.error.target_unknown", rows=[iid])
        if cat[iid].kind != "coverage":
            raise InputError.of("plan.error.target_not_coverage", rows=[iid])
        number = _number(value, f"target {iid}")
        if number is None or number > 100:
            raise InputError.of("plan.error.target_percent", rows=[value], indicator=iid)
        out[iid] = number
    return out


def effective_targets(targets: Mapping[str, float] | None = None) -> dict[str, float | None]:
    """Coverage indicator id → target in force: the scenario override, else the catalogue."""
    overrides = check_targets(targets or {})
    return {i.id: overrides.get(i.id, i.target) for i in catalogue().values() if i.kind == "coverage"}


def _gap(ind: Indicator, value: float, target: float) -> float:
    """Shortfall in percentage points (≥ 0), direction-aware."""
    if ind.direction == "higher_worse":
        return max(value - target, 0.0)
    return max(target - value, 0.0)


def draft_plan(
    dataset: Dataset,
    result: ScoringResult,
    *,
    targets: Mapping[str, float] | None = None,
    chosen: Sequence[str] | None = None,
) -> DraftPlan:
    """Draft the Aksi 2 items: one per coverage gap of each chosen village.

    Parameters
    ----------
    dataset
        The dataset scored (values read with :meth:`Dataset.values` for
        ``result.config.year``, raw, not imputed).
    result
        The scoring result; its selection gives the villages (in selection order).
    targets
        Scenario overrides of catalogue targets (coverage id → percent).
    chosen
        The scenario's final list when it differs from ``result.selection.chosen``
        (villages added or removed by hand); codes not in the dataset are skipped
        with a note.

    Returns
    -------
    DraftPlan
        Items ordered by village (list order), then by gap (largest first); notes
        name indicators without a target, without data that year, and villages
        without any coverage value.
    """
    year = int(result.config.year)
    in_force = effective_targets(targets)
    codes = list(chosen) if chosen is not None else list(result.selection.chosen)
    villages = dataset.villages.set_index("kode")
    notes: list[Message] = []
    unknown = [c for c in codes if c not in villages.index]
    if unknown:
        notes.append(Message.of("plan.note.unknown_villages", n=len(unknown)))
    codes = [c for c in codes if c in villages.index]
    usable = _usable(dataset, in_force, year, notes)
    position = {c: i for i, c in enumerate(dataset.codes)}
    values = {ind.id: dataset.values(ind.id, year).value for ind in usable}
    items: list[PlanItem] = []
    empty: list[str] = []
    for code in codes:
        row = villages.loc[code]
        found = []
        has_any = False
        for ind in usable:
            value = float(values[ind.id][position[code]])
            if np.isnan(value):
                continue
            has_any = True
            target = float(in_force[ind.id])  # type: ignore[arg-type]
            gap = _gap(ind, value, target)
            if gap > 0:
                found.append(PlanItem(
                    kode=code, nama=str(row["nama"]), kecamatan=str(row["nama_kec"]),
                    indicator_id=ind.id, indicator=ind.label_id, value=value, target=target,
                    gap=round(gap, 10), opd=ind.opd, source="otomatis",
                    # plan items are the document's text, in its language (Indonesian)
                    kegiatan=ind.intervention_id or t("plan.activity.improve", indicator=ind.label_id)))
        if usable and not has_any:
            empty.append(code)
        items.extend(sorted(found, key=lambda it: -(it.gap or 0.0)))
    if empty:
        notes.append(Message.of("plan.note.no_values", n=len(empty), year=str(year), codes=empty[:5]))
    if getattr(dataset, "coverage_synthetic", False) and usable:
        notes.append(Message.of("plan.note.synthetic"))
    used = {ind.id: float(in_force[ind.id]) for ind in usable}  # type: ignore[arg-type]
    return DraftPlan(items=tuple(items), notes=tuple(notes), year=year, targets=used)


def _usable(dataset: Dataset, in_force: Mapping[str, float | None], year: int,
            notes: list[Message]) -> list[Indicator]:
    """Coverage indicators with a target and data for ``year``; the others are noted."""
    coverage = [i for i in dataset.indicators if i.kind == "coverage"]
    if not coverage:
        notes.append(Message.of("plan.note.no_coverage"))
    usable: list[Indicator] = []
    no_target: list[Name] = []
    no_year: list[Name] = []
    for ind in coverage:
        if in_force.get(ind.id) is None:
            no_target.append(label_message(ind))
        elif year not in dataset.indicator_years(ind.id):
            no_year.append(label_message(ind))
        else:
            usable.append(ind)
    if no_target:
        notes.append(Message.of("plan.note.no_target", indicators=no_target))
    if no_year:
        notes.append(Message.of("plan.note.no_year", year=str(year), indicators=no_year))
    return usable


def _join(values: pd.Series) -> str:
    seen = [str(v) for v in dict.fromkeys(values) if v is not None and str(v) != "" and not pd.isna(v)]
    return "; ".join(seen)


def plan_matrix(
    items: Sequence[PlanItem] | DraftPlan, *, form: Literal["long", "wide"] = "long"
) -> pd.DataFrame:
    """Kegiatan × desa × OPD, long (one row per cell) or wide (desa as columns).

    Items of the same (kegiatan, OPD, desa) — e.g. two indicators calling for the same
    intervention — are one cell: volumes and budgets summed (empty when none given),
    indicators, units and notes joined.

    Parameters
    ----------
    items
        Plan items (saved or drafted).
    form
        ``"long"``: columns ``kegiatan, opd, kode, nama, kecamatan, indicator, volume,
        satuan, anggaran, catatan, jumlah_item, sumber`` (``sumber``: otomatis, manual
        or campuran). ``"wide"``: one row per (kegiatan, opd), one column per village
        labelled ``"<nama> (<kode>)"`` holding ``"✓"`` (with volume and unit when
        given) or ``""``, then ``jumlah_desa`` and ``anggaran`` (sum, 0 when none).

    Returns
    -------
    pandas.DataFrame
        Sorted by OPD, then kegiatan; villages in first-appearance order.
    """
    long_cols = ["kegiatan", "opd", "kode", "nama", "kecamatan", "indicator", "volume", "satuan",
                 "anggaran", "catatan", "jumlah_item", "sumber"]
    rows = pd.DataFrame([it.to_dict() for it in items])
    if rows.empty:
        if form == "long":
            return pd.DataFrame(columns=long_cols)
        return pd.DataFrame(columns=["kegiatan", "opd", "jumlah_desa", "anggaran"])
    rows["indicator"] = rows["indicator"].where(rows["indicator"] != "", rows["indicator_id"])
    keys = ["kegiatan", "opd", "kode"]
    grouped = rows.groupby(keys, sort=False, dropna=False)
    long = grouped.agg(
        nama=("nama", "first"), kecamatan=("kecamatan", "first"), indicator=("indicator", _join),
        volume=("volume", lambda s: s.sum(min_count=1)), satuan=("satuan", _join),
        anggaran=("anggaran", lambda s: s.sum(min_count=1)), catatan=("catatan", _join),
        jumlah_item=("kode", "size"),
        sumber=("source", lambda s: s.iloc[0] if s.nunique() == 1 else "campuran"),
    ).reset_index()
    long["anggaran"] = pd.array(long["anggaran"], dtype="Int64")
    long = long.sort_values(["opd", "kegiatan"], kind="stable").reset_index(drop=True)[long_cols]
    if form == "long":
        return long
    label = {c: f"{n} ({c})" if n else c
             for c, n in zip(rows["kode"], rows["nama"], strict=True)}
    village_cols = list(dict.fromkeys(label[c] for c in rows["kode"]))

    def mark(row: pd.Series) -> str:
        if pd.isna(row["volume"]):
            return "✓"
        volume = f"{row['volume']:g}".replace(".", ",")
        return f"✓ {volume} {row['satuan']}".rstrip()

    long["_cell"] = long.apply(mark, axis=1)
    long["_col"] = long["kode"].map(label)
    wide = long.pivot_table(index=["kegiatan", "opd"], columns="_col", values="_cell",
                            aggfunc="first", sort=False).reindex(columns=village_cols).fillna("")
    totals = long.groupby(["kegiatan", "opd"], sort=False).agg(
        jumlah_desa=("kode", "nunique"), anggaran=("anggaran", lambda s: int(s.sum())))
    wide = wide.join(totals).reset_index()
    wide.columns.name = None
    return wide.sort_values(["opd", "kegiatan"], kind="stable").reset_index(drop=True)
