"""Every component id of the app, in one place (a typo here fails loudly at start-up).

Pattern-matching ids are built by the functions below, in layouts with a value and in
callbacks with a wildcard: ``ids.weight_slider("merah")`` / ``ids.weight_slider(ALL)``.
"""

from typing import Final

from dash.dependencies import Wildcard

#: One part of a pattern-matching id: a value, or a wildcard (``ALL``, ``MATCH``) in a callback.
Part = str | Wildcard

# stores (small per-user state)
STORE_DATASET: Final = "store-dataset"
STORE_SELECTED: Final = "store-selected"

# messages
ALERT: Final = "msg-alert"
#: "ready" once the first map update has arrived: the browser tests' ready signal
APP_READY: Final = "app-ready"

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
QUALITY_CSV: Final = "quality-csv"  # button: laporan kualitas data as CSV
QUALITY_XLSX: Final = "quality-xlsx"
QUALITY_DOWNLOAD: Final = "quality-download"

# map layer (what the map shows)
MAP_LAYER: Final = "map-layer"

# right-hand tabs (a tab's id is also the ``page`` of a shared link)
TABS: Final = "tabs-main"
TAB_TABLE: Final = "tabel"
TAB_SCORING: Final = "skoring"
TAB_QUADRANT: Final = "kuadran"
TAB_DECIDE: Final = "keputusan"
TAB_DATA: Final = "data"
TAB_UPLOAD: Final = "unggah"
TAB_ANALYTICS: Final = "analisis"  # further analysis (issue 15): block at the end of this file
TAB_IDS: Final = (TAB_TABLE, TAB_SCORING, TAB_QUADRANT, TAB_DECIDE, TAB_DATA, TAB_UPLOAD,
                  TAB_ANALYTICS, "tinjauan")  # first = default; "tinjauan" = TAB_CAMAT (end of file)

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
SCORE_FORCE_MESSAGE: Final = "score-force-message"
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
QUADRANT_BODY: Final = "quadrant-body"
QUADRANT_MESSAGE: Final = "quadrant-message"


# pattern-matching id types (the "type" of the ids built by the functions)
WEIGHT_SLIDER: Final = "weight-slider"
WEIGHT_INPUT: Final = "weight-input"
AHP_PAIR: Final = "ahp-pair"
FORCE_REMOVE: Final = "force-remove"
EXPORT_BUTTON: Final = "export"
COLUMN_ROLE: Final = "column-role"
MATCH_PICK: Final = "match-pick"


def weight_slider(indicator_id: Part) -> dict:
    """Pattern-matching id of one indicator's weight slider."""
    return {"type": WEIGHT_SLIDER, "indicator": indicator_id}


def weight_input(indicator_id: Part) -> dict:
    """Pattern-matching id of one indicator's typed weight (applied on Enter or blur)."""
    return {"type": WEIGHT_INPUT, "indicator": indicator_id}


def ahp_pair(a: Part, b: Part) -> dict:
    """Pattern-matching id of one AHP pairwise judgement (a compared with b)."""
    return {"type": AHP_PAIR, "a": a, "b": b}


def force_remove(code: Part) -> dict:
    """Pattern-matching id of the button removing a forced village."""
    return {"type": FORCE_REMOVE, "code": code}

# decide & deliver (scenarios, Aksi 2 plan, exports)
STORE_SCENARIO: Final = "store-scenario"
STORE_CONFIG_BASE: Final = "store-config-base"
#: The scenario the URL asks for: None until the page's own link is read, then
#: ``{"id": …}`` (Back/Forward request; ``None`` id once handled). See callbacks/url.py.
STORE_URL_SCENARIO: Final = "store-url-scenario"
SCN_AUTHOR: Final = "scn-author"
SCN_NAME: Final = "scn-name"
SCN_SAVE_NEW: Final = "scn-save-new"
SCN_LIST: Final = "scn-list"
SCN_LOAD: Final = "scn-load"
SCN_RENAME: Final = "scn-rename"
SCN_DUPLICATE: Final = "scn-duplicate"
SCN_DELETE: Final = "scn-delete"
SCN_UPDATE: Final = "scn-update"
SCN_REASON: Final = "scn-reason"
SCN_NOTES: Final = "scn-notes"
SCN_STATUS: Final = "scn-status"
SCN_AUDIT: Final = "scn-audit"
SCN_COMPARE: Final = "scn-compare"
SCN_COMPARE_TABLE: Final = "scn-compare-table"
SCN_UPLOAD_JSON: Final = "scn-upload-json"
PREV_UPLOAD: Final = "prev-upload"
PREV_TABLE: Final = "prev-table"
PLAN_GRID: Final = "plan-grid"
PLAN_REDRAFT: Final = "plan-redraft"
TARGET_GRID: Final = "target-grid"
TARGET_SAVE: Final = "target-save"
PLAN_ADD: Final = "plan-add"
PLAN_SAVE: Final = "plan-save"
PLAN_STATUS: Final = "plan-status"
EXPORT_DOWNLOAD: Final = "export-download"
EXPORT_STATUS: Final = "export-status"
EXPORT_PLACE: Final = "export-place"
EXPORT_YEAR: Final = "export-year"
EXPORT_DATE: Final = "export-date"
EXPORT_SIGNER: Final = "export-signer"
EXPORT_NIP: Final = "export-nip"


