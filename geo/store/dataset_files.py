"""Saved datasets' files in the database, so that every server of a deployment has them.

A dataset saved from the upload page or by ``lokus import`` is a folder on the disk of the
server that saved it (:mod:`geo.data.library`). Its files are also stored in the database
(table ``dataset_content``: the folder as one gzip-compressed tar archive and the archive's
SHA-256) in the same transaction as its record (:meth:`geo.store.scenarios.Store.record_dataset`).
Every worker then keeps its own datasets folder in step with the database (:class:`DatasetSync`):

- a dataset in the database and not on disk is unpacked into a staging folder
  (``.tmp-sync-*``, never listed), its hash checked, and renamed into place (atomic);
- a folder this module wrote (it holds :data:`MARKER`, the hash it came from) whose dataset
  is no longer in the database, or has other content, is removed or replaced;
- a folder without the marker is left alone: a save still running, or a dataset saved
  before this table existed (those with a live record are stored once, at the first sync).

The database is asked for the cheap list (ids and hashes, no archives) at most every
:data:`SYNC_INTERVAL_S` seconds per process. Geometry stays inside the archived files; PostGIS
geometry columns (and GeoPackage tables on SQLite) are a possible later step.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import shutil
import tarfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import IntegrityError

from geo.core.errors import InputError
from geo.data.library import check_id
from geo.store.engine import reading, writing
from geo.store.schema import dataset_content_table, dataset_record_table

__all__ = ["MARKER", "MAX_ARCHIVE_MB", "SYNC_INTERVAL_S", "DatasetSync", "Packed", "adopt", "check_free",
           "local_hash", "mark", "pack", "publish", "put", "remove", "sync", "unpack"]

log = logging.getLogger(__name__)

#: File inside a synchronised folder holding the hash of the archive it matches (not archived).
MARKER = ".lokus-sha256"
#: Largest archive stored (MB, compressed): a bytea value must stay well under 1 GB.
MAX_ARCHIVE_MB = 400
#: Largest folder unpacked from an archive (MB) and most files: a bound against archive bombs.
MAX_UNPACKED_MB = 4000
MAX_FILES = 2000
#: Seconds between two looks at the database from one process.
SYNC_INTERVAL_S = 2.0
_FORMAT = "tar.gz"
_STAGING = ".tmp-sync-"  # a ``.tmp-`` folder: geo.data.library.clean_staging removes leftovers


@dataclass(frozen=True)
class Packed:
    """A dataset folder as one archive, with its SHA-256 (hex)."""

    archive: bytes
    sha256: str


def pack(folder: Path) -> Packed:
    """The folder's files (not :data:`MARKER`, not sub-folders' hidden files) as a tar.gz.

    Raises
    ------
    InputError
        The archive is larger than :data:`MAX_ARCHIVE_MB`.
    """
    folder = Path(folder)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=6) as tar:
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder)
            if path.is_file() and not path.is_symlink() and not any(p.startswith(".") for p in rel.parts):
                tar.add(path, arcname=rel.as_posix(), recursive=False)
    archive = buffer.getvalue()
    if len(archive) > MAX_ARCHIVE_MB * 1024 * 1024:
        raise InputError.of("dataset_files.error.too_large", id=folder.name, mb=MAX_ARCHIVE_MB)
    return Packed(archive, hashlib.sha256(archive).hexdigest())


def unpack(packed: Packed, target: Path) -> None:
    """Unpack into ``target`` (a new folder) after checking the hash and every member.

    Raises
    ------
    ValueError
        Hash mismatch, a member that is not a plain file under the folder, or too large.
    """
    if hashlib.sha256(packed.archive).hexdigest() != packed.sha256:
        raise ValueError("archive does not match its hash")
    with tarfile.open(fileobj=io.BytesIO(packed.archive), mode="r:gz") as tar:
        members = tar.getmembers()
        if len(members) > MAX_FILES or sum(m.size for m in members) > MAX_UNPACKED_MB * 1024 * 1024:
            raise ValueError("archive too large")
        for m in members:
            parts = Path(m.name).parts
            if not (m.isfile() or m.isdir()) or Path(m.name).is_absolute() or ".." in parts:
                raise ValueError(f"unsafe archive member {m.name!r}")
        target.mkdir(parents=True)
        tar.extractall(target, filter="data")
    (target / MARKER).write_text(packed.sha256, encoding="ascii")


def local_hash(folder: Path) -> str | None:
    """The hash a synchronised folder came from; None for a folder this module did not write."""
    try:
        return (Path(folder) / MARKER).read_text(encoding="ascii").strip() or None
    except OSError:
        return None


def put(conn: Connection, dataset_id: str, packed: Packed, *, at: datetime) -> None:
    """Store a dataset's archive (replacing an older one) inside the caller's transaction."""
    t = dataset_content_table
    conn.execute(t.delete().where(t.c.dataset_id == dataset_id))
    conn.execute(t.insert().values(dataset_id=dataset_id, sha256=packed.sha256, size=len(packed.archive),
                                   format=_FORMAT, archive=packed.archive, saved_at=at))


def check_free(conn: Connection, dataset_id: str) -> None:
    """InputError when a live dataset already has this id (saved meanwhile on another server)."""
    r = dataset_record_table
    if conn.execute(select(r.c.id).where(r.c.id == dataset_id, r.c.deleted_at.is_(None))).first():
        raise InputError.of("data.error.name_taken", id=dataset_id)


def remove(conn: Connection, dataset_id: str) -> None:
    """Delete a dataset's archive inside the caller's transaction (its record stays)."""
    t = dataset_content_table
    conn.execute(t.delete().where(t.c.dataset_id == dataset_id))


def publish(engine: Engine, dataset_id: str, folder: Path) -> str:
    """Store a folder's files under an existing record (its own transaction); returns the hash."""
    packed = pack(folder)
    with writing(engine) as conn:
        put(conn, dataset_id, packed, at=datetime.now(UTC))
    mark(folder, packed.sha256)
    return packed.sha256


