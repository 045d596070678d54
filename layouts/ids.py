"""Every component id of the app, in one place (a typo here fails loudly at start-up)."""

from typing import Final

# stores (small per-user state)
STORE_DATASET: Final = "store-dataset"
STORE_SELECTED: Final = "store-selected"

# messages
ALERT: Final = "msg-alert"

# map page controls
FILTER_INDICATOR: Final = "filter-indicator"
FILTER_YEAR: Final = "filter-year"
FILTER_SCHEME: Final = "filter-scheme"
FILTER_CLASSES: Final = "filter-classes"
FILTER_KECAMATAN: Final = "filter-kecamatan"
FILTER_BASEMAP: Final = "filter-basemap"
FILTER_NOTE: Final = "filter-note"

# map
MAP_GRAPH: Final = "map-graph"
MAP_LEGEND: Final = "map-legend"
MAP_SOURCE: Final = "map-source"
MAP_SUMMARY: Final = "map-summary"

# village table
TABLE_SEARCH: Final = "table-search"
TABLE_GRID: Final = "table-grid"
TABLE_DETAIL: Final = "table-detail"

# data quality
REPORT_BODY: Final = "report-body"
