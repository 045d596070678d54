"""The scenario store: scenarios saved in a real database (SQLite by default, PostgreSQL by URL).

Design points (each is tested in ``tests/unit/test_store.py``):

- **One transaction per write.** Every public write runs in one transaction: the scenario
  row, its audit rows (:mod:`geo.store.audit`) and its plan rows (:mod:`geo.store.plans`)
  are saved together or not at all. On SQLite, write transactions start with
  ``BEGIN IMMEDIATE`` (:mod:`geo.store.engine`); on PostgreSQL the scenario row is read
  ``FOR UPDATE``.
- **Optimistic concurrency.** ``version`` grows by one on every write. A write given
  ``expected_version`` that is no longer current raises :class:`StaleScenarioError` (an
  :class:`~geo.core.errors.InputError`): a planner never silently overwrites a colleague's
  change.
- **Audit log** and tombstones of deleted scenarios: see :mod:`geo.store.audit`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from geo.core.codes import normalise_code
from geo.core.errors import InputError
from geo.core.i18n import t
from geo.decide.continuity import PreviousList
from geo.decide.plan import PlanItem, check_targets
from geo.scoring.config import ScoringConfig
from geo.store import audit as audit_rows
from geo.store import dataset_files, datasets, engine, plans, rows
from geo.store.audit import AuditRow, insert_audit, list_audits
from geo.store.engine import reading, writing
from geo.store.model import (
    AuditEntry,
    ChosenVillage,
    Scenario,
    ScenarioDiff,
    ScenarioNotFoundError,
    ScenarioSummary,
    StaleScenarioError,
    chosen_list,
    clean_text,
    compare_lists,
    dumps,
    read_export,
    scenario_name,
)
from geo.store.rows import check_name_free, chosen_values, insert_scenario, name_taken, scenario_of
from geo.store.schema import scenario_table

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = ["Store"]


def _now() -> datetime:
    return datetime.now(UTC)


def _who(author: str) -> str:
    return clean_text(author, "user_name", 120)


@dataclass
class _Change:
    """What one write does besides bumping the version: new column values and audit rows."""

    values: dict[str, Any] = field(default_factory=dict)
    audits: list[AuditRow] = field(default_factory=list)
    after: Callable[[Connection, int], None] | None = None


class Store:
    """Scenario storage on one database.

    Parameters
    ----------
    url
        SQLAlchemy URL (``Settings.database_url``); empty = ``sqlite:///<data_dir>/lokus.db``
        (the folder is created). ``postgres://`` is accepted as ``postgresql://``.
    data_dir
        Folder of the default SQLite file.

    Notes
    -----
    Call :meth:`upgrade` once at start-up (idempotent). A store owns a connection pool:
    create one per process (after a fork) and :meth:`close` it at the end.
    """

    def __init__(self, url: str | None = None, *, data_dir: Path,
                 gate: Callable[[str], bool] | None = None) -> None:
        self.gate = gate  # issue 12: may the request see a dataset id's scenarios? else not found
        self._url = engine.normalise_url(engine.default_url(data_dir, url or ""))
        if self._url.get_backend_name() == "sqlite" and not engine.is_sqlite_memory(self._url):
            Path(str(self._url.database)).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
        self._engine = engine.make_engine(self._url)

    # ------------------------------------------------------------------ plumbing
    @property
    def url(self) -> str:
        """The URL with the password hidden."""
        return self._url.render_as_string(hide_password=True)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql`` (or another SQLAlchemy dialect name)."""
        return self._engine.dialect.name

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (for tests and maintenance, not for the UI)."""
        return self._engine

    def close(self) -> None:
        """Close every pooled connection."""
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.url!r})"

    def alembic_config(self) -> Config:
        """Alembic configuration pointing at the packaged migrations."""
        return engine.alembic_config(self._url)

    def upgrade(self, revision: str = "head") -> None:
        """Apply the Alembic migrations up to ``revision`` in-process (idempotent)."""
        engine.upgrade(self._engine, self._url, revision)

    def downgrade(self, revision: str) -> None:
        """Revert the migrations down to ``revision`` (``"base"`` drops every table)."""
        engine.downgrade(self._engine, self._url, revision)

    def current_revision(self) -> str | None:
        """The revision the database is at (None when never migrated)."""
        return engine.current_revision(self._engine)


    def _row(self, conn: Connection, scenario_id: int, *, lock: bool = False) -> Any:
        """The row of a scenario the gate lets through; :class:`ScenarioNotFoundError` else."""
        row = rows.scenario_row(conn, scenario_id, lock=lock)
        if self.gate is not None and not self.gate(row.dataset_id):
            raise ScenarioNotFoundError.of("store.error.not_found", id=str(scenario_id))
        return row

    def _check_dataset(self, dataset_id: str) -> None:  # a new scenario: only on a visible dataset
        if self.gate is not None and not self.gate(dataset_id):
            raise InputError.of("data.error.not_found", id=dataset_id)

    # ------------------------------------------------------------------ create / read
    def save_new(self, name: str, dataset_id: str, config: ScoringConfig,
                 chosen: Sequence[ChosenVillage | tuple[str, str]], *, author: str, notes: str = "",
                 targets: Mapping[str, float] | None = None) -> Scenario:
        """Save a new scenario; audit: one ``create`` row and one ``add`` row per village.

        Raises
        ------
        InputError
            Invalid or duplicate name, invalid codes/reasons, duplicate villages.
        """
        who = _who(author)
        dataset_id = clean_text(dataset_id, "dataset", 120)
        self._check_dataset(dataset_id)
        villages = chosen_list(chosen)
        notes = clean_text(notes, "notes", 20_000, required=False, multiline=True)
        targets_ok = check_targets(targets or {})
        now = _now()
        with writing(self._engine) as conn:
            sid = insert_scenario(conn, name=name, dataset_id=dataset_id, config=config, chosen=villages,
                                  targets=targets_ok, notes=notes, author=who, now=now)
            insert_audit(conn, sid, now, who, ("create", None, t("store.audit.created"), {
                "nama": scenario_name(name)[0], "jumlah_desa": len(villages), "tahun": config.year}))
            for v in villages:
                insert_audit(conn, sid, now, who, ("add", v.kode, v.alasan, None))
            return scenario_of(self._row(conn, sid))

    def get(self, scenario_id: int) -> Scenario:
        """The scenario with this id (:class:`ScenarioNotFoundError` when there is none)."""
        with reading(self._engine) as conn:
            return scenario_of(self._row(conn, scenario_id))

    def find(self, dataset_id: str) -> list[ScenarioSummary]:
        """Scenarios of a dataset, most recently changed first (none outside the gate)."""
        if self.gate is not None and not self.gate(dataset_id):
            return []
        s = scenario_table
        with reading(self._engine) as conn:
            rows = conn.execute(select(s.c.id, s.c.name, s.c.dataset_id, s.c.year, s.c.chosen_json,
                                       s.c.author, s.c.created_at, s.c.updated_at, s.c.version)
                                .where(s.c.dataset_id == dataset_id)
                                .order_by(s.c.updated_at.desc(), s.c.id.desc())).all()
        return [ScenarioSummary(id=r.id, name=r.name, dataset_id=r.dataset_id, year=r.year,
                                n_chosen=len(json.loads(r.chosen_json)), author=r.author,
                                created_at=r.created_at, updated_at=r.updated_at, version=r.version)
                for r in rows]

    def count(self) -> int:
        """Number of scenarios (all datasets)."""
        with reading(self._engine) as conn:
            return int(conn.execute(select(func.count()).select_from(scenario_table)).scalar_one())

    def audit(self, scenario_id: int) -> list[AuditEntry]:
        """Audit rows of a scenario, oldest first."""
        with reading(self._engine) as conn:
            self._row(conn, scenario_id)
            return audit_rows.read_audit(conn, scenario_id)

    def deletions(self, dataset_id: str | None = None) -> list[AuditEntry]:
        """Tombstones of deleted scenarios (``detail["skenario"]`` is the export), oldest first."""
        with reading(self._engine) as conn:
            entries = audit_rows.read_deletions(conn, dataset_id)
        gate = self.gate or (lambda _id: True)
        return [e for e in entries if gate(str(e.detail.get("skenario", {}).get("dataset_id", "")))]

    def plan(self, scenario_id: int) -> list[PlanItem]:
        """Saved plan items of a scenario, in saved order."""
        with reading(self._engine) as conn:
            self._row(conn, scenario_id)
            return plans.read_plan(conn, scenario_id)

    def previous(self, scenario_id: int) -> PreviousList | None:
        """Last year's lokus saved with the scenario (None when none was imported)."""
        with reading(self._engine) as conn:
            self._row(conn, scenario_id)
            return plans.read_previous(conn, scenario_id)

    def compare(self, id_a: int, id_b: int) -> ScenarioDiff:
        """Villages entering (in B only), leaving (in A only) and in both, going from A to B."""
        with reading(self._engine) as conn:
            a = scenario_of(self._row(conn, id_a))
            b = scenario_of(self._row(conn, id_b))
        return compare_lists(a.chosen, b.chosen)

    def export_json(self, scenario_id: int) -> str:
        """The scenario with its plan and last year's list as JSON (:meth:`Scenario.to_json`)."""
        return self.get(scenario_id).to_json(plan=self.plan(scenario_id), previous=self.previous(scenario_id))

    def import_json(self, text: str | bytes, *, author: str, name: str | None = None) -> Scenario:
        """Save an exported scenario as a new one (plan and last year's list included).

        The audit starts with an ``import`` row naming the original author and id.
        """
        doc = read_export(text)
        sc = doc.scenario
        who = _who(author)
        self._check_dataset(sc.dataset_id)
        now = _now()
        with writing(self._engine) as conn:
            sid = insert_scenario(conn, name=name or sc.name or t("store.default.import_name"),
                                  dataset_id=sc.dataset_id, config=sc.config, chosen=sc.chosen,
                                  targets=sc.targets, notes=sc.notes, author=who, now=now)
            insert_audit(conn, sid, now, who, ("import", None, t("store.audit.imported"), {
                "id_asal": sc.id, "penulis_asal": sc.author, "nama_asal": sc.name,
                "jumlah_desa": len(sc.chosen)}))
            for v in sc.chosen:
                insert_audit(conn, sid, now, who, ("add", v.kode, v.alasan, None))
            plans.insert_plan(conn, sid, doc.plan)
            plans.insert_previous(conn, sid, doc.previous, doc.previous_year, doc.previous_file)
            return scenario_of(self._row(conn, sid))

    # ------------------------------------------------------------------ dataset records
    def record_dataset(self, dataset_id: str, title: str, *, author: str, detail: Mapping[str, Any],
                       folder: Path | None = None) -> None:
        """Record a saved user dataset (who and when) and store its ``folder``'s files in the
        same transaction, so that every server can unpack them (:mod:`geo.store.dataset_files`).
        Saving again under an id of a deleted dataset replaces the old record."""
        who = _who(author)
        packed = dataset_files.pack(folder) if folder is not None else None  # before the lock
        with writing(self._engine) as conn:
            if packed is not None:  # saved meanwhile on another server under the same id: taken
                dataset_files.check_free(conn, dataset_id)
            datasets.record(conn, dataset_id, clean_text(title, "title", 200), who=who, at=_now(),
                            detail=detail)
            if packed is not None:
                dataset_files.put(conn, dataset_id, packed, at=_now())
        if folder is not None and packed is not None:
            dataset_files.mark(folder, packed.sha256)  # this copy is current: no re-download

    def delete_dataset_record(self, dataset_id: str, *, author: str) -> int:
        """Mark a dataset deleted (the row stays as a record); returns how many saved
        scenarios were made on it (they stay, for the record, but cannot be opened)."""
        who = _who(author)
        with writing(self._engine) as conn:
            dataset_files.remove(conn, dataset_id)  # every server drops its copy at its next sync
            return datasets.delete_record(conn, dataset_id, who=who, at=_now())

    def dataset_records(self) -> list[dict[str, Any]]:
        """Every dataset record (deleted ones too), newest first."""
        with reading(self._engine) as conn:
            return datasets.read_records(conn)

    # ------------------------------------------------------------------ writes
    def _change(self, scenario_id: int, *, author: str, expected_version: int | None,
                build: Callable[[Connection, Scenario], _Change]) -> Scenario:
        """Read (locked), build the change, bump the version, write audit rows: one transaction."""
        who = _who(author)
        with writing(self._engine) as conn:
            row = self._row(conn, scenario_id, lock=True)
            if expected_version is not None and row.version != int(expected_version):
                raise StaleScenarioError.of("store.error.stale", name=row.name, version=row.version,
                                            expected=int(expected_version))
            change = build(conn, scenario_of(row))
            now = _now()
            result = conn.execute(update(scenario_table)
                                  .where(scenario_table.c.id == row.id,
                                         scenario_table.c.version == row.version)
                                  .values(**change.values, version=row.version + 1, updated_at=now))
            if result.rowcount != 1:  # only reachable if a backend ignored the row lock
                raise StaleScenarioError.of("store.error.busy", name=row.name)
            for audit_row in change.audits:
                insert_audit(conn, row.id, now, who, audit_row)
            if change.after is not None:
                change.after(conn, row.id)
            return scenario_of(self._row(conn, row.id))

    def update_config(self, scenario_id: int, config: ScoringConfig,
                      chosen: Sequence[ChosenVillage | tuple[str, str]], *, author: str, reason: str,
                      expected_version: int) -> Scenario:
        """Replace the configuration and the chosen list (e.g. after re-scoring).

        Audit: one ``config`` row naming the settings changed (before/after), then one
        ``remove``/``add`` row per village leaving/entering, all with ``reason``.
        Raises :class:`StaleScenarioError` when ``expected_version`` is not current.
        """
        why = clean_text(reason, "change_reason", 1000)
        villages = chosen_list(chosen)

        def build(conn: Connection, cur: Scenario) -> _Change:
            before, after = cur.config.to_dict(), config.to_dict()
            changed = [k for k in after if before.get(k) != after[k]]
            audits: list[AuditRow] = []
            if changed:
                audits.append(("config", None, why, {"berubah": changed,
                                                     "sebelum": {k: before.get(k) for k in changed},
                                                     "sesudah": {k: after[k] for k in changed}}))
            audits += list_audits(cur.chosen, villages, why)
            return _Change(values={"config_json": dumps(after), "year": config.year,
                                   **chosen_values(villages)}, audits=audits)

        return self._change(scenario_id, author=author, expected_version=expected_version, build=build)

    def set_chosen(self, scenario_id: int, chosen: Sequence[ChosenVillage | tuple[str, str]], *,
                   author: str, reason: str, expected_version: int | None = None) -> Scenario:
        """Replace the chosen list; one audit row per village added or removed (why = ``reason``)."""
        why = clean_text(reason, "change_reason", 1000)
        villages = chosen_list(chosen)

        def build(conn: Connection, cur: Scenario) -> _Change:
            return _Change(values=chosen_values(villages), audits=list_audits(cur.chosen, villages, why))

        return self._change(scenario_id, author=author, expected_version=expected_version, build=build)

    def add_village(self, scenario_id: int, code: str, reason: str, *, author: str,
                    expected_version: int | None = None) -> Scenario:
        """Append a village to the chosen list (reason required; stored as its reason too).

        Raises :class:`InputError` on an empty reason, an invalid code, or a village already listed.
        """
        village = ChosenVillage(code, reason)

        def build(conn: Connection, cur: Scenario) -> _Change:
            if village.kode in cur.reasons:
                raise InputError.of("store.error.already_chosen", rows=[village.kode])
            return _Change(values=chosen_values((*cur.chosen, village)),
                           audits=[("add", village.kode, village.alasan, None)])

        return self._change(scenario_id, author=author, expected_version=expected_version, build=build)

    def remove_village(self, scenario_id: int, code: str, reason: str, *, author: str,
                       expected_version: int | None = None) -> Scenario:
        """Remove a village from the chosen list (reason required; the village must be listed)."""
        why = clean_text(reason, "reason", 1000)
        kode = normalise_code(code) or str(code)

        def build(conn: Connection, cur: Scenario) -> _Change:
            if kode not in cur.reasons:
                raise InputError.of("store.error.not_chosen", rows=[kode])
            return _Change(values=chosen_values(tuple(v for v in cur.chosen if v.kode != kode)),
                           audits=[("remove", kode, why, {"alasan_sebelumnya": cur.reasons[kode]})])

        return self._change(scenario_id, author=author, expected_version=expected_version, build=build)

    def rename(self, scenario_id: int, new_name: str, *, author: str,
               expected_version: int | None = None) -> Scenario:
        """Rename (unique per dataset, case-insensitive; :class:`InputError` when taken)."""
        name, key = scenario_name(new_name)

        def build(conn: Connection, cur: Scenario) -> _Change:
            check_name_free(conn, cur.dataset_id, key, except_id=cur.id, name=name)
            return _Change(values={"name": name, "name_key": key}, audits=[
                ("rename", None, t("store.audit.renamed"), {"sebelum": cur.name, "sesudah": name})])

        try:
            return self._change(scenario_id, author=author, expected_version=expected_version, build=build)
        except IntegrityError:  # a concurrent rename won the race
            raise name_taken(name) from None

    def duplicate(self, scenario_id: int, new_name: str, *, author: str) -> Scenario:
        """Copy a scenario (configuration, list, targets, notes, plan, last year's list)."""
        who = _who(author)
        now = _now()
        with writing(self._engine) as conn:
            src = scenario_of(self._row(conn, scenario_id))
            sid = insert_scenario(conn, name=new_name, dataset_id=src.dataset_id, config=src.config,
                                  chosen=src.chosen, targets=src.targets, notes=src.notes, author=who,
                                  now=now)
            insert_audit(conn, sid, now, who, ("duplicate", None, t("store.audit.copied", name=src.name), {
                "dari_id": src.id, "dari_nama": src.name, "dari_versi": src.version,
                "terpilih": [v.kode for v in src.chosen]}))
            plans.insert_plan(conn, sid, plans.read_plan(conn, scenario_id))
            plans.replace_previous(conn, sid, plans.read_previous(conn, scenario_id))
            return scenario_of(self._row(conn, sid))

    def delete(self, scenario_id: int, *, author: str, reason: str = "",
               expected_version: int | None = None) -> None:
        """Delete a scenario with its audit rows and plan (cascade), leaving a tombstone.

        The tombstone is an audit row without scenario id whose detail holds the
        full export (see :meth:`deletions`).
        """
        who = _who(author)
        why = clean_text(reason, "reason", 1000, required=False) or t("store.audit.deleted")
        with writing(self._engine) as conn:
            row = self._row(conn, scenario_id, lock=True)
            if expected_version is not None and row.version != int(expected_version):
                raise StaleScenarioError.of("store.error.stale_delete", name=row.name, version=row.version)
            doc = scenario_of(row).to_dict(plan=plans.read_plan(conn, row.id))
            insert_audit(conn, None, _now(), who, ("delete", None, why, {"skenario": doc}))
            conn.execute(delete(scenario_table).where(scenario_table.c.id == row.id))

    def set_notes(self, scenario_id: int, notes: str, *, author: str,
                  expected_version: int | None = None) -> Scenario:
        """Replace the free notes (audit keeps before/after)."""
        clean = clean_text(notes, "notes", 20_000, required=False, multiline=True)

        def build(conn: Connection, cur: Scenario) -> _Change:
            return _Change(values={"notes": clean}, audits=[
                ("notes", None, t("store.audit.notes"), {"sebelum": cur.notes, "sesudah": clean})])

        return self._change(scenario_id, author=author, expected_version=expected_version, build=build)

    def set_targets(self, scenario_id: int, targets: Mapping[str, float], *, author: str,
                    expected_version: int | None = None) -> Scenario:
        """Replace the coverage target overrides (empty = catalogue targets)."""
        clean = check_targets(targets)

        def build(conn: Connection, cur: Scenario) -> _Change:
            return _Change(values={"targets_json": dumps(clean)}, audits=[
                ("targets", None, t("store.audit.targets"),
                 {"sebelum": dict(cur.targets), "sesudah": clean})])

        return self._change(scenario_id, author=author, expected_version=expected_version, build=build)

    def save_plan(self, scenario_id: int, items: Sequence[PlanItem], *, author: str,
                  expected_version: int | None = None) -> list[PlanItem]:
        """Replace the plan items (the whole edited list from the UI) in one transaction.

        Audit: one ``plan`` row with counts before/after, items added/removed and the total
        budget. Items need not belong to chosen villages (a planner may keep an activity
        while a village is debated); the UI may flag those.
        """
        new = [it if isinstance(it, PlanItem) else PlanItem.from_dict(it) for it in items]
        who = _who(author)

        def replace_items(conn: Connection, sid: int) -> None:
            old = plans.replace_plan(conn, sid, new)
            change = plans.plan_change(old, new)
            insert_audit(conn, sid, _now(), who, ("plan", None, t("store.audit.plan"), change))

        self._change(scenario_id, author=author, expected_version=expected_version,
                     build=lambda conn, cur: _Change(after=replace_items))
        return self.plan(scenario_id)

    def set_previous(self, scenario_id: int, previous: PreviousList | None, *, author: str,
                     expected_version: int | None = None) -> Scenario:
        """Save (or with None, clear) last year's lokus list for the scenario."""
        detail = None if previous is None else {
            "jumlah_desa": len(previous.codes), "tahun": previous.year, "berkas": previous.file}
        reason = t("store.audit.previous_cleared" if previous is None else "store.audit.previous_imported")

        def build(conn: Connection, cur: Scenario) -> _Change:
            return _Change(after=lambda conn, sid: plans.replace_previous(conn, sid, previous),
                           audits=[("previous", None, reason, detail)])

        return self._change(scenario_id, author=author, expected_version=expected_version, build=build)
