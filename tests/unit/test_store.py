"""Scenario store on SQLite (always) and PostgreSQL (when DATABASE_URL points to one).

Run ``scripts/test.sh`` (as root) or ``scripts/with_postgres.sh .venv/bin/pytest ...`` to run
these on PostgreSQL too.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, select

from geo.core.errors import InputError
from geo.core.settings import Settings
from geo.decide.continuity import PreviousList
from geo.decide.plan import PlanItem
from geo.scoring.config import ScoringConfig
from geo.scoring.pipeline import run_scoring
from geo.scoring.presets import preset_config
from geo.store import plans as store_plans
from geo.store import scenarios as store_scenarios
from geo.store.engine import MIGRATIONS_DIR, default_url
from geo.store.model import (
    ChosenVillage,
    Scenario,
    ScenarioNotFoundError,
    StaleScenarioError,
    chosen_from_result,
    read_export,
)
from geo.store.scenarios import Store
from geo.store.schema import audit_table, metadata, plan_item_table, previous_list_table, scenario_table
from tests import conftest_db

# fixtures (SQLite always, PostgreSQL when DATABASE_URL points to one)
pg_database, db_url, empty_store, store = (conftest_db.pg_database, conftest_db.db_url,
                                           conftest_db.empty_store, conftest_db.store)

ROOT = Path(__file__).resolve().parents[2]
V1, V2, V3, V4, V5 = (f"32.11.01.200{i}" for i in range(1, 6))
TABLES = {"scenario", "audit", "plan_item", "previous_list"}


def cfg(**kw) -> ScoringConfig:
    base = {"year": 2021, "indicators": ("rasio_merah", "merah"),
            "weights": {"rasio_merah": 0.6, "merah": 0.4}, "top_n": 3}
    base.update(kw)
    return ScoringConfig(**base)


def new(store: Store, name: str = "Lokus 2025", chosen=((V1, "peringkat 1"), (V2, "peringkat 2")),
        **kw) -> Scenario:
    return store.save_new(name, "sumedang", cfg(), list(chosen), author="ani", **kw)


def rows(store: Store, table) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


# --------------------------------------------------------------------------- migrations
def test_upgrade_on_empty_database_creates_the_schema(empty_store):
    assert empty_store.current_revision() is None
    assert not TABLES & set(inspect(empty_store.engine).get_table_names())
    empty_store.upgrade()
    head = ScriptDirectory.from_config(empty_store.alembic_config()).get_current_head()
    assert empty_store.current_revision() == head
    assert set(inspect(empty_store.engine).get_table_names()) >= TABLES
    empty_store.upgrade()  # idempotent (every worker calls it at start-up)
    assert empty_store.current_revision() == head


def test_migrations_match_the_models(store):
    """Autogenerate finds nothing to do: the revisions create exactly what geo.store.schema declares."""
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    assert diff == []


def test_downgrade_to_base_and_up_again(store):
    new(store)
    store.downgrade("base")
    assert not TABLES & set(inspect(store.engine).get_table_names())
    store.upgrade()
    assert store.count() == 0


def test_revision_history_is_linear():
    script = ScriptDirectory(str(MIGRATIONS_DIR))
    heads, bases = script.get_heads(), script.get_bases()
    assert len(heads) == 1 and len(bases) == 1
    revisions = list(script.walk_revisions())  # head to base
    for rev in revisions:
        assert not isinstance(rev.down_revision, tuple | list), f"merge point at {rev.revision}"
        assert len(rev.nextrev) <= 1, f"branch point at {rev.revision}"
    assert revisions[-1].revision == bases[0] and revisions[-1].down_revision is None
    assert len({r.revision for r in revisions}) == len(revisions)


def test_sqlite_default_url_wal_and_foreign_keys(tmp_path):
    folder = tmp_path / "belum" / "ada"
    assert default_url(folder, Settings.from_env({}).database_url).endswith(str(folder / "lokus.db"))
    with Store(data_dir=folder) as st:
        assert st.dialect == "sqlite" and (folder).is_dir()
        st.upgrade()
        with st.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    database_url = Settings.from_env({"DATABASE_URL": "postgres://u:rahasia@db/lokus"}).database_url
    assert default_url(folder, database_url) == "postgres://u:rahasia@db/lokus"
    # password never shown; no connection made
    assert "rahasia" not in repr(Store(database_url, data_dir=folder))


# --------------------------------------------------------------------------- CRUD
def test_crud_round_trip(store):
    sc = new(store, notes="Dibahas di rembuk\nbaris kedua", targets={"sp_mpasi": 75})
    got = store.get(sc.id)
    assert got == sc
    assert (got.name, got.dataset_id, got.year, got.version, got.author) == (
        "Lokus 2025", "sumedang", 2021, 1, "ani")
    assert got.config == cfg() and got.codes == (V1, V2) and got.reasons[V1] == "peringkat 1"
    assert got.targets == {"sp_mpasi": 75.0} and got.notes == "Dibahas di rembuk\nbaris kedua"
    assert got.created_at.tzinfo is not None and got.created_at.utcoffset().total_seconds() == 0
    assert got.created_at == got.updated_at

    other = store.save_new("Lain", "dataset-lain", cfg(), [(V3, "x")], author="budi")
    assert [s.id for s in store.find("sumedang")] == [sc.id]
    assert store.find("sumedang")[0].n_chosen == 2 and store.find("tidak-ada") == []

    renamed = store.rename(sc.id, "  Lokus final  ", author="budi")
    assert renamed.name == "Lokus final" and renamed.version == 2 and renamed.updated_at > sc.updated_at
    store.save_plan(sc.id, [PlanItem(kode=V1, kegiatan="Kelas ibu hamil", opd="Dinkes", anggaran=5_000_000)],
                    author="ani")
    store.set_previous(sc.id, PreviousList(codes=(V2, V5), names={V2: "B", V5: "E"}, year=2020, file="l.csv"),
                       author="ani")
    copy = store.duplicate(sc.id, "Salinan", author="citra")
    assert (copy.codes, copy.config, copy.targets, copy.notes, copy.version) == (
        renamed.codes, renamed.config, renamed.targets, renamed.notes, 1)
    assert copy.author == "citra" and copy.id != sc.id
    assert [p.kegiatan for p in store.plan(copy.id)] == ["Kelas ibu hamil"]
    assert store.previous(copy.id).codes == (V2, V5) and store.previous(copy.id).year == 2020
    assert [a.action for a in store.audit(copy.id)] == ["duplicate"]
    assert {s.name for s in store.find("sumedang")} == {"Lokus final", "Salinan"}

    before_audit = rows(store, audit_table)
    n_audit = len(store.audit(sc.id))
    store.delete(sc.id, author="dedi", reason="diganti skenario baru")
    with pytest.raises(ScenarioNotFoundError, match="tidak ditemukan"):
        store.get(sc.id)
    with pytest.raises(ScenarioNotFoundError):
        store.rename(sc.id, "x", author="a")
    # cascade: plan, previous list and audit rows went with it; one tombstone was added
    with store.engine.connect() as conn:
        for table in (plan_item_table, previous_list_table, audit_table):
            left = conn.execute(select(func.count()).select_from(table).where(table.c.scenario_id == sc.id))
            assert left.scalar_one() == 0
    assert rows(store, audit_table) == before_audit - n_audit + 1
    tomb = store.deletions("sumedang")
    assert len(tomb) == 1 and tomb[0].who == "dedi" and tomb[0].reason == "diganti skenario baru"
    assert tomb[0].detail["skenario"]["chosen"][0] == {"kode": V1, "alasan": "peringkat 1"}
    assert store.get(copy.id).codes == (V1, V2) and store.get(other.id).codes == (V3,)


def test_names_trimmed_unique_and_clean(store):
    sc = new(store, name="  Lokus 2025 ")
    assert sc.name == "Lokus 2025"
    for taken in ("Lokus 2025", "lokus 2025", "LOKUS   2025"):
        with pytest.raises(InputError, match="sudah dipakai"):
            new(store, name=taken)
    for bad in ("", "   ", "x" * 121, "Lokus\x00", "Lokus\nbaru"):
        with pytest.raises(InputError):
            new(store, name=bad)
    assert store.save_new("Lokus 2025", "dataset-lain", cfg(), [], author="ani").name == "Lokus 2025"
    second = new(store, name="Cadangan")
    with pytest.raises(InputError, match="sudah dipakai"):
        store.rename(second.id, "LOKUS 2025", author="ani")
    assert store.rename(sc.id, "LOKUS 2025", author="ani").name == "LOKUS 2025"  # own name, other case
    assert store.count() == 3
    with pytest.raises(InputError):
        store.save_new("Tanpa penulis", "sumedang", cfg(), [], author="  ")


# --------------------------------------------------------------------------- audit
def test_every_add_and_remove_is_audited_with_who_and_why(store):
    sc = new(store)
    sc = store.add_village(sc.id, V3, "usulan camat", author="budi")
    sc = store.remove_village(sc.id, V1, "sudah lokus 3 tahun", author="citra", expected_version=sc.version)
    sc = store.set_chosen(sc.id, [(V2, "peringkat 2"), (V4, "hasil rembuk"), (V5, "hasil rembuk")],
                          author="dedi", reason="kesepakatan rembuk stunting")
    assert sc.codes == (V2, V4, V5) and sc.version == 4
    log = store.audit(sc.id)
    got = [(a.action, a.code, a.who, a.reason) for a in log]
    assert got == [
        ("create", None, "ani", "skenario dibuat"),
        ("add", V1, "ani", "peringkat 1"),
        ("add", V2, "ani", "peringkat 2"),
        ("add", V3, "budi", "usulan camat"),
        ("remove", V1, "citra", "sudah lokus 3 tahun"),
        ("remove", V3, "dedi", "kesepakatan rembuk stunting"),
        ("add", V4, "dedi", "kesepakatan rembuk stunting"),
        ("add", V5, "dedi", "kesepakatan rembuk stunting"),
    ]
    assert log[4].detail == {"alasan_sebelumnya": "peringkat 1"}
    assert all(a.at.tzinfo is not None for a in log)
    assert [a.at for a in log] == sorted(a.at for a in log)

    # update_config: one config row naming what changed, then one row per village
    new_cfg = cfg(top_n=2, weights={"rasio_merah": 0.5, "merah": 0.5})
    sc = store.update_config(sc.id, new_cfg, [(V2, "peringkat 1"), (V1, "peringkat 2")], author="eka",
                             reason="bobot disamakan", expected_version=sc.version)
    assert sc.config == new_cfg and sc.codes == (V2, V1)
    tail = store.audit(sc.id)[len(log):]
    assert [(a.action, a.code) for a in tail] == [
        ("config", None), ("remove", V4), ("remove", V5), ("add", V1)]
    assert set(tail[0].detail["berubah"]) == {"weights", "top_n"} and tail[0].detail["sesudah"]["top_n"] == 2
    assert all(a.who == "eka" and a.reason == "bobot disamakan" for a in tail)


def test_reasons_required_and_list_rules(store):
    sc = new(store)
    for call in (lambda: store.add_village(sc.id, V3, "  ", author="a"),
                 lambda: store.remove_village(sc.id, V1, "", author="a"),
                 lambda: store.set_chosen(sc.id, [(V1, "x")], author="a", reason=""),
                 lambda: store.add_village(sc.id, V1, "lagi", author="a"),  # already on the list
                 lambda: store.remove_village(sc.id, V5, "tidak ada", author="a"),
                 lambda: store.add_village(sc.id, "3211", "kode rusak", author="a"),
                 lambda: store.set_chosen(sc.id, [(V1, "x"), (V1, "y")], author="a", reason="ganda"),
                 lambda: store.save_new("Baru", "sumedang", cfg(), [(V1, "")], author="a")):
        with pytest.raises(InputError):
            call()
    assert store.get(sc.id).version == 1 and len(store.audit(sc.id)) == 3
    # codes are normalised before they are stored
    assert store.add_village(sc.id, "3211012003", "usulan", author="a").codes[-1] == V3


def test_stale_version_is_rejected(store):
    sc = new(store)
    mine, theirs = store.get(sc.id), store.get(sc.id)  # two planners open version 1
    store.add_village(theirs.id, V3, "usulan puskesmas", author="budi", expected_version=theirs.version)
    with pytest.raises(StaleScenarioError, match="muat ulang") as err:
        store.update_config(mine.id, cfg(top_n=5), [(V4, "x")], author="ani", reason="ubah",
                            expected_version=mine.version)
    assert isinstance(err.value, InputError)
    for call in (lambda: store.remove_village(sc.id, V1, "x", author="a", expected_version=1),
                 lambda: store.rename(sc.id, "Baru", author="a", expected_version=1),
                 lambda: store.set_notes(sc.id, "x", author="a", expected_version=1),
                 lambda: store.save_plan(sc.id, [], author="a", expected_version=1),
                 lambda: store.delete(sc.id, author="a", expected_version=1)):
        with pytest.raises(StaleScenarioError):
            call()
    now = store.get(sc.id)
    assert now.codes == (V1, V2, V3) and now.config == cfg() and now.version == 2


def test_concurrent_writers_lose_nothing(store):
    sc = new(store, chosen=())
    batches = [[f"32.11.0{k}.2{i:03d}" for i in range(1, 6)] for k in range(1, 7)]  # 6 writers × 5 adds
    codes = [c for batch in batches for c in batch]
    errors: list[BaseException] = []
    start = threading.Barrier(len(batches))

    def add(batch: list[str]) -> None:
        start.wait()
        try:
            for code in batch:
                store.add_village(sc.id, code, "paralel", author=f"u{code[6:8]}")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(b,)) for b in batches]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    final = store.get(sc.id)
    assert sorted(final.codes) == sorted(codes) and final.version == 1 + len(codes)
    assert sorted(a.code for a in store.audit(sc.id) if a.action == "add") == sorted(codes)


# --------------------------------------------------------------------------- transactions
class Boom(RuntimeError):
    pass


def _fail_on(module, monkeypatch, method: str, nth: int) -> None:
    """Make ``module.<method>`` raise on its ``nth`` call (earlier calls really write)."""
    real = getattr(module, method)
    calls = {"n": 0}

    def wrapper(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == nth:
            raise Boom(f"{method} #{nth}")
        return real(*args, **kwargs)

    monkeypatch.setattr(module, method, wrapper)


def test_failure_mid_write_leaves_nothing_half_saved(store, monkeypatch):
    sc = new(store)
    store.save_plan(sc.id, [PlanItem(kode=V1, kegiatan="A"), PlanItem(kode=V2, kegiatan="B")], author="ani")
    before, plan_before, audit_before = store.get(sc.id), store.plan(sc.id), store.audit(sc.id)

    # update_config: config row + first audit row written, then the second audit row fails
    _fail_on(store_scenarios, monkeypatch, "insert_audit", 3)
    with pytest.raises(Boom):
        store.update_config(sc.id, cfg(top_n=9), [(V3, "a"), (V4, "b")], author="x", reason="uji",
                            expected_version=before.version)
    monkeypatch.undo()
    assert store.get(sc.id) == before and store.audit(sc.id) == audit_before

    # save_plan: old items deleted, one new item inserted, then the insert fails
    real_insert = store_plans.insert_plan

    def partial(conn, sid, items):
        real_insert(conn, sid, items[:1])
        raise Boom("plan")

    monkeypatch.setattr(store_plans, "insert_plan", partial)
    with pytest.raises(Boom):
        store.save_plan(sc.id, [PlanItem(kode=V3, kegiatan="C"), PlanItem(kode=V4, kegiatan="D")], author="x")
    monkeypatch.undo()
    assert store.plan(sc.id) == plan_before and store.get(sc.id) == before

    # save_new: scenario row and 'create' audit row written, then an 'add' row fails
    n_scen, n_audit = rows(store, scenario_table), rows(store, audit_table)
    _fail_on(store_scenarios, monkeypatch, "insert_audit", 2)
    with pytest.raises(Boom):
        new(store, name="Setengah")
    monkeypatch.undo()
    assert (rows(store, scenario_table), rows(store, audit_table)) == (n_scen, n_audit)
    assert new(store, name="Setengah").name == "Setengah"  # the name was not taken by a ghost row

    # delete: tombstone written, then the delete fails -> scenario and no tombstone
    monkeypatch.setattr(store_scenarios, "scenario_of", lambda row: (_ for _ in ()).throw(Boom("read")))
    with pytest.raises(Boom):
        store.delete(sc.id, author="x")
    monkeypatch.undo()
    assert store.get(sc.id) == before and store.deletions() == []


# --------------------------------------------------------------------------- other writes
def test_compare(store):
    a = new(store, name="A", chosen=[(V1, "p1"), (V2, "p2"), (V3, "p3")])
    b = new(store, name="B", chosen=[(V4, "rembuk"), (V2, "p1"), (V5, "SK")])
    diff = store.compare(a.id, b.id)
    assert [v.kode for v in diff.entering] == [V4, V5] and diff.entering[1].alasan == "SK"
    assert [v.kode for v in diff.leaving] == [V1, V3] and diff.leaving[0].alasan == "p1"
    assert [v.kode for v in diff.both] == [V2]
    frame = diff.to_frame()
    assert frame["status"].tolist() == ["masuk", "masuk", "keluar", "keluar", "tetap"]
    same = store.compare(a.id, a.id)
    assert not same.entering and not same.leaving and len(same.both) == 3


def test_plan_saved_and_audited(store):
    sc = new(store)
    items = [PlanItem(kode=V1, nama="Cimungkal", kecamatan="Wado", indicator_id="sp_mpasi",
                      indicator="MP-ASI", value=70.0, target=80.0, gap=10.0, kegiatan="Demo MP-ASI",
                      opd="Dinkes", source="otomatis"),
             PlanItem(kode=V2, kegiatan="Jamban sehat", opd="PUPR/Perkim", volume=12.5, satuan="unit",
                      anggaran=2_500_000_000, catatan="DAK\nfisik")]
    saved = store.save_plan(sc.id, items, author="ani")
    assert all(p.id is not None for p in saved)
    assert [p.to_dict() | {"id": None} for p in saved] == [p.to_dict() for p in items]
    assert saved[1].anggaran == 2_500_000_000  # beyond 32-bit
    edited = [saved[0], PlanItem.from_dict(saved[1].to_dict() | {"opd": "Dinsos", "id": None}),
              PlanItem(kode=V3, kegiatan="Kelas BKB", opd="DP2KB")]
    store.save_plan(sc.id, edited, author="budi")
    assert [p.opd for p in store.plan(sc.id)] == ["Dinkes", "Dinsos", "DP2KB"]
    plan_rows = [a for a in store.audit(sc.id) if a.action == "plan"]
    assert [a.who for a in plan_rows] == ["ani", "budi"]
    assert plan_rows[1].detail["sebelum"] == 2 and plan_rows[1].detail["sesudah"] == 3
    detail = plan_rows[1].detail
    assert detail["ditambah_atau_diubah"] == 2 and detail["dihapus_atau_diubah"] == 1
    assert store.get(sc.id).version == 3
    store.save_plan(sc.id, [], author="ani")
    assert store.plan(sc.id) == []


def test_targets_notes_previous(store):
    sc = new(store)
    with pytest.raises(InputError):
        store.set_targets(sc.id, {"bukan_indikator": 50}, author="a")
    with pytest.raises(InputError):
        store.set_targets(sc.id, {"sp_mpasi": 150}, author="a")
    sc = store.set_targets(sc.id, {"sp_mpasi": 70, "se_air_minum": "85,5"}, author="a")
    assert sc.targets == {"sp_mpasi": 70.0, "se_air_minum": 85.5}
    sc = store.set_notes(sc.id, "  Catatan\trembuk\n", author="b")
    assert sc.notes == "Catatan\trembuk"
    with pytest.raises(InputError):
        store.set_notes(sc.id, "bel\x07", author="b")
    assert store.previous(sc.id) is None
    last_year = PreviousList(codes=(V3,), names={V3: "C"}, year=2020, file="lalu.xlsx")
    store.set_previous(sc.id, last_year, author="c")
    prev = store.previous(sc.id)
    assert (prev.codes, prev.names, prev.year, prev.file) == ((V3,), {V3: "C"}, 2020, "lalu.xlsx")
    store.set_previous(sc.id, None, author="c")
    assert store.previous(sc.id) is None
    assert [a.action for a in store.audit(sc.id)][-4:] == ["targets", "notes", "previous", "previous"]


# --------------------------------------------------------------------------- JSON export
@pytest.fixture(scope="module")
def sumedang(sumedang_dataset):
    return sumedang_dataset


def test_json_round_trip_reproduces_the_ranking_exactly(store, sumedang):
    base = preset_config(sumedang, "perpres72_spesifik", 2021)
    awkward = {k: 1 / (i + 3) for i, k in enumerate(base.indicators)}  # weights that are not short decimals
    ranked0 = run_scoring(sumedang, ScoringConfig(year=2021, indicators=base.indicators, weights=awkward),
                          stability=False, hotspots=False).ranked()["kode"].tolist()
    config = ScoringConfig(year=2021, indicators=base.indicators, weights=awkward, method="topsis",
                           max_per_kecamatan=2, force_in={ranked0[-1]: "SK Bupati 2024"},
                           force_out={ranked0[0]: "sudah ditangani"}, hotspot_criterion=True, draws=200,
                           seed=7)
    first = run_scoring(sumedang, config)
    sc = store.save_new("Perpres 72", "sumedang", config, chosen_from_result(first), author="ani")
    text = store.export_json(sc.id)

    loaded = Scenario.from_json(text)
    assert loaded.config == config and loaded.config.to_dict() == config.to_dict()
    again = run_scoring(sumedang, loaded.config)
    a, b = first.table, again.table
    assert a["kode"].tolist() == b["kode"].tolist()
    for col in ("skor", "peringkat", "p_top_n"):
        assert np.array_equal(a[col].to_numpy(), b[col].to_numpy(), equal_nan=True), col
    assert a["rekomendasi"].tolist() == b["rekomendasi"].tolist() and a["lisa"].tolist() == b["lisa"].tolist()
    assert loaded.codes == tuple(again.selection.chosen) == tuple(first.selection.chosen)
    assert ranked0[-1] in loaded.codes and ranked0[0] not in loaded.codes

    # import into the store: a new scenario whose stored config gives the same ranking again
    imported = store.import_json(text, author="budi", name="Perpres 72 (impor)")
    assert imported.config == config and imported.codes == loaded.codes and imported.id != sc.id
    assert store.audit(imported.id)[0].action == "import"


def test_export_carries_plan_previous_and_shared_shape(store):
    from geo.export.scenario import read_scenario_json

    sc = new(store, targets={"sp_mpasi": 70})
    store.save_plan(sc.id, [PlanItem(kode=V1, kegiatan="Kelas ibu hamil", anggaran=1_000_000)], author="a")
    store.set_previous(sc.id, PreviousList(codes=(V5,), names={V5: "E"}, year=2020, file="l.csv"), author="a")
    text = store.export_json(sc.id)
    doc = read_export(text)
    assert doc.scenario.targets == {"sp_mpasi": 70.0} and doc.plan[0].kegiatan == "Kelas ibu hamil"
    assert doc.previous == ((V5, "E"),) and doc.previous_year == 2020
    # the export module reads the same document
    shared = read_scenario_json(text)
    assert shared.config == sc.config and [c for c, _ in shared.chosen] == [V1, V2]
    copy = store.import_json(text, author="b", name="Salinan impor")
    assert store.plan(copy.id)[0].anggaran == 1_000_000 and store.previous(copy.id).codes == (V5,)
    with pytest.raises(InputError, match="sudah dipakai"):
        store.import_json(text, author="b")  # the original name is taken
    for bad in ("bukan json", '{"format": "lain"}', text.replace('"version": 1', '"version": 99'),
                text.replace(V1, "123")):
        with pytest.raises(InputError):
            read_export(bad)


def test_chosen_village_validation():
    assert ChosenVillage("3211012001", " peringkat 1 ") == ChosenVillage(V1, "peringkat 1")
    with pytest.raises(InputError):
        ChosenVillage("32.11", "x")


def test_dataset_records_keep_who_and_when_and_deletions(store):
    store.record_dataset("wado", "Wado 2021", author="Rina", detail={"files": ["a.geojson"]})
    new(store)  # a scenario on the embedded dataset does not count for wado
    sid = store.save_new("Wado lokus", "wado", cfg(), [(V1, "peringkat 1")], author="Rina").id
    (record,) = store.dataset_records()
    assert record["title"] == "Wado 2021" and record["created_by"] == "Rina"
    assert record["detail"] == {"files": ["a.geojson"]} and record["deleted_at"] is None
    assert store.delete_dataset_record("wado", author="Budi") == 1
    (record,) = store.dataset_records()
    assert record["deleted_by"] == "Budi" and record["deleted_at"] is not None
    assert store.get(sid).dataset_id == "wado"  # the scenario stays, for the record
    # saved again under the same id: a fresh record replaces the deleted one
    store.record_dataset("wado", "Wado 2022", author="Rina", detail={})
    assert [r["title"] for r in store.dataset_records()] == ["Wado 2022"]
