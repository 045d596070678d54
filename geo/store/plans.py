"""Rows of the Aksi 2 plan items and of last year's lokus list saved with a scenario."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select

from geo.decide.continuity import PreviousList
from geo.decide.plan import PlanItem
from geo.store.model import dumps, plan_export
from geo.store.schema import plan_item_table, previous_list_table

__all__ = ["insert_plan", "insert_previous", "plan_change", "read_plan", "read_previous", "replace_plan",
           "replace_previous"]

_PLAN_FIELDS = ("kode", "kegiatan", "opd", "nama", "kecamatan", "indicator_id", "indicator", "value",
                "target", "gap", "volume", "satuan", "anggaran", "catatan", "source", "id")


def _plan_item(r: Row[Any]) -> PlanItem:
    m = r._mapping
    return PlanItem(**{k: m[k] for k in _PLAN_FIELDS})


def read_plan(conn: Connection, scenario_id: int) -> list[PlanItem]:
    """Saved plan items of a scenario, in saved order."""
    t = plan_item_table
    rows = conn.execute(select(t).where(t.c.scenario_id == int(scenario_id))
                        .order_by(t.c.posisi, t.c.id)).all()
    return [_plan_item(r) for r in rows]


def insert_plan(conn: Connection, scenario_id: int, items: Sequence[PlanItem]) -> None:
    """Append plan items in order."""
    for pos, item in enumerate(items):
        conn.execute(insert(plan_item_table).values(scenario_id=scenario_id, posisi=pos, **plan_export(item)))


def replace_plan(conn: Connection, scenario_id: int, items: Sequence[PlanItem]) -> list[PlanItem]:
    """Replace the plan items; returns the old ones."""
    old = read_plan(conn, scenario_id)
    conn.execute(delete(plan_item_table).where(plan_item_table.c.scenario_id == scenario_id))
    insert_plan(conn, scenario_id, items)
    return old


def plan_change(old: Sequence[PlanItem], new: Sequence[PlanItem]) -> dict[str, int]:
    """Audit detail of a plan save: counts before/after, items added/removed, total budget."""
    before = Counter(dumps(plan_export(it)) for it in old)
    after = Counter(dumps(plan_export(it)) for it in new)
    return {"sebelum": len(old), "sesudah": len(new),
            "ditambah_atau_diubah": sum((after - before).values()),
            "dihapus_atau_diubah": sum((before - after).values()),
            "otomatis": sum(it.source == "otomatis" for it in new),
            "manual": sum(it.source == "manual" for it in new),
            "anggaran_total": sum(it.anggaran or 0 for it in new)}


def read_previous(conn: Connection, scenario_id: int) -> PreviousList | None:
    """Last year's lokus saved with the scenario (None when none was imported)."""
    t = previous_list_table
    rows = conn.execute(select(t).where(t.c.scenario_id == int(scenario_id)).order_by(t.c.posisi)).all()
    if not rows:
        return None
    return PreviousList(codes=tuple(r.kode for r in rows), names={r.kode: r.nama for r in rows},
                        year=rows[0].tahun, file=rows[0].berkas)


def insert_previous(conn: Connection, scenario_id: int, rows: Sequence[tuple[str, str]],
                    year: int | None, file: str) -> None:
    """Save last year's list as ``(code, name)`` rows."""
    for pos, (code, name) in enumerate(rows):
        conn.execute(insert(previous_list_table).values(
            scenario_id=scenario_id, posisi=pos, kode=code, nama=name[:200], tahun=year, berkas=file[:255]))


def replace_previous(conn: Connection, scenario_id: int, previous: PreviousList | None) -> None:
    """Replace (or with None, clear) last year's list."""
    conn.execute(delete(previous_list_table).where(previous_list_table.c.scenario_id == scenario_id))
    if previous is not None:
        insert_previous(conn, scenario_id, [(c, previous.names.get(c, "")) for c in previous.codes],
                        previous.year, previous.file)