def export_button(fmt: Part) -> dict:
    """Pattern-matching id of one export button."""
    return {"type": EXPORT_BUTTON, "format": fmt}

# datasets: picker and upload wizard ("Unggah data")
DATASET_PICKER: Final = "dataset-picker"
DATASET_TITLE: Final = "dataset-title"
DATASET_DELETE: Final = "dataset-delete"
DATASET_STATUS: Final = "dataset-status"
STORE_DATASETS_VERSION: Final = "store-datasets-version"
STORE_UPLOAD: Final = "store-upload"
UPLOAD_BOUNDARIES: Final = "upload-boundaries"
UPLOAD_TABLE: Final = "upload-table"
UPLOAD_EPPGBM: Final = "upload-eppgbm"
UPLOAD_COVERAGE: Final = "upload-coverage"
UPLOAD_EVENT: Final = "upload-event"
UPLOAD_FILES: Final = "upload-files"
UPLOAD_COLUMNS: Final = "upload-columns"
UPLOAD_PREVIEW: Final = "upload-preview"
UPLOAD_CHECK: Final = "upload-check"
UPLOAD_REPORT: Final = "upload-report"
UPLOAD_NAME: Final = "upload-name"
UPLOAD_SAVE: Final = "upload-save"
UPLOAD_STATUS: Final = "upload-status"


def column_role(file: Part, role: Part) -> dict:
    """Pattern-matching id of one column-role override dropdown (file: boundaries/table)."""
    return {"type": COLUMN_ROLE, "file": file, "role": role}

# name-matching review (e-PPGBM uploads)
MATCH_BOX: Final = "match-box"
MATCH_ROWS: Final = "match-rows"
MATCH_SAVE: Final = "match-save"
MATCH_STATUS: Final = "match-status"


def match_pick(kecamatan: Part, desa: Part) -> dict:
    """Pattern-matching id of the village chosen for one (kecamatan, desa) pair as written."""
    return {"type": MATCH_PICK, "kec": kecamatan, "desa": desa}

# language and URL state (issue 6)
URL: Final = "url"
STORE_LANG: Final = "store-lang"
LANG_SWITCH: Final = "lang-switch"
MAP_EMPTY: Final = "map-empty"  # friendly message when the year/indicator has no data
TABLE_EMPTY: Final = "table-empty"
MAP_LAYER_LABEL: Final = "map-layer-label"  # names the layer radio group for screen readers
PAGE_CONTENT: Final = "page-content"  # target of the "skip to content" link

# presenter mode (rembuk stunting)
PRESENT_OPEN: Final = "present-open"
PRESENT_STEP: Final = "present-step"  # dcc.Store: 0 = not presenting, 1..5 = step
# presenter: keyboard, overlay, meeting edits, Berita Acara
PRESENT_KEY: Final = "present-key"  # dcc.Store written by assets/present.js: {"action", "t"}
PRESENT_OVERLAY: Final = "present-overlay"
PRESENT_TITLE: Final = "present-title"
PRESENT_COUNTER: Final = "present-counter"
PRESENT_PREV: Final = "present-prev"
PRESENT_NEXT: Final = "present-next"
PRESENT_EXIT: Final = "present-exit"
PRESENT_BODY: Final = "present-body"
PRESENT_MAP: Final = "present-map"
PRESENT_LEGEND: Final = "present-legend"
PRESENT_MAP_DATASET: Final = "present-map-dataset"  # dcc.Store: dataset whose geometry the map holds
PRESENT_MEETING: Final = "present-meeting"  # dcc.Store: {"since": ISO UTC, "dataset": id}
PRESENT_VILLAGE: Final = "present-village"
PRESENT_REASON: Final = "present-reason"
PRESENT_AUTHOR: Final = "present-author"
PRESENT_SCN_NAME: Final = "present-scn-name"
PRESENT_ADD: Final = "present-add"
PRESENT_REMOVE: Final = "present-remove"
PRESENT_STATUS: Final = "present-status"
PRESENT_BA_DATE: Final = "present-ba-date"
PRESENT_BA_YEAR: Final = "present-ba-year"  # planning (budget) year; empty = meeting year + 1
PRESENT_BA_PLACE: Final = "present-ba-place"
PRESENT_BA_CHAIR: Final = "present-ba-chair"
PRESENT_BA_PARTICIPANTS: Final = "present-ba-participants"
PRESENT_BA_DOWNLOAD: Final = "present-ba-download"
PRESENT_BA_FILE: Final = "present-ba-file"
PRESENT_BA_STATUS: Final = "present-ba-status"
PRESENT_LIST: Final = "present-list"  # the village list of steps 4 and 5
PRESENT_CHANGES: Final = "present-changes"

