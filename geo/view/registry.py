"""Datasets known to a running app, loaded once and then only read.

Each worker process builds its own registry from the data directory, so several
gunicorn workers see the same data without sharing memory or mutating globals.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

from geo.core.errors import InputError
from geo.data.loading import MANIFEST, load_folder, load_manifest
from geo.data.model import DEFAULT_DATASET, Dataset
from geo.data.wilayah import dataset_wilayah
from geo.scoring.config import ScoringConfig
from geo.scoring.pipeline import run_scoring
from geo.scoring.result import ScoringResult
from geo.view.mapdata import MapGeometry, prepare_map_geometry

__all__ = ["Registry"]


class Registry:
    """Dataset folders (one ``dataset.json`` each) under one or more roots, loaded lazily.

    ``data_dir`` (the embedded data) comes first, then ``extra_roots`` (e.g. the folder of
    datasets saved from the upload page); an id found in an earlier root wins. The roots
    are re-read on every lookup, so a dataset saved or deleted by any worker process is
    seen by all. A loaded dataset never changes: cache entries are keyed by id and the
    manifest's modification time, so a folder replaced under the same id is reloaded.

    ``gate`` (issue 12) is asked, with a dataset's wilayah (:meth:`wilayah`), whether the
    current request may see it; a dataset it refuses behaves as not found in :meth:`get`,
    :meth:`geometry`, :meth:`score`, :meth:`title` and :meth:`visible_ids`. The app installs
    one that reads the signed-in account; without one every dataset is visible.

    ``sync`` (issue 13) is called before the folders are listed: it brings the user datasets'
    folder in step with the database (:class:`geo.store.dataset_files.DatasetSync`, which
    looks at most every 2 s) and returns the ids it changed, whose cached versions are dropped.
    """

    def __init__(self, data_dir: Path, default_id: str = DEFAULT_DATASET, *,
                 extra_roots: Sequence[Path] = (), gate: Callable[[str], bool] | None = None,
                 sync: Callable[[], Sequence[str]] | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.gate = gate
        self.sync = sync
        self.roots = (self.data_dir, *(Path(r) for r in extra_roots))
        self.default_id = default_id
        self._datasets: dict[tuple[str, int], Dataset] = {}
        self._geometry: dict[tuple[str, int], MapGeometry] = {}
        self._wilayah: dict[tuple[str, int], str] = {}
        self._lock = threading.Lock()
        # Scoring is a pure function of (dataset, config): memoised per process, bounded.
        self._scored = lru_cache(maxsize=32)(self._score)
        self._score_locks: dict[tuple[str, int, str], threading.Lock] = {}

    def _folders(self) -> dict[str, Path]:
        """Id → folder over all roots (earlier roots win; staging folders skipped)."""
        for changed in self.sync() if self.sync is not None else ():
            self._forget(changed)
        out: dict[str, Path] = {}
        for root in self.roots:
            for manifest in sorted(root.glob(f"*/{MANIFEST}")):
                name = manifest.parent.name
                if not name.startswith(".") and name not in out:
                    out[name] = manifest.parent
        return out

    def _forget(self, dataset_id: str) -> None:
        """Drop the cached versions of a dataset replaced or deleted on disk (no lock: _load
        lists folders while holding it; list() copies the keys atomically)."""
        for old in [k for k in list(self._datasets) if k[0] == dataset_id]:
            self._datasets.pop(old, None)
            self._geometry.pop(old, None)
        for old in [k for k in list(self._wilayah) if k[0] == dataset_id]:
            self._wilayah.pop(old, None)

    def ids(self) -> list[str]:
        """Ids of the dataset folders present (every area: for names and tools, not for lists
        shown to a user — see :meth:`visible_ids`)."""
        return sorted(self._folders())

    def wilayah(self, dataset_id: str | None) -> str:
        """The wilayah of a present dataset (:func:`~geo.data.wilayah.dataset_wilayah`),
        computed once per version; no gate (the gate asks this)."""
        key = self._present_key(dataset_id)
        if key not in self._wilayah:
            self._wilayah[key] = dataset_wilayah(self._load(key).codes)
        return self._wilayah[key]

    def visible(self, dataset_id: str | None) -> bool:
        """Whether the dataset is present, loads, and the gate lets the current request see it."""
        try:
            return self.gate is None or self.gate(self.wilayah(dataset_id))
        except InputError:  # absent or unreadable
            return False

    def visible_ids(self) -> list[str]:
        """Ids of the datasets the current request may see."""
        return [i for i in self.ids() if self.visible(i)]

    def first_visible(self) -> str | None:
        """The default dataset when visible, else the first visible one, else None."""
        if self.visible(self.default_id):
            return self.default_id
        return next(iter(self.visible_ids()), None)

    def is_embedded(self, dataset_id: str) -> bool:
        """True for a dataset of the embedded data folder (never deletable)."""
        return (self.data_dir / dataset_id / MANIFEST).is_file()

    def title(self, dataset_id: str) -> str:
        """Title from the manifest (not found when outside the gate)."""
        folder = self._folders().get(dataset_id)
        if folder is None or not self.visible(dataset_id):
            raise InputError.of("data.error.not_found", id=dataset_id)
        return str(load_manifest(folder).get("title", dataset_id))

    def _key(self, dataset_id: str | None) -> tuple[str, int]:
        """(id, manifest mtime) of a present dataset the gate lets through."""
        key = self._present_key(dataset_id)
        if self.gate is not None and not self.gate(self.wilayah(key[0])):
            raise InputError.of("data.error.not_found", id=key[0])  # outside the area: not found
        return key

    def _present_key(self, dataset_id: str | None) -> tuple[str, int]:
        """(id, manifest mtime) of a present dataset (no gate)."""
        dataset_id = dataset_id or self.default_id
        folder = self._folders().get(dataset_id)
        try:
            stamp = (folder / MANIFEST).stat().st_mtime_ns if folder else None
        except OSError:
            stamp = None
        if stamp is None:
            raise InputError.of("data.error.not_found", id=dataset_id)
        return dataset_id, stamp

    def _load(self, key: tuple[str, int]) -> Dataset:
        if key not in self._datasets:
            with self._lock:
                if key not in self._datasets:
                    folder = self._folders()[key[0]]
                    dataset = load_folder(folder, data_dir=self.data_dir)
                    # drop older versions of this id (a folder replaced under the same id)
                    for old in [k for k in self._datasets if k[0] == key[0]]:
                        self._datasets.pop(old, None)
                        self._geometry.pop(old, None)
                    self._geometry[key] = prepare_map_geometry(dataset.villages)
                    self._datasets[key] = dataset
        return self._datasets[key]

    def get(self, dataset_id: str | None) -> Dataset:
        """The dataset with this id (the default when None)."""
        return self._load(self._key(dataset_id))

    def geometry(self, dataset_id: str | None) -> MapGeometry:
        """Prepared map geometry of a dataset."""
        key = self._key(dataset_id)
        self._load(key)
        return self._geometry[key]

    def _score(self, dataset_id: str, stamp: int, config_json: str) -> ScoringResult:
        dataset = self._load((dataset_id, stamp))
        return run_scoring(dataset, ScoringConfig.from_dict(json.loads(config_json)))

    def score(self, dataset_id: str | None, config: dict) -> ScoringResult:
        """Scoring result of a config dict (:meth:`ScoringConfig.to_dict`), memoised; the
        callbacks of one page load ask for the same result at once, so it is computed once."""
        key = (*self._key(dataset_id), json.dumps(config, sort_keys=True))
        with self._lock:
            lock = self._score_locks.setdefault(key, threading.Lock())
        with lock:
            return self._scored(*key)
