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

# map layer (what the map shows)
MAP_LAYER: Final = "map-layer"

# right-hand tabs
TABS: Final = "tabs-main"

# scoring page (Aksi 1)
STORE_CONFIG: Final = "store-config"
STORE_WEIGHTS_SET: Final = "store-weights-set"
STORE_FORCED: Final = "store-forced"
SCORE_PRESET: Final = "score-preset"
SCORE_YEAR: Final = "score-year"
SCORE_INDICATORS: Final = "score-indicators"
SCORE_WEIGHTS: Final = "score-weights"
SCORE_WEIGHT_SUM: Final = "score-weight-sum"
SCORE_METHOD: Final = "score-method"
SCORE_NORMALISATION: Final = "score-normalisation"
SCORE_SMOOTHING: Final = "score-smoothing"
SCORE_MIN_N: Final = "score-min-n"
SCORE_MISSING: Final = "score-missing"
SCORE_HOTSPOT: Final = "score-hotspot"
SCORE_TOP_N: Final = "score-top-n"
SCORE_MAX_PER_KEC: Final = "score-max-per-kec"
SCORE_MIN_ONE: Final = "score-min-one"
SCORE_FORCE_VILLAGE: Final = "score-force-village"
SCORE_FORCE_REASON: Final = "score-force-reason"
SCORE_FORCE_IN: Final = "score-force-in"
SCORE_FORCE_OUT: Final = "score-force-out"
SCORE_FORCE_LIST: Final = "score-force-list"
SCORE_WARNINGS: Final = "score-warnings"
SCORE_GRID: Final = "score-grid"
SCORE_EXPLAIN: Final = "score-explain"
SCORE_SUMMARY: Final = "score-summary"
AHP_OPEN: Final = "ahp-open"
AHP_COLLAPSE: Final = "ahp-collapse"
AHP_BODY: Final = "ahp-body"
AHP_RESULT: Final = "ahp-result"
AHP_CONFIRM: Final = "ahp-confirm"
AHP_APPLY: Final = "ahp-apply"
QUADRANT_GRAPH: Final = "quadrant-graph"
QUADRANT_X_CUT: Final = "quadrant-x-cut"
QUADRANT_Y_CUT: Final = "quadrant-y-cut"


def weight_slider(indicator_id: str) -> dict:
    """Pattern-matching id of one indicator's weight slider."""
    return {"type": "weight-slider", "indicator": indicator_id}


def ahp_pair(a: str, b: str) -> dict:
    """Pattern-matching id of one AHP pairwise judgement (a compared with b)."""
    return {"type": "ahp-pair", "a": a, "b": b}


def force_remove(code: str) -> dict:
    """Pattern-matching id of the button removing a forced village."""
    return {"type": "force-remove", "code": code}
