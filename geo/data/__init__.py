"""The dataset: villages joined with their tables, years, join report and quality log.

``model`` (the read-only :class:`~geo.data.model.Dataset`), ``loading`` (from a manifest
folder or from files), ``tables`` (outcome and coverage tables read and cleaned), ``locate``
and ``join`` (the one joining path: place each row on a village, then join and report), and
``library`` (saved user datasets). Imports geo.core and geo.io.
"""
