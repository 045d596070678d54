"""The dataset: a joined village table with its years, join report and quality log (model and loading),
the library of saved datasets, and the join itself. Imports geo.core and geo.io.
"""