# village profile and plain words (issue 11: profile panel, glossary, tooltips)
PROFILE_PANEL: Final = "profile-panel"  # the non-modal side panel (an aside, not a modal)
PROFILE_TITLE: Final = "profile-title"
PROFILE_BODY: Final = "profile-body"
PROFILE_CLOSE: Final = "profile-close"
PROFILE_OPEN: Final = "profile-open"  # navbar button "Profil desa": re-opens the panel
PROFILE_TREND: Final = "profile-trend"
GLOSSARY_OPEN: Final = "glossary-open"  # navbar button "Glosarium"
GLOSSARY_PANEL: Final = "glossary-panel"
GLOSSARY_SEARCH: Final = "glossary-search"
GLOSSARY_LIST: Final = "glossary-list"
GLOSSARY_LINK: Final = "glossary-link"
HELP_TIPS: Final = "help-tips"  # the tooltips, mounted once the page is ready


def glossary_link(term: Part) -> dict:
    """Pattern-matching id of a link opening the glossary at one term."""
    return {"type": GLOSSARY_LINK, "term": term}

# map: count bubbles, village names, numbered lokus, hand-out downloads (issue 11, map)
MAP_BUBBLES: Final = "map-bubbles"  # switch: proportional symbols of counts over the rates
MAP_LABELS: Final = "map-labels"  # switch: village names on the map
MAP_BUBBLE_LEGEND: Final = "map-bubble-legend"
MAP_LABEL_NOTE: Final = "map-label-note"  # which villages are named (kecamatan / lokus / all)
MAP_SUMMARY_PLACE: Final = "map-summary-place"  # "Kecamatan Wado" / "Seluruh kabupaten"
MAP_DOWNLOAD_PNG: Final = "map-download-png"
MAP_DOWNLOAD_PDF: Final = "map-download-pdf"
MAP_DOWNLOAD: Final = "map-download"  # dcc.Download of the hand-out map
MAP_DOWNLOAD_STATUS: Final = "map-download-status"

# puskesmas template on the upload tab (issue 11, projector & template)
TEMPLATE_YEAR: Final = "template-year"
TEMPLATE_COVERAGE: Final = "template-coverage"
TEMPLATE_BUTTON: Final = "template-download"
TEMPLATE_FILE: Final = "template-file"  # dcc.Download of the XLSX
TEMPLATE_STATUS: Final = "template-status"

# guided flow (issue 11): step bar Aksi 1 → 2 → 3, unsaved marker, remembered author
FLOW_BAR: Final = "flow-bar"
FLOW_SCENARIO: Final = "flow-scenario"  # active scenario's name (+ unsaved marker) in the bar
FLOW_STEP: Final = "flow-step"  # pattern type: one step button
FLOW_STATE: Final = "flow-state"  # pattern type: a step's done/missing line
STORE_FLOW_STEP: Final = "store-flow-step"  # the step last clicked (a section of a tab)
STORE_FLOW_DONE: Final = "store-flow-done"  # {"export": file, "berita_acara": file} downloaded
STORE_AUTHOR: Final = "store-author"  # the author's name, remembered by the browser
DECIDE_ACTIVE: Final = "decide-active"  # active scenario line in the decide panel
DECIDE_PLAN: Final = "decide-plan"  # section anchors the step bar scrolls to
DECIDE_EXPORTS: Final = "decide-exports"
MAP_COLUMN: Final = "map-column"


def flow_step(step: Part) -> dict:
    """Pattern-matching id of one step button of the step bar."""
    return {"type": FLOW_STEP, "step": step}


def flow_state(step: Part) -> dict:
    """Pattern-matching id of one step's status line."""
    return {"type": FLOW_STATE, "step": step}

# --- accounts (issue 12): navbar account (layouts/signin.py) ----------------------------------
NAVBAR_ACCOUNT: Final = "navbar-account"
NAVBAR_ACCOUNT_NAME: Final = "navbar-account-name"
NAVBAR_SIGNOUT: Final = "navbar-signout"


