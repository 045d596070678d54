"""Saved datasets' files in the database (issue 13): stored with the record, unpacked by every
other server into its own folder, dropped everywhere when deleted; on SQLite always and on
PostgreSQL when DATABASE_URL points to one (``scripts/with_postgres.sh``)."""

from __future__ import annotations

import hashlib
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from geo.core.errors import InputError
from geo.data.library import save_dataset
from geo.store import dataset_files
from geo.store.dataset_files import MARKER, DatasetSync, adopt, local_hash, pack, sync
from geo.store.scenarios import Store
from geo.store.schema import dataset_content_table, dataset_record_table
from geo.view.registry import Registry
from tests import conftest_db
from tests.upload_files import write_kecamatan

pg_database, db_url, empty_store, store = (conftest_db.pg_database, conftest_db.db_url,
                                           conftest_db.empty_store, conftest_db.store)


def files_of(folder: Path) -> dict[str, str]:
    """Relative path → SHA-256 of every file (the sync marker left out)."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != MARKER}


def content_rows(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(dataset_content_table)).scalar_one())


@pytest.fixture
def saved(store: Store, tmp_path: Path, data_dir: Path) -> tuple[Path, str]:
    """Server A's datasets folder with "Wado uji" saved and recorded as the upload page does."""
    geojson, csv = write_kecamatan(tmp_path / "in")
    root_a = tmp_path / "a" / "datasets"
    dataset_id = save_dataset(root_a, "Wado uji", boundaries=geojson, table=csv, data_dir=data_dir)
    store.record_dataset(dataset_id, "Wado uji", author="ani", detail={}, folder=root_a / dataset_id)
    return root_a, dataset_id


def test_saved_dataset_is_unpacked_byte_identical_on_a_second_server(store, saved, tmp_path, data_dir):
    root_a, dataset_id = saved
    root_b = tmp_path / "b" / "datasets"  # does not exist yet: a fresh server
    assert local_hash(root_a / dataset_id) is not None  # A's copy is current: never re-downloaded
    assert sync(store.engine, root_a) == []
    assert sync(store.engine, root_b) == [dataset_id]
    assert files_of(root_b / dataset_id) == files_of(root_a / dataset_id)
    assert len(files_of(root_b / dataset_id)) >= 3  # manifest, boundaries, table
    assert sorted(p.name for p in root_b.iterdir()) == [dataset_id]  # no staging left behind
    assert sync(store.engine, root_b) == []  # up to date: nothing fetched again
    dataset = Registry(data_dir, extra_roots=[root_b]).get(dataset_id)
    assert len(dataset.villages) == 10


def test_deleted_dataset_disappears_from_every_server(store, saved, tmp_path, data_dir):
    root_a, dataset_id = saved
    root_b = tmp_path / "b" / "datasets"
    registry_b = Registry(data_dir, extra_roots=[root_b], sync=DatasetSync(store.engine, root_b, interval=0))
    assert dataset_id in registry_b.ids()
    assert len(registry_b.get(dataset_id).villages) == 10

    store.delete_dataset_record(dataset_id, author="budi")
    assert content_rows(store) == 0
    (record,) = store.dataset_records()  # the record stays, marked deleted
    assert record["id"] == dataset_id and record["deleted_by"] == "budi"
    assert dataset_id not in registry_b.ids()
    assert not (root_b / dataset_id).exists()
    with pytest.raises(InputError):
        registry_b.get(dataset_id)
    assert sync(store.engine, root_a) == [dataset_id]  # the saving server drops its copy too
    assert not (root_a / dataset_id).exists()


def test_a_dataset_saved_again_replaces_the_old_copy(store, saved, tmp_path, data_dir):
    root_a, dataset_id = saved
    root_b = tmp_path / "b" / "datasets"
    sync(store.engine, root_b)
    store.delete_dataset_record(dataset_id, author="ani")
    manifest = root_a / dataset_id / "dataset.json"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("Wado uji", "Wado revisi"),
                        encoding="utf-8")
    store.record_dataset(dataset_id, "Wado revisi", author="ani", detail={}, folder=root_a / dataset_id)
    assert sync(store.engine, root_b) == [dataset_id]
    assert "Wado revisi" in (root_b / dataset_id / "dataset.json").read_text(encoding="utf-8")
    assert files_of(root_b / dataset_id) == files_of(root_a / dataset_id)