def mark(folder: Path, sha256: str) -> None:
    """Note in a folder which archive it matches (after the archive is committed)."""
    (Path(folder) / MARKER).write_text(sha256, encoding="ascii")


def _listing(engine: Engine) -> dict[str, str]:
    """Id → hash of the stored datasets; an id that is not a plain folder name (never written
    by Lokus) is left out, so a row can never name a path outside the datasets folder."""
    t = dataset_content_table
    with reading(engine) as conn:
        rows = conn.execute(select(t.c.dataset_id, t.c.sha256)).all()
    return {r.dataset_id: r.sha256 for r in rows if _plain(r.dataset_id)}


def _plain(dataset_id: str | None) -> bool:
    try:
        check_id(dataset_id)
    except InputError:
        return False
    return True


def _fetch(engine: Engine, dataset_id: str) -> Packed | None:
    t = dataset_content_table
    with reading(engine) as conn:
        row = conn.execute(select(t.c.archive, t.c.sha256).where(t.c.dataset_id == dataset_id)).first()
    return None if row is None else Packed(bytes(row.archive), row.sha256)


def _discard(root: Path, folder: Path) -> None:
    """Rename a folder away first (readers never see half of it), then delete it."""
    trash = root / f".del-{uuid.uuid4().hex}"
    try:
        os.rename(folder, trash)
    except OSError:
        return  # gone meanwhile (another worker)
    shutil.rmtree(trash, ignore_errors=True)


def _materialise(engine: Engine, root: Path, dataset_id: str) -> bool:
    """Unpack a dataset from the database into ``root/<id>`` (replacing a synchronised copy)."""
    packed = _fetch(engine, dataset_id)
    if packed is None:
        return False
    staging = root / f"{_STAGING}{uuid.uuid4().hex}"
    try:
        unpack(packed, staging)
        target = root / dataset_id
        if target.exists():
            _discard(root, target)
        os.rename(staging, target)  # atomic; fails when another worker was first: fine
        return True
    except (OSError, ValueError, tarfile.TarError) as exc:
        log.warning("dataset %s not unpacked from the database: %s", dataset_id, exc)
        return False
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _local(root: Path) -> dict[str, Path]:
    """Dataset folders under ``root`` (hidden working folders skipped)."""
    if not root.is_dir():
        return {}
    return {p.name: p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")}


def sync(engine: Engine, root: Path) -> list[str]:
    """Bring ``root`` in step with the database; returns the ids added, replaced or removed."""
    root = Path(root)
    wanted, local = _listing(engine), _local(root)
    changed = []
    for dataset_id, folder in local.items():
        have = local_hash(folder)
        if have is not None and dataset_id not in wanted:  # deleted in the database
            _discard(root, folder)
            changed.append(dataset_id)
    for dataset_id, sha256 in wanted.items():
        present = local.get(dataset_id)
        if present is not None and local_hash(present) in (None, sha256):
            continue  # up to date, or a local folder not written by this module (a save in progress)
        root.mkdir(parents=True, exist_ok=True)
        if _materialise(engine, root, dataset_id):
            changed.append(dataset_id)
    return sorted(changed)


def adopt(engine: Engine, root: Path) -> list[str]:
    """Store the files of local folders saved before ``dataset_content`` existed (a live record,
    no content, no marker), so that other servers see them too; returns their ids."""
    r, c = dataset_record_table, dataset_content_table
    with reading(engine) as conn:
        live = set(conn.execute(select(r.c.id).where(r.c.deleted_at.is_(None))).scalars())
        stored = set(conn.execute(select(c.c.dataset_id)).scalars())
    adopted = []
    for dataset_id, folder in _local(Path(root)).items():
        if dataset_id in live and dataset_id not in stored and local_hash(folder) is None:
            try:
                publish(engine, dataset_id, folder)
            except (IntegrityError, InputError) as exc:  # another worker was first, or too large
                log.warning("dataset %s not stored in the database: %s", dataset_id, exc)
                continue
            adopted.append(dataset_id)
    return adopted


class DatasetSync:
    """The synchronising callable a :class:`~geo.view.registry.Registry` calls before listing.

    Looks at the database at most every ``interval`` seconds (monotonic clock); the first
    successful call also runs :func:`adopt` on older local folders. A database error is logged
    and the local folders are used as they are. Returns the ids that changed (the registry
    drops their caches).
    """

    def __init__(self, engine: Engine, root: Path, *, interval: float = SYNC_INTERVAL_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.engine, self.root, self.interval, self.clock = engine, Path(root), interval, clock
        self._last: float | None = None
        self._adopted = False  # adopt() once per process, retried while the database is away
        self._lock = threading.Lock()

    def __call__(self) -> list[str]:
        if self._last is not None and self.clock() - self._last < self.interval:
            return []
        with self._lock:  # one sync at a time; the others wait for its result on disk
            if self._last is not None and self.clock() - self._last < self.interval:
                return []
            try:
                if not self._adopted:
                    adopt(self.engine, self.root)
                    self._adopted = True
                return sync(self.engine, self.root)
            except Exception as exc:  # the database is away: serve what is on disk
                log.warning("datasets not synchronised with the database: %s", exc)
                return []
            finally:
                self._last = self.clock()
