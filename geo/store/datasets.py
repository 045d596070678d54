"""Records of saved user datasets: who saved a dataset and when (its files live in its folder)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from geo.store.model import dumps
from geo.store.schema import dataset_record_table, scenario_table

__all__ = ["delete_record", "read_records", "record"]


def record(conn: Connection, dataset_id: str, title: str, *, who: str, at: datetime,
           detail: Mapping[str, Any]) -> None:
    """Record a saved dataset; saving again under the id of a deleted one replaces its record."""
    t = dataset_record_table
    conn.execute(t.delete().where(t.c.id == dataset_id))
    conn.execute(t.insert().values(id=dataset_id, title=title, created_at=at, created_by=who,
                                   detail_json=dumps(dict(detail))))


def delete_record(conn: Connection, dataset_id: str, *, who: str, at: datetime) -> int:
    """Mark a dataset deleted (the row stays); returns how many scenarios were made on it."""
    t, s = dataset_record_table, scenario_table
    conn.execute(t.update().where(t.c.id == dataset_id, t.c.deleted_at.is_(None))
                 .values(deleted_at=at, deleted_by=who))
    return int(conn.execute(select(func.count()).select_from(s)
                            .where(s.c.dataset_id == dataset_id)).scalar_one())


def read_records(conn: Connection) -> list[dict[str, Any]]:
    """Every dataset record (deleted ones too), newest first."""
    t = dataset_record_table
    rows = conn.execute(select(t).order_by(t.c.created_at.desc(), t.c.id)).all()
    return [{**r._asdict(), "detail": json.loads(r.detail_json)} for r in rows]
