"""The audit log of the scenario store: who did what, when and why.

Every change of the chosen list appends one row per village added or removed; renames,
notes, targets, plan and configuration changes get one row each. Audit rows cascade with
their scenario; a deletion leaves one ``delete`` row *without* a scenario id holding the
deleted scenario as JSON (a *tombstone*), so a deleted list can be found.

Reasons written by the store itself (``skenario dibuat``, ...) are the record of a meeting:
they are stored rendered in Bahasa Indonesia from the ``store.audit.*`` catalogue keys.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, insert, select

from geo.store.model import AuditEntry, ChosenVillage, compare_lists, dumps
from geo.store.schema import audit_table

__all__ = ["ACTIONS", "AuditRow", "audit_entry", "insert_audit", "list_audits", "read_audit",
           "read_deletions"]

#: Audit actions.
ACTIONS = ("create", "add", "remove", "reorder", "rename", "duplicate", "notes", "targets", "plan",
           "config", "previous", "import", "delete",
           "review_sent", "review_answer")  # the camat review (geo/store/camat_review.py)
#: ``(action, code, reason, detail)`` of one audit row to write.
AuditRow = tuple[str, str | None, str, dict[str, Any] | None]


def insert_audit(conn: Connection, scenario_id: int | None, at: datetime, who: str, row: AuditRow) -> None:
    """Append one audit row (``scenario_id`` None only for a tombstone)."""
    action, code, reason, detail = row
    assert action in ACTIONS, action
    conn.execute(insert(audit_table).values(
        scenario_id=scenario_id, at=at, who=who, action=action, code=code, reason=reason,
        detail_json=None if detail is None else dumps(detail)))


def list_audits(old: Sequence[ChosenVillage], new: Sequence[ChosenVillage], reason: str) -> list[AuditRow]:
    """One ``remove`` row per village leaving, one ``add`` per village entering (why = ``reason``)."""
    diff = compare_lists(old, new)
    rows: list[AuditRow] = []
    rows += [("remove", v.kode, reason, {"alasan_sebelumnya": v.alasan}) for v in diff.leaving]
    rows += [("add", v.kode, reason, {"alasan_pilih": v.alasan}) for v in diff.entering]
    if not rows and [v.kode for v in old] != [v.kode for v in new]:
        rows.append(("reorder", None, reason, {"urutan": [v.kode for v in new]}))
    return rows


def audit_entry(r: Row[Any]) -> AuditEntry:
    """An audit row as a value."""
    return AuditEntry(id=r.id, scenario_id=r.scenario_id, at=r.at, who=r.who, action=r.action,
                      code=r.code, reason=r.reason,
                      detail=json.loads(r.detail_json) if r.detail_json else {})


def read_audit(conn: Connection, scenario_id: int) -> list[AuditEntry]:
    """Audit rows of a scenario, oldest first."""
    rows = conn.execute(select(audit_table).where(audit_table.c.scenario_id == int(scenario_id))
                        .order_by(audit_table.c.id)).all()
    return [audit_entry(r) for r in rows]


def read_deletions(conn: Connection, dataset_id: str | None = None) -> list[AuditEntry]:
    """Tombstones of deleted scenarios (``detail["skenario"]`` is the export), oldest first."""
    rows = conn.execute(select(audit_table).where(audit_table.c.scenario_id.is_(None),
                                                  audit_table.c.action == "delete")
                        .order_by(audit_table.c.id)).all()
    out = [audit_entry(r) for r in rows]
    if dataset_id is not None:
        out = [e for e in out if _deleted_dataset(e.detail) == dataset_id]
    return out


def _deleted_dataset(detail: Mapping[str, Any]) -> object:
    return detail.get("skenario", {}).get("dataset_id")
