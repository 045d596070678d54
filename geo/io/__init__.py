"""Reading users' files. Imports geo.core only.

``archives`` (safe opening, zip limits, the format table type), ``boundaries`` and ``geometry``
(village boundary files and their cleaning), ``tables`` (village tables and their numbers),
``schema`` (column roles), ``names``, ``matching`` and ``crosswalk`` (villages by name),
``eppgbm*`` (e-PPGBM child records: reading, identity, aggregation, measurement quality,
result, demo data), ``uploads`` (browser uploads).
"""
