"""What the scenario store holds, as plain values, and the scenario JSON document.

A *scenario* is everything a planner decides for one dataset: the year and the scoring
configuration (:class:`geo.scoring.pipeline.ScoringConfig`, stored as its exact JSON, so the
ranking can be reproduced), the final chosen list with a reason per village, target
overrides, notes, the Aksi 2 plan items and optionally last year's lokus. Text typed by a
user is checked here (:func:`clean_text`); problems are :class:`~geo.core.errors.InputError`
with ``store.*`` catalogue keys.
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from geo.core.codes import normalise_code
from geo.core.errors import InputError
from geo.core.i18n import t
from geo.core.messages import Message
from geo.decide.continuity import PreviousList
from geo.decide.plan import PlanItem, check_targets
from geo.scoring.config import ScoringConfig
from geo.store.schema import NAME_MAX

if TYPE_CHECKING:
    from geo.scoring.result import ScoringResult

__all__ = ["EXPORT_FORMAT", "AuditEntry", "ChosenVillage", "Scenario", "ScenarioDiff", "ScenarioExport",
           "ScenarioNotFoundError", "ScenarioSummary", "StaleScenarioError", "chosen_from_result",
           "chosen_list", "clean_text", "compare_lists", "dumps", "plan_export", "read_export",
           "scenario_name"]

#: ``format`` value of a scenario JSON export.
EXPORT_FORMAT = "lokus-scenario"  # shared with geo.export.scenario
_EXPORT_VERSION = 1
_MAX_IMPORT_BYTES = 10_000_000


# =========================================================================== values
class StaleScenarioError(InputError):
    """The scenario changed since the version the caller read (reload, then retry)."""


class ScenarioNotFoundError(InputError):
    """No scenario with that id (deleted, or never existed)."""


@dataclass(frozen=True)
class ChosenVillage:
    """A village on the chosen list and why it is there."""

    kode: str
    alasan: str

    def __post_init__(self) -> None:
        code = normalise_code(self.kode)
        if code is None:
            raise InputError.of("store.error.bad_code", rows=[self.kode])
        object.__setattr__(self, "kode", code)
        object.__setattr__(self, "alasan", clean_text(self.alasan, "reason", 1000))


@dataclass(frozen=True)
class Scenario:
    """A saved scenario (or one read from an export, then ``id`` is None).

    Attributes
    ----------
    id, name, dataset_id, year
        Identity; ``year`` equals ``config.year``.
    config
        The scoring configuration (reproduces the ranking exactly).
    chosen
        The final chosen list, in order, each with its reason.
    targets
        Coverage target overrides (indicator id → percent); empty = catalogue targets.
    notes, author
        Free notes; who created it.
    created_at, updated_at
        UTC, timezone-aware.
    version
        Grows by one on every write (optimistic concurrency).
    """

    id: int | None
    name: str
    dataset_id: str
    year: int
    config: ScoringConfig
    chosen: tuple[ChosenVillage, ...]
    targets: Mapping[str, float] = field(default_factory=dict)
    notes: str = ""
    author: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    version: int = 1

    @property
    def codes(self) -> tuple[str, ...]:
        """Chosen codes in list order."""
        return tuple(v.kode for v in self.chosen)

    @property
    def reasons(self) -> dict[str, str]:
        """Chosen code → reason."""
        return {v.kode: v.alasan for v in self.chosen}

    def to_dict(self, *, plan: Sequence[PlanItem] = (),
                previous: PreviousList | None = None) -> dict[str, Any]:
        """The export document (see :meth:`to_json`)."""
        doc: dict[str, Any] = {
            # shared head of the ``lokus-scenario`` v1 shape (geo.export.scenario), in order
            "format": EXPORT_FORMAT,
            "version": _EXPORT_VERSION,
            "dataset_id": self.dataset_id,
            "name": self.name,
            "config": self.config.to_dict(),
            "chosen": [{"kode": v.kode, "alasan": v.alasan} for v in self.chosen],
            "notes": self.notes,
            "author": self.author,
            "created_at": self.created_at.isoformat() if self.created_at else None,
            # store extras (optional when reading)
            "updated_at": self.updated_at.isoformat() if self.updated_at else None,
            "id": self.id,
            "scenario_version": self.version,
            "year": self.year,
            "targets": dict(self.targets),
            "plan": [plan_export(p) for p in plan],
        }
        if previous is not None:
            doc["previous"] = {"year": previous.year, "file": previous.file,
                               "villages": [{"kode": c, "nama": previous.names.get(c, "")}
                                            for c in previous.codes]}
        return doc

    def to_json(self, *, plan: Sequence[PlanItem] = (), previous: PreviousList | None = None) -> str:
        """JSON export that reloads into the app (:meth:`from_json`, :meth:`Store.import_json`).

        The configuration is :meth:`ScoringConfig.to_dict` verbatim, so
        ``run_scoring(dataset, Scenario.from_json(s).config)`` gives the same ranking.
        """
        return json.dumps(self.to_dict(plan=plan, previous=previous), ensure_ascii=False, indent=2)

    @classmethod
    def from_json(cls, text: str | bytes) -> Scenario:
        """The scenario of an export (``id`` kept for reference; the plan via :func:`read_export`)."""
        return read_export(text).scenario


@dataclass(frozen=True)
class ScenarioSummary:
    """One line of :meth:`Store.find`."""

    id: int
    name: str
    dataset_id: str
    year: int
    n_chosen: int
    author: str
    created_at: datetime
    updated_at: datetime
    version: int


@dataclass(frozen=True)
class AuditEntry:
    """One audit row: who did what, when and why.

    ``scenario_id`` is None only for the tombstone of a deleted scenario, whose
    ``detail`` holds the scenario as exported (key ``skenario``).
    """

    id: int
    scenario_id: int | None
    at: datetime
    who: str
    action: str
    code: str | None
    reason: str
    detail: Mapping[str, Any]


@dataclass(frozen=True)
class ScenarioDiff:
    """Villages entering and leaving when going from list A to list B.

    ``entering``: in B, not in A (B's order and reasons); ``leaving``: in A, not in B
    (A's order and reasons); ``both``: in both (B's order and reasons).
    """

    entering: tuple[ChosenVillage, ...]
    leaving: tuple[ChosenVillage, ...]
    both: tuple[ChosenVillage, ...]

    def to_frame(self, villages: pd.DataFrame | None = None) -> pd.DataFrame:
        """``kode, status (masuk/keluar/tetap), alasan`` (+ ``nama, nama_kec`` from ``villages``)."""
        rows = [(v.kode, status, v.alasan) for status, group in
                (("masuk", self.entering), ("keluar", self.leaving), ("tetap", self.both)) for v in group]
        frame = pd.DataFrame(rows, columns=["kode", "status", "alasan"])
        if villages is not None:
            names = villages.set_index("kode")[["nama", "nama_kec"]]
            frame = frame.join(names, on="kode")[["kode", "nama", "nama_kec", "status", "alasan"]]
        return frame


@dataclass(frozen=True)
class ScenarioExport:
    """Everything in a scenario JSON export."""

    scenario: Scenario
    plan: tuple[PlanItem, ...] = ()
    previous: tuple[tuple[str, str], ...] = ()
    previous_year: int | None = None
    previous_file: str = ""


# =========================================================================== checks
def clean_text(value: object, what: str, max_len: int, *, required: bool = True,
               multiline: bool = False) -> str:
    """Trimmed NFC text without control characters (newline/tab only when multiline).

    ``what`` names the field: a key under ``store.field.`` (``"reason"``, ``"notes"``, ...).
    """
    field_name = Message.of(f"store.field.{what}")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InputError.of("store.error.not_text", field=field_name)
    out = unicodedata.normalize("NFC", value).strip()
    if required and not out:
        raise InputError.of("store.error.required", field=field_name)
    if len(out) > max_len:
        raise InputError.of("store.error.too_long", field=field_name, max=max_len)
    allowed = {"\n", "\t", "\r"} if multiline else set()
    if any(unicodedata.category(ch) in ("Cc", "Cs") and ch not in allowed for ch in out):
        raise InputError.of("store.error.control", field=field_name)
    return out


def scenario_name(value: object) -> tuple[str, str]:
    """(name, uniqueness key): case and repeated spaces do not count."""
    name = clean_text(value, "scenario_name", NAME_MAX)
    return name, " ".join(name.casefold().split())


def chosen_list(items: Sequence[ChosenVillage | tuple[str, str]]) -> tuple[ChosenVillage, ...]:
    """Chosen villages from pairs ``(code, reason)``; a village listed twice is an error."""
    out = tuple(v if isinstance(v, ChosenVillage) else ChosenVillage(*v) for v in items)
    counts = Counter(v.kode for v in out)
    dup = [c for c, n in counts.items() if n > 1]
    if dup:
        raise InputError.of("store.error.duplicate_village", rows=dup)
    return out


def dumps(value: Any) -> str:
    """Compact JSON as stored in the text columns (no NaN)."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def plan_export(item: PlanItem) -> dict[str, Any]:
    """A plan item as stored and exported (without its database id)."""
    doc = item.to_dict()
    doc.pop("id")
    return doc


def chosen_from_result(result: ScoringResult) -> list[ChosenVillage]:
    """The recommended list of a scoring result with its reasons (``peringkat 3``, ...)."""
    sel = result.selection
    # a saved list is a record: the engine's reason is kept as its Indonesian text
    return [ChosenVillage(c, sel.reasons[c].render() if c in sel.reasons else t("store.audit.recommended"))
            for c in sel.chosen]


def compare_lists(a: Sequence[ChosenVillage], b: Sequence[ChosenVillage]) -> ScenarioDiff:
    """Villages entering (in ``b`` only), leaving (in ``a`` only) and staying."""
    in_a = {v.kode for v in a}
    in_b = {v.kode for v in b}
    return ScenarioDiff(entering=tuple(v for v in b if v.kode not in in_a),
                        leaving=tuple(v for v in a if v.kode not in in_b),
                        both=tuple(v for v in b if v.kode in in_a))


# =========================================================================== JSON document
def _parse_time(value: object) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        stamp = datetime.fromisoformat(str(value))
    except ValueError:
        raise InputError.of("store.error.bad_time", rows=[value]) from None
    return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)