# --- further analysis (issue 15): budget, SMAA, survey vs register, annual review -----------
STORE_ANALYTICS: Final = "store-analytics"  # the inputs of the analyses run (for the exports)
AN_BUDGET: Final = "an-budget"  # Rp, typed
AN_BUDGET_ECHO: Final = "an-budget-echo"  # the amount as read
AN_COST_SOURCE: Final = "an-cost-source"  # unit / file / plan
AN_UNIT_COST: Final = "an-unit-cost"
AN_TARGET: Final = "an-target"  # children the unit cost multiplies: stunted / measured
AN_COST_UPLOAD: Final = "an-cost-upload"
AN_COST_FILE: Final = "an-cost-file"  # name of the cost table read
AN_OBJECTIVE: Final = "an-objective"
AN_MIN_KEC: Final = "an-min-kec"
AN_MAX_KEC: Final = "an-max-kec"
AN_BUDGET_RUN: Final = "an-budget-run"
AN_BUDGET_OUT: Final = "an-budget-out"
AN_BUDGET_CSV: Final = "an-budget-csv"
AN_BUDGET_XLSX: Final = "an-budget-xlsx"
AN_BUDGET_DOWNLOAD: Final = "an-budget-download"
AN_SMAA_MODE: Final = "an-smaa-mode"  # ranking / intervals
AN_SMAA_ROWS: Final = "an-smaa-rows"
AN_SMAA_RANK: Final = "an-smaa-rank"  # pattern type: a criterion's rank
AN_SMAA_LOW: Final = "an-smaa-low"  # pattern type: a criterion's lowest weight (%)
AN_SMAA_HIGH: Final = "an-smaa-high"
AN_SMAA_DRAWS: Final = "an-smaa-draws"
AN_SMAA_RUN: Final = "an-smaa-run"
AN_SMAA_OUT: Final = "an-smaa-out"
AN_SURVEY_PREV: Final = "an-survey-prev"
AN_SURVEY_LOW: Final = "an-survey-low"
AN_SURVEY_HIGH: Final = "an-survey-high"
AN_SURVEY_YEAR: Final = "an-survey-year"
AN_SURVEY_SOURCE: Final = "an-survey-source"
AN_SURVEY_ADJUST: Final = "an-survey-adjust"
AN_SURVEY_RUN: Final = "an-survey-run"
AN_SURVEY_OUT: Final = "an-survey-out"
AN_REVIEW_LIST: Final = "an-review-list"  # a saved scenario's list, or the uploaded file
AN_REVIEW_UPLOAD: Final = "an-review-upload"
AN_REVIEW_INDICATOR: Final = "an-review-indicator"
AN_REVIEW_BEFORE: Final = "an-review-before"
AN_REVIEW_AFTER: Final = "an-review-after"
AN_REVIEW_RUN: Final = "an-review-run"
AN_REVIEW_OUT: Final = "an-review-out"


def smaa_input(kind: str, criterion: Part) -> dict:
    """Pattern-matching id of a criterion's SMAA input (``kind``: AN_SMAA_RANK/LOW/HIGH)."""
    return {"type": kind, "criterion": criterion}


# --- analyses shown outside their tab (issue 15: SMAA on the map/profile, survey vs register)
MAP_SURVEY: Final = "map-survey"  # the two stunting numbers under the map page's summary cards
PROFILE_SMAA_BAR: Final = "profile-smaa-bar"  # the village's rank acceptability (SMAA)

# --- camat review (issue 12): layouts/camat.py, callbacks/camat.py --------------------------
TAB_CAMAT: Final = "tinjauan"  # the "Tinjauan camat" tab (in TAB_IDS above)
CAMAT_SEND_CARD: Final = "camat-send-card"  # shown to accounts that may send (analis, admin)
CAMAT_SEND: Final = "camat-send"  # "Kirim untuk ditinjau camat": the active scenario
CAMAT_SEND_STATUS: Final = "camat-send-status"
CAMAT_SCENARIO: Final = "camat-scenario"  # picker of the scenarios sent for review
CAMAT_LIST: Final = "camat-list"  # the proposed villages of the account's area, with answers
CAMAT_STATUS: Final = "camat-status"
CAMAT_REFRESH: Final = "camat-refresh"  # bumped after a send or an answer
CAMAT_CHOICE: Final = "camat-choice"  # pattern type: a village's setuju / keberatan
CAMAT_REASON: Final = "camat-reason"  # pattern type: a village's reason
CAMAT_ANSWER: Final = "camat-answer"  # pattern type: a village's "Simpan jawaban" button
CAMAT_PROFILE: Final = "camat-profile"  # pattern type: a village's profile link


def camat_item(kind: str, code: Part) -> dict:
    """Pattern-matching id of one village's review control (``kind``: CAMAT_CHOICE/...)."""
    return {"type": kind, "kode": code}

# --- area-scoped access (issue 12, phase 2a) -------------------------------------------------
AREA_EMPTY: Final = "area-empty"  # the message of an account whose area holds no dataset
SCN_AUTHOR_SHOWN: Final = "scn-author-shown"  # "recorded as: <account>" in the decide panel
