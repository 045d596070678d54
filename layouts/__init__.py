"""Component builders. Every component id lives in :mod:`layouts.ids`."""
