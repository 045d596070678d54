"""From a dataset to a ranked list (imports geo.core, geo.io and geo.data).

``config`` (ScoringConfig, presets' table, AHP weights) → ``presets`` (what a dataset can
give of a preset) → ``pipeline`` (run_scoring as a sequence of steps over ``state``,
``values`` and ``quality``) → ``result`` (ScoringResult, reasons/flags/warnings as messages
rendered at the edge, methodology) → ``explain`` and ``quadrant`` (views of a result).
Methods: ``mcda``, ``ahp``, ``selection``, ``stability`` (P(top-N)), ``hotspots`` (LISA),
``classify`` (map classes).
"""
