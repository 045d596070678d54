"""Callbacks: thin glue between components and :mod:`geo`, registered per app."""

from __future__ import annotations

from pathlib import Path

from dash import Dash

from callbacks import (
    analytics,
    camat,  # the camat review (issue 12)
    datasets,
    decide,
    map_page,
    present,
    profile,
    scoring,
    stepbar,
    upload,
    url,
)
from geo.data.library import user_datasets_dir
from geo.store.scenarios import Store
from geo.view.registry import Registry


def register_all(app: Dash, registry: Registry, store: Store, *, state_dir: Path,
                 max_bytes: int, max_unzipped_mb: float) -> None:
    """Register every callback of the app on ``app``; uploads and saved datasets live
    under ``state_dir``."""
    map_page.register(app, registry)
    scoring.register(app, registry)
    decide.register(app, registry, store)
    datasets_root = user_datasets_dir(state_dir)
    datasets.register(app, registry, store, datasets_root)
    upload.register(app, registry, store, upload_dir=Path(state_dir) / "uploads",
                    datasets_root=datasets_root, crosswalk_dir=Path(state_dir) / "crosswalks",
                    max_bytes=max_bytes, max_unzipped_mb=max_unzipped_mb)
    present.register(app, registry, store)
    profile.register(app, registry)  # village profile panel and glossary
    stepbar.register(app, registry, store)  # the Aksi 1 → 2 → 3 step bar
    analytics.register(app, registry, store, state_dir=Path(state_dir))  # "Analisis lanjutan" tab
    camat.register(app, registry, store)  # "Tinjauan camat" tab (issue 12)
    url.register(app, registry, store)  # last: it follows stores other features add
