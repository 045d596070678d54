"""Reading and writing the scenario row itself (the store's other tables have their own modules)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, insert, select
from sqlalchemy.exc import IntegrityError

from geo.core.errors import InputError
from geo.scoring.config import ScoringConfig
from geo.store.model import ChosenVillage, Scenario, ScenarioNotFoundError, dumps, scenario_name
from geo.store.schema import scenario_table

__all__ = ["check_name_free", "chosen_values", "insert_scenario", "name_taken", "scenario_of", "scenario_row"]


def name_taken(name: str) -> InputError:
    """The name is used by another scenario of the dataset."""
    return InputError.of("store.error.name_taken", name=name)


def chosen_values(chosen: Sequence[ChosenVillage]) -> dict[str, Any]:
    """Column value of a chosen list."""
    return {"chosen_json": dumps([{"kode": v.kode, "alasan": v.alasan} for v in chosen])}


def scenario_of(row: Row[Any]) -> Scenario:
    """A scenario row as a value."""
    chosen = tuple(ChosenVillage(v["kode"], v["alasan"]) for v in json.loads(row.chosen_json))
    return Scenario(
        id=row.id, name=row.name, dataset_id=row.dataset_id, year=row.year,
        config=ScoringConfig.from_dict(json.loads(row.config_json)), chosen=chosen,
        targets={str(k): float(v) for k, v in json.loads(row.targets_json).items()},
        notes=row.notes, author=row.author, created_at=row.created_at, updated_at=row.updated_at,
        version=row.version)


def scenario_row(conn: Connection, scenario_id: int, *, lock: bool = False) -> Row[Any]:
    """The row of a scenario (locked for update on request); :class:`ScenarioNotFoundError` if none."""
    query = select(scenario_table).where(scenario_table.c.id == int(scenario_id))
    if lock:
        query = query.with_for_update()  # PostgreSQL; SQLite already holds the write lock
    row = conn.execute(query).first()
    if row is None:
        raise ScenarioNotFoundError.of("store.error.not_found", id=str(scenario_id))
    return row


def check_name_free(conn: Connection, dataset_id: str, key: str, *, except_id: int | None = None,
                     name: str = "") -> None:
    """Raise when another scenario of the dataset has this name key."""
    s = scenario_table
    query = select(s.c.id).where(s.c.dataset_id == dataset_id, s.c.name_key == key)
    if except_id is not None:
        query = query.where(s.c.id != except_id)
    if conn.execute(query).first() is not None:
        raise name_taken(name)


def insert_scenario(conn: Connection, *, name: str, dataset_id: str, config: ScoringConfig,
                     chosen: Sequence[ChosenVillage], targets: Mapping[str, float], notes: str,
                     author: str, now: datetime) -> int:
    """Insert a scenario row at version 1; returns its id."""
    name, key = scenario_name(name)
    check_name_free(conn, dataset_id, key, name=name)
    try:
        with conn.begin_nested():  # a racing duplicate name must not poison the transaction
            result = conn.execute(insert(scenario_table).values(
                name=name, name_key=key, dataset_id=dataset_id, year=config.year,
                config_json=dumps(config.to_dict()), targets_json=dumps(dict(targets)), notes=notes,
                author=author, created_at=now, updated_at=now, version=1, **chosen_values(chosen))
                .returning(scenario_table.c.id))
            return int(result.scalar_one())
    except IntegrityError:
        raise name_taken(name) from None