def test_corrupted_archive_never_becomes_visible(store, saved, tmp_path):
    t = dataset_content_table
    with store.engine.begin() as conn:
        archive = conn.execute(select(t.c.archive)).scalar_one()
        conn.execute(update(t).values(archive=bytes(archive)[: len(archive) // 2]))  # hash kept
    root_c = tmp_path / "c" / "datasets"
    assert sync(store.engine, root_c) == []
    assert not root_c.exists() or list(root_c.iterdir()) == []  # neither folder nor staging


def test_unpacking_that_fails_midway_leaves_nothing_visible(store, saved, tmp_path, data_dir, monkeypatch):
    _, dataset_id = saved
    root_c = tmp_path / "c" / "datasets"

    def half_then_fail(self, path, *args, **kwargs):
        Path(path, "dataset.json").write_text("{}", encoding="utf-8")  # a partial folder
        raise tarfile.ReadError("disk full")

    monkeypatch.setattr(tarfile.TarFile, "extractall", half_then_fail)
    assert sync(store.engine, root_c) == []
    assert list(root_c.iterdir()) == []  # the staging folder is gone too
    # a staging folder a killed process left behind is never listed as a dataset
    leftover = root_c / ".tmp-sync-dead"
    leftover.mkdir()
    (leftover / "dataset.json").write_text("{}", encoding="utf-8")
    assert Registry(data_dir, extra_roots=[root_c]).ids() == ["sumedang"]
    monkeypatch.undo()
    assert sync(store.engine, root_c) == [dataset_id]  # the next sync succeeds


def test_archive_members_outside_the_folder_are_refused(tmp_path):
    bad = tmp_path / "bad.tar.gz"
    (tmp_path / "x.txt").write_text("x", encoding="utf-8")
    with tarfile.open(bad, "w:gz") as tar:
        tar.add(tmp_path / "x.txt", arcname="../x.txt")
    data = bad.read_bytes()
    packed = dataset_files.Packed(data, hashlib.sha256(data).hexdigest())
    with pytest.raises(ValueError, match="unsafe"):
        dataset_files.unpack(packed, tmp_path / "out")
    assert not (tmp_path / "out").exists() and not (tmp_path.parent / "x.txt").exists()
    with pytest.raises(ValueError, match="hash"):
        dataset_files.unpack(dataset_files.Packed(data, "0" * 64), tmp_path / "out")


def test_failed_database_write_saves_nothing(store, tmp_path, data_dir, monkeypatch):
    geojson, csv = write_kecamatan(tmp_path / "in")
    root = tmp_path / "datasets"
    dataset_id = save_dataset(root, "Wado uji", boundaries=geojson, table=csv, data_dir=data_dir)
    monkeypatch.setattr(dataset_files, "MAX_ARCHIVE_MB", 0)
    with pytest.raises(InputError) as err:
        store.record_dataset(dataset_id, "Wado uji", author="ani", detail={}, folder=root / dataset_id)
    assert "terlalu besar" in err.value.render("id")
    assert store.dataset_records() == [] and content_rows(store) == 0
    monkeypatch.undo()

    def broken(*_args, **_kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(dataset_files, "put", broken)  # fails after the record row was written
    with pytest.raises(RuntimeError):
        store.record_dataset(dataset_id, "Wado uji", author="ani", detail={}, folder=root / dataset_id)
    assert store.dataset_records() == []  # rolled back with it
    assert local_hash(root / dataset_id) is None


def test_same_name_saved_meanwhile_on_another_server_is_taken(store, saved, tmp_path, data_dir):
    _, dataset_id = saved
    geojson, csv = write_kecamatan(tmp_path / "in2")
    root_b = tmp_path / "b" / "datasets"  # B has not synchronised yet: the id looks free
    save_dataset(root_b, "Wado uji", boundaries=geojson, table=csv, data_dir=data_dir)
    with pytest.raises(InputError) as err:
        store.record_dataset(dataset_id, "Wado uji", author="budi", detail={}, folder=root_b / dataset_id)
    assert err.value.message.key == "data.error.name_taken"
    (record,) = store.dataset_records()
    assert record["created_by"] == "ani"  # the first save stands


def test_sync_asks_the_database_at_most_every_interval(store, saved, tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(dataset_files, "sync", lambda engine, root: calls.append(root) or [])
    now = [100.0]
    syncer = DatasetSync(store.engine, tmp_path / "b", interval=2.0, clock=lambda: now[0])
    syncer()
    now[0] += 1.9
    syncer()
    assert len(calls) == 1
    now[0] += 0.2
    syncer()
    assert len(calls) == 2


def test_database_away_keeps_the_local_folders(tmp_path, data_dir):
    root = tmp_path / "datasets"
    away = Store(f"sqlite:///{tmp_path}/never-migrated.db", data_dir=tmp_path)  # no tables
    syncer = DatasetSync(away.engine, root, interval=0)
    assert syncer() == []
    assert Registry(data_dir, extra_roots=[root], sync=syncer).ids() == ["sumedang"]
    away.close()


def test_datasets_saved_before_the_table_existed_are_stored_once(store, tmp_path, data_dir):
    geojson, csv = write_kecamatan(tmp_path / "in")
    root_a = tmp_path / "a" / "datasets"
    dataset_id = save_dataset(root_a, "Wado lama", boundaries=geojson, table=csv, data_dir=data_dir)
    store.record_dataset(dataset_id, "Wado lama", author="ani", detail={})  # no files: as before 0005
    assert content_rows(store) == 0
    assert adopt(store.engine, root_a) == [dataset_id]
    assert adopt(store.engine, root_a) == []
    root_b = tmp_path / "b" / "datasets"
    assert sync(store.engine, root_b) == [dataset_id]
    assert files_of(root_b / dataset_id) == files_of(root_a / dataset_id)


def test_pack_leaves_out_the_marker_and_hidden_files(tmp_path):
    folder = tmp_path / "ds"
    folder.mkdir()
    (folder / "dataset.json").write_text("{}", encoding="utf-8")
    (folder / MARKER).write_text("abc", encoding="ascii")
    (folder / ".hidden").write_text("x", encoding="utf-8")
    with tarfile.open(fileobj=__import__("io").BytesIO(pack(folder).archive), mode="r:gz") as tar:
        assert tar.getnames() == ["dataset.json"]


def test_record_rows_and_content_rows_agree(store, saved):
    _, dataset_id = saved
    r, c = dataset_record_table, dataset_content_table
    with store.engine.connect() as conn:
        joined = conn.execute(select(r.c.id, c.c.size, c.c.format).join(c, c.c.dataset_id == r.c.id)).all()
    assert [(row.id, row.format) for row in joined] == [(dataset_id, "tar.gz")]
    assert joined[0].size > 0


def test_lokus_export_on_another_server_finds_the_dataset_saved_elsewhere(store, saved, db_url, tmp_path,
                                                                          data_dir):
    """`lokus export --scenario` on server B (own, empty state folder) finds a scenario on a
    dataset saved through server A: the dataset comes from the database first."""
    from geo.cli.main import main
    from geo.scoring.config import PRESETS
    from geo.scoring.pipeline import run_scoring
    from geo.scoring.presets import preset_config
    from geo.store.model import chosen_from_result

    root_a, dataset_id = saved
    dataset = Registry(data_dir, extra_roots=[root_a]).get(dataset_id)
    result = run_scoring(dataset, preset_config(dataset, next(iter(PRESETS)), top_n=3))
    store.save_new("Skenario Wado", dataset_id, result.config, chosen_from_result(result), author="ani")
    out = tmp_path / "wado.csv"
    assert main(["export", "--scenario", "Skenario Wado", "--database-url", db_url,
                 "--data-dir", str(data_dir), "--state-dir", str(tmp_path / "b"), "--out", str(out)]) == 0
    assert (tmp_path / "b" / "datasets" / dataset_id).is_dir()
    assert sum(line.count(",") > 0 for line in out.read_text(encoding="utf-8").splitlines()) >= 4


def test_a_row_naming_a_path_outside_the_folder_is_never_unpacked(store, saved, tmp_path):
    """A content row whose id is not a plain folder name (never written by Lokus) is ignored."""
    _root_a, dataset_id = saved
    with store.engine.begin() as conn:
        row = conn.execute(select(dataset_content_table).where(
            dataset_content_table.c.dataset_id == dataset_id)).mappings().one()
        record = conn.execute(select(dataset_record_table).where(
            dataset_record_table.c.id == dataset_id)).mappings().one()
        conn.execute(dataset_record_table.insert().values({**record, "id": "../escape"}))
        conn.execute(dataset_content_table.insert().values({**row, "dataset_id": "../escape"}))
    root_b = tmp_path / "b" / "datasets"
    assert sync(store.engine, root_b) == [dataset_id]
    assert not (tmp_path / "b" / "escape").exists() and not (root_b.parent / "escape").exists()
