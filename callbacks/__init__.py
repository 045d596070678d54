"""Callbacks: thin glue between components and :mod:`geo`, registered per app."""

from __future__ import annotations

from dash import Dash

from callbacks import decide, map_page, scoring
from geo.registry import Registry
from geo.store import Store


def register_all(app: Dash, registry: Registry, store: Store) -> None:
    """Register every callback of the app on ``app``."""
    map_page.register(app, registry)
    scoring.register(app, registry)
    decide.register(app, registry, store)