def _document(text: str | bytes) -> dict[str, Any]:
    """The JSON object of a scenario export, format and version checked."""
    if len(text) > _MAX_IMPORT_BYTES:
        raise InputError.of("store.error.too_big")
    try:
        doc = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise InputError.of("store.error.not_json") from None
    if not isinstance(doc, dict) or doc.get("format") != EXPORT_FORMAT:
        raise InputError.of("store.error.not_scenario", format=EXPORT_FORMAT)
    if doc.get("version") != _EXPORT_VERSION:
        raise InputError.of("store.error.version", version=repr(doc.get("version")),
                            supported=str(_EXPORT_VERSION))
    return doc


def _scenario_of(doc: Mapping[str, Any], config: ScoringConfig) -> Scenario:
    return Scenario(
        id=doc.get("id") if isinstance(doc.get("id"), int) else None,
        name=clean_text(doc.get("name") or "", "scenario_name", NAME_MAX, required=False),
        dataset_id=clean_text(doc["dataset_id"], "dataset", 120),
        year=config.year, config=config,
        chosen=chosen_list([ChosenVillage(str(v["kode"]), str(v["alasan"])) for v in doc["chosen"]]),
        targets=check_targets(doc.get("targets") or {}),
        notes=clean_text(doc.get("notes") or "", "notes", 20_000, required=False, multiline=True),
        author=clean_text(doc.get("author") or "", "author", 120, required=False),
        created_at=_parse_time(doc.get("created_at")), updated_at=_parse_time(doc.get("updated_at")),
        version=int(doc.get("scenario_version") or 1),
    )


def read_export(text: str | bytes) -> ScenarioExport:
    """Parse and validate a scenario JSON export.

    Raises
    ------
    InputError
        Not JSON, not a Lokus scenario, a newer format, or invalid content.
    """
    doc = _document(text)
    try:
        config = ScoringConfig.from_dict(doc["config"])
        scenario = _scenario_of(doc, config)
        plan = tuple(PlanItem.from_dict(p) for p in doc.get("plan") or [])
        prev_doc = doc.get("previous") or {}
        previous = tuple((str(v["kode"]), str(v.get("nama", ""))) for v in prev_doc.get("villages", []))
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError.of("store.error.broken", kind=exc.__class__.__name__) from None
    if doc.get("year") is not None and doc["year"] != config.year:
        raise InputError.of("store.error.year_mismatch")
    return ScenarioExport(scenario=scenario, plan=plan, previous=previous,
                          previous_year=prev_doc.get("year"),
                          previous_file=str(prev_doc.get("file") or ""))
