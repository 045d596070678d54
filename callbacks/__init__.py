"""Callbacks: thin glue between components and :mod:`geo`, registered per app."""

from __future__ import annotations

from dash import Dash

from callbacks import map_page, scoring
from geo.registry import Registry


def register_all(app: Dash, registry: Registry) -> None:
    """Register every callback of the app on ``app``."""
    map_page.register(app, registry)
    scoring.register(app, registry)
