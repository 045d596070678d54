"""Datasets known to a running app, loaded once and then only read.

Each worker process builds its own registry from the data directory, so several
gunicorn workers see the same data without sharing memory or mutating globals.
"""

from __future__ import annotations

import json
import threading
from functools import lru_cache
from pathlib import Path

from geo.dataset import DEFAULT_DATASET, MANIFEST, Dataset, load_folder
from geo.errors import InputError
from geo.mapdata import MapGeometry, prepare_map_geometry
from geo.scoring import ScoringConfig, ScoringResult, run_scoring

__all__ = ["Registry"]


class Registry:
    """Dataset folders under ``data_dir`` (one ``dataset.json`` each), loaded lazily.

    Loading is idempotent and guarded by a lock; a loaded dataset never changes.
    """

    def __init__(self, data_dir: Path, default_id: str = DEFAULT_DATASET) -> None:
        self.data_dir = Path(data_dir)
        self.default_id = default_id
        self._datasets: dict[str, Dataset] = {}
        self._geometry: dict[str, MapGeometry] = {}
        self._lock = threading.Lock()
        # Scoring is a pure function of (dataset, config): memoised per process, bounded.
        self._scored = lru_cache(maxsize=32)(self._score)
        self._score_locks: dict[tuple[str, str], threading.Lock] = {}

    def ids(self) -> list[str]:
        """Ids of the dataset folders present."""
        return sorted(p.parent.name for p in self.data_dir.glob(f"*/{MANIFEST}"))

    def get(self, dataset_id: str | None) -> Dataset:
        """The dataset with this id (the default when None)."""
        dataset_id = dataset_id or self.default_id
        if dataset_id not in self._datasets:
            if dataset_id not in self.ids():
                raise InputError(f"dataset '{dataset_id}' tidak ditemukan")
            with self._lock:
                if dataset_id not in self._datasets:
                    dataset = load_folder(self.data_dir / dataset_id, data_dir=self.data_dir)
                    self._geometry[dataset_id] = prepare_map_geometry(dataset.villages)
                    self._datasets[dataset_id] = dataset
        return self._datasets[dataset_id]

    def geometry(self, dataset_id: str | None) -> MapGeometry:
        """Prepared map geometry of a dataset."""
        self.get(dataset_id)
        return self._geometry[dataset_id or self.default_id]

    def _score(self, dataset_id: str, config_json: str) -> ScoringResult:
        return run_scoring(self.get(dataset_id), ScoringConfig.from_dict(json.loads(config_json)))

    def score(self, dataset_id: str | None, config: dict) -> ScoringResult:
        """Scoring result of a config dict (:meth:`ScoringConfig.to_dict`), memoised; the
        callbacks of one page load ask for the same result at once, so it is computed once."""
        key = (dataset_id or self.default_id, json.dumps(config, sort_keys=True))
        with self._lock:
            lock = self._score_locks.setdefault(key, threading.Lock())
        with lock:
            return self._scored(*key)
