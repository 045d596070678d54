"""From a dataset to a ranked list: scoring configuration and pipeline, MCDA methods, AHP, selection of
lokus, stability (P(top-N)), hotspots and map classes. Imports geo.core, geo.io and geo.data.
"""
