"""e-PPGBM child records: read the export, compute HAZ, aggregate stunting per village.

Pipeline: :func:`read_eppgbm` (parse and check, drop names/NIK after hashing the child
identity) -> :func:`compute_haz` (WHO 2006 z-scores, :mod:`geo.core.anthro`) ->
:func:`match_villages` (names to boundary codes, :mod:`geo.io.matching`) ->
:func:`aggregate` (one measurement per child per period, per-village counts, the
row-level quality log and the measurement-quality panel, as the WHO Anthro Survey
Analyser does).

Privacy (DOMAIN §6): NIK and names are read only to build an anonymous child key — a
keyed 64-bit hash with a random key drawn per upload, so it cannot be linked across
uploads or reversed by trying NIKs — and are dropped before :func:`read_eppgbm`
returns.  Nothing downstream (records, tables, reports, quality log, log records, error
messages) holds them.  The quality log quotes values only of non-identifying columns
(height, weight, sex, position, measurement date, village); for birth dates it gives the
row number only.

What refuses the whole file (:class:`geo.core.errors.InputError`): not a table or unreadable,
required columns missing, no data rows, more than :data:`MAX_ROWS` rows, a first line
with more than :data:`MAX_COLUMNS` columns.  Everything else is per row: a record with
a problem is *excluded from the numbers* and listed in the :class:`geo.core.quality.QualityLog`
(spreadsheet row, column, value, reason code).  One reason per row, checked in this
order (the first that applies is recorded):

1. ``empty_required`` — JK, Tgl Lahir, Tanggal Pengukuran, Tinggi (``0`` = not measured)
   or Desa/Kel empty;
2. ``sex_unknown`` — JK not L/P;
3. ``date_unreadable`` — birth or measurement date not a date;
4. ``date_future`` — birth or measurement after ``today``;
5. ``measured_before_birth``;
6. ``age_over_60m`` — older than 1826 days (60 months) at measurement;
7. ``height_invalid`` — height not a number (``n/a``, ``NaN``, ``inf``), negative or
   outside :data:`HEIGHT_RANGE_CM`;
8. ``haz_implausible`` — ``|HAZ| > 6`` (WHO flag), found by :func:`compute_haz`;
9. ``name_unmatched`` — village not on the map, only when :func:`aggregate` is asked to
   drop unmatched villages (the dataset path).

Cell problems leave the row in: a weight or export z-score that is not a number
(``not_number``/``negative``/``out_of_range``) and an unknown measuring position
(``position_unknown``: no 0.7 cm correction) are emptied and listed with scope ``cell``.
Earlier measurements of the same child in the period are ``superseded``: not an error,
counted (report, panel) but not listed row by row — with monthly *bulan timbang* most
rows of a yearly export are superseded, and listing them would bury the real problems.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any, Final, Literal

import numpy as np
import pandas as pd
from scipy.stats import binom

from geo.core.anthro import MAX_AGE_DAYS, PLAUSIBLE_LIMIT, haz, lms_table
from geo.core.errors import InputError
from geo.core.i18n import format_number, t
from geo.core.quality import FileCount, QualityLog, issues_where
from geo.io.matching import NameMatch, match_names
from geo.io.readers import parse_numbers, read_table
from geo.io.schema import detect_columns

__all__ = [
    "DIGIT_LIMIT_PCT",
    "DISAGREE_LIMIT",
    "EPPGBM_ROLES",
    "EXCLUDED_SHARE_LIMIT_PCT",
    "HEAPING_LIMIT_PCT",
    "HEIGHT_RANGE_CM",
    "IMPLAUSIBLE_LIMIT_PCT",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "MIN_N_QUALITY",
    "REQUIRED_ROLES",
    "ROW_REASONS",
    "SD_HAZ_RANGE",
    "EppgbmRecords",
    "EppgbmReport",
    "EppgbmResult",
    "aggregate",
    "compute_haz",
    "match_villages",
    "measurement_flags",
    "output_paths",
    "period_label",
    "quality_rule_text",
    "read_eppgbm",
    "synthetic_export",
    "write_outputs",
    "write_safe_csv",
]

log = logging.getLogger(__name__)

Period = Literal["month", "year", "all"]

#: Column roles of an e-PPGBM export (aliases compared by :func:`geo.io.schema.normalise_name`).
EPPGBM_ROLES: Final[dict[str, tuple[str, ...]]] = {
    "nik": ("nik", "nik_anak", "no_nik"),
    "nama": ("nama", "nama_anak", "nama_balita"),
    "jk": ("jk", "jenis_kelamin", "l/p"),
    "tgl_lahir": ("tgl_lahir", "tanggal_lahir", "tgl_lhr"),
    "nama_kec": ("kec", "kecamatan", "nama_kec"),
    "nama_desa": ("desa/kel", "desa_kel", "desa", "kelurahan", "nama_desa", "desa/kelurahan"),
    "posyandu": ("posyandu", "nama_posyandu"),
    "tgl_ukur": ("tanggal_pengukuran", "tgl_pengukuran", "tgl_ukur", "tanggal_ukur"),
    "bulan_ukur": ("bulan_pengukuran", "bulan_ukur"),
    "berat": ("berat", "bb", "berat_badan"),
    "tinggi": ("tinggi", "tb", "pb/tb", "tinggi_badan", "panjang/tinggi"),
    "cara_ukur": ("cara_ukur", "cara_pengukuran"),
    "zs_tbu": ("zs_tb/u", "zs_tbu", "zs_pb/u", "zscore_tb/u"),
    "usia": ("usia_saat_ukur", "umur_saat_ukur"),
}
#: Roles without which no z-score can be computed or placed.
REQUIRED_ROLES: Final = ("jk", "tgl_lahir", "tgl_ukur", "tinggi", "nama_desa")
_LABELS: Final = {"jk": "JK", "tgl_lahir": "Tgl Lahir", "tgl_ukur": "Tanggal Pengukuran", "tinggi": "Tinggi",
                  "nama_desa": "Desa/Kel"}
#: |own HAZ − export's ZS TB/U| above this counts as a disagreement.
DISAGREE_LIMIT: Final = 0.1
#: A file with more data rows than this is refused (bounds memory and time; ~150 s to read).
MAX_ROWS: Final = 5_000_000
#: A first line with more columns than this is refused (an e-PPGBM export has about 40):
#: a wrong separator or a hostile file would otherwise build 100,000 columns.
MAX_COLUMNS: Final = 500
#: Plausible recumbent length / standing height of a child under five, cm.
HEIGHT_RANGE_CM: Final = (38.0, 150.0)

#: Why a record is not counted (codes of :data:`geo.core.quality.REASONS`), in check order.
ROW_REASONS: Final = ("empty_required", "sex_unknown", "date_unreadable", "date_future",
                      "measured_before_birth", "age_over_60m", "height_invalid", "haz_implausible",
                      "name_unmatched")
_ALASAN: Final = ("", *ROW_REASONS)  # categories of ``alasan``; code 0 = usable

_SEX: Final = {"L": 1, "LAKI-LAKI": 1, "LAKI LAKI": 1, "LAKI": 1, "1": 1, "P": 2, "PEREMPUAN": 2,
               "WANITA": 2, "2": 2}
_LYING: Final = {"TELENTANG": 1.0, "TERLENTANG": 1.0, "TLENTANG": 1.0, "BERBARING": 1.0, "BARING": 1.0,
                 "TIDUR": 1.0, "PB": 1.0, "BERDIRI": 0.0, "TB": 0.0}
_DMY = r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?:\s+\d{1,2}[:.]\d{2}(?:[:.]\d{2})?)?$"
_YMD = r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
# Excel serial day numbers from 10000 (1927-05-18) up: shorter numbers are more likely
# years or typos than dates of a child under five.
_SERIAL = r"^\d{5}(?:\.\d+)?$"
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_MONTHS_ID = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
              "Oktober", "November", "Desember")


# ----------------------------------------------------------------------------- records


@dataclass(frozen=True, eq=False)
class EppgbmRecords:
    """Parsed e-PPGBM measurements, without any name or NIK.

    Attributes
    ----------
    file
        Base name of the upload.
    data
        One row per data row of the export: ``_row`` (spreadsheet row), ``child``
        (anonymous key, uint64, valid only within this upload), ``sex`` (1 L, 2 P, 0
        empty or unknown), ``tgl_lahir``, ``tgl_ukur`` (datetime64, NaT when empty or
        unreadable), ``umur_hari`` (float, NaN when a date is missing), ``tinggi``,
        ``berat`` (cm, kg), ``telentang`` (1.0 lying, 0.0 standing, NaN unknown),
        ``zs_export`` (the export's ZS TB/U), ``nama_kec``, ``nama_desa``, ``posyandu``
        (string), ``alasan`` (categorical: ``""`` usable, else the first of
        :data:`ROW_REASONS` found while reading).
    columns
        Role -> column header used.
    identity
        How a child is recognised: ``"nik"`` (NIK, falling back to name + birth date +
        sex where NIK is empty), ``"nama"`` (name + birth date + sex) or ``"none"`` (no
        NIK/name column: duplicates cannot be found).
    empty
        Role -> number of records with that required cell empty.
    warnings
        Sentences in the catalogue language (``lang`` of :func:`read_eppgbm`).
    issues
        Row and cell issues found while reading (:func:`geo.core.quality.issues_where` columns).
    """

    file: str
    data: pd.DataFrame
    columns: dict[str, str]
    identity: str
    empty: dict[str, int]
    warnings: list[str] = field(default_factory=list)
    issues: pd.DataFrame = field(default_factory=lambda: QualityLog().issues)

    def __repr__(self) -> str:
        return (f"EppgbmRecords(file={self.file!r}, n={len(self.data)}, identity={self.identity!r}, "
                f"columns={sorted(self.columns)}, issues={len(self.issues)})")


def _base_name(path: Path, display_name: str | None) -> str:
    return PurePosixPath(str(display_name or path.name).replace("\\", "/")).name


def _codes(series: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Factorised text: parse the few distinct values once, map back by code."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    return codes, pd.Index(uniques)


def _spread(codes: np.ndarray, values: np.ndarray, fill: Any) -> np.ndarray:
    """Per-distinct-value results back to one per record (``fill`` for empty cells)."""
    if not len(values):
        return np.full(len(codes), fill)
    return np.where(codes >= 0, values[np.maximum(codes, 0)], fill)


def _parse_dates(text: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """dd/mm/yyyy (also ``-`` or ``.``), yyyy-mm-dd[ time], Excel serial -> datetime64.

    Returns the dates (NaT when empty or unreadable) and the mask of non-empty cells
    that are not a date.
    """
    codes, uniques = _codes(text)
    u = pd.Series(uniques, dtype="string").str.strip()
    dmy = u.str.extract(_DMY)
    ymd = u.str.extract(_YMD)
    parts = pd.DataFrame({
        "year": dmy[2].fillna(ymd[0]), "month": dmy[1].fillna(ymd[1]), "day": dmy[0].fillna(ymd[2]),
    }).apply(pd.to_numeric, errors="coerce").astype("float64")
    # Years outside 1900..2200 are typos, and would overflow nanosecond timestamps.
    parts.loc[~parts["year"].between(1900, 2200), "year"] = np.nan
    dates = pd.to_datetime(parts, errors="coerce") if len(u) else pd.Series([], dtype="datetime64[ns]")
    serial = u.str.fullmatch(_SERIAL).fillna(False).astype(bool)
    if serial.any():
        days = pd.to_numeric(u.where(serial), errors="coerce").to_numpy(dtype="float64")
        from_serial = _EXCEL_EPOCH + pd.to_timedelta(np.floor(days), unit="D")
        dates = dates.where(~serial.to_numpy(), pd.Series(from_serial, index=dates.index))
    values = dates.to_numpy(dtype="datetime64[ns]")
    out = _spread(codes, values, np.datetime64("NaT")).astype("datetime64[ns]")
    bad = _spread(codes, np.isnat(values), False).astype(bool)
    return pd.Series(out, index=text.index), bad


def _parse_number(text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Decimal comma or point -> float64; returns values (NaN when empty or bad) and the
    mask of non-empty cells that are not a number."""
    codes, uniques = _codes(text)
    values, bad = parse_numbers(pd.Series(uniques, dtype="string"))
    return (_spread(codes, values.to_numpy(dtype="float64"), np.nan).astype("float64"),
            _spread(codes, bad.to_numpy(dtype=bool), False).astype(bool))


def _parse_coded(text: pd.Series, mapping: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """Coded text (JK, Cara Ukur) -> float (NaN when empty or unknown) and the unknown mask."""
    codes, uniques = _codes(text)
    u = pd.Series(uniques, dtype="string").str.upper().str.replace(r"\s+", " ", regex=True).str.strip()
    values = u.map(dict(mapping)).to_numpy(dtype="float64", na_value=np.nan)
    unknown = np.isnan(values) & (u != "").to_numpy(dtype=bool, na_value=False)
    return _spread(codes, values, np.nan).astype("float64"), _spread(codes, unknown, False).astype(bool)


def _child_key(raw: pd.DataFrame, cols: Mapping[str, str], sex: np.ndarray, birth: pd.Series) -> tuple[
        np.ndarray, str]:
    """Anonymous per-upload child key; the identifying text never leaves this function.

    Identity = NIK (digits only) where present, else upper-case name + birth date + sex,
    else the row itself.  The parts are hashed together with a random per-call key.
    """
    n = len(raw)
    empty = pd.Series("", index=raw.index, dtype=object)
    nik = empty
    if "nik" in cols:
        text = raw[cols["nik"]].astype("string")
        odd = ~text.str.isdigit().fillna(True).astype(bool)  # only clean what needs it (fast path)
        if odd.any():
            text = text.where(~odd, text.str.replace(r"[^0-9]", "", regex=True))
        nik = text.mask(text.str.fullmatch(r"0*").fillna(True)).astype(object)
    has_nik = pd.notna(nik) & (nik != "")
    name = empty
    if "nama" in cols:
        name = raw[cols["nama"]].astype("string").str.upper().str.replace("  ", " ", regex=False)
        name = name.astype(object)
    has_name = ~has_nik & pd.notna(name) & (name != "")
    kind = np.select([has_nik.to_numpy(), has_name.to_numpy()], ["K", "N"], "R")
    parts = pd.DataFrame({
        "kind": kind,
        "nik": nik.where(has_nik, ""),
        "name": name.where(has_name, ""),
        "birth": np.where(has_name, birth.to_numpy().astype("int64"), 0),
        "sex": np.where(has_name, sex.astype("int64"), 0),
        "row": np.where(kind == "R", raw["_row"].to_numpy(dtype="int64"), 0),
    })
    identity = "nik" if "nik" in cols else ("nama" if "nama" in cols else "none")
    salt = secrets.token_hex(8)  # 16 characters: the hash key pandas expects
    hashed = pd.util.hash_pandas_object(parts, index=False, hash_key=salt).to_numpy()
    del parts, nik, name
    return hashed.astype(np.uint64).reshape(n), identity



_ZIP_MAGIC = b"PK\x03\x04"
_CHUNK = 1 << 24


def _check_size(path: Path, file: str) -> None:
    """Refuse a CSV with more than :data:`MAX_ROWS` lines or a first line wider than
    :data:`MAX_COLUMNS` before the table reader spends minutes on it.

    Lines are counted in 16 MB chunks (a blank line counts too: it is still work).  Only
    the first line's width matters: the CSV parser takes the column count from it and
    stops at a later, longer line.  An XLSX is bounded by the reader's unzipped-size
    limit and by Excel's own 1,048,576 rows; its row count is checked after reading.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(_CHUNK)
            if head.startswith(_ZIP_MAGIC):
                return
            first = head.split(b"\n", 1)[0]
            width = 1 + max(first.count(sep) for sep in (b",", b";", b"\t"))
            if width > MAX_COLUMNS:
                raise InputError.of("eppgbm.error.too_many_columns", file=file, n=width, limit=MAX_COLUMNS)
            lines, chunk = 0, head
            while chunk:
                lines += chunk.count(b"\n")
                if lines > MAX_ROWS + 1:  # + the header line
                    raise InputError.of("eppgbm.error.too_many_rows", file=file, limit=f"{MAX_ROWS:,}")
                chunk = handle.read(_CHUNK)
    except OSError as exc:
        raise InputError("berkas tidak bisa dibuka.", file=file) from exc


@dataclass(frozen=True)
class _Check:
    """One row check: records where ``mask`` is true get ``reason`` (if none yet)."""

    reason: str
    mask: np.ndarray
    role: str
    values: pd.Series | None  # None: the value is not quoted (personal column or empty)


def _row_checks(raw: pd.DataFrame, cols: Mapping[str, str], parsed: Mapping[str, Any],
                now: pd.Timestamp) -> list[_Check]:
    """The row checks of the module docstring, in order."""
    def text(role: str) -> pd.Series:
        return raw[cols[role]]

    _, sex_bad = parsed["sex"]
    birth, birth_bad = parsed["birth"]
    measured, measured_bad = parsed["measured"]
    height, height_bad = parsed["height"]
    empty = parsed["empty"]
    age = (measured - birth).dt.days.to_numpy(dtype="float64", na_value=np.nan)
    low, high = HEIGHT_RANGE_CM
    with np.errstate(invalid="ignore"):
        height_out = ~height_bad & ~empty["tinggi"] & ~((height >= low) & (height <= high))
    return [
        *(_Check("empty_required", empty[role], role, None) for role in REQUIRED_ROLES),
        _Check("sex_unknown", sex_bad, "jk", text("jk")),
        _Check("date_unreadable", birth_bad, "tgl_lahir", None),
        _Check("date_unreadable", measured_bad, "tgl_ukur", text("tgl_ukur")),
        _Check("date_future", (birth > now).to_numpy(), "tgl_lahir", None),
        _Check("date_future", (measured > now).to_numpy(), "tgl_ukur", text("tgl_ukur")),
        _Check("measured_before_birth", (measured < birth).to_numpy(), "tgl_ukur", text("tgl_ukur")),
        _Check("age_over_60m", np.nan_to_num(age, nan=-1) > MAX_AGE_DAYS, "tgl_lahir", None),
        _Check("height_invalid", height_bad | height_out, "tinggi", text("tinggi")),
    ]


def _apply_row_checks(checks: Sequence[_Check], cols: Mapping[str, str], file: str,
                      rows: pd.Series) -> tuple[np.ndarray, list[pd.DataFrame]]:
    """First reason per record (codes into ``_ALASAN``) and the issue tables."""
    code = np.zeros(len(rows), dtype=np.int8)
    issues = []
    for check in checks:
        new = np.asarray(check.mask, dtype=bool) & (code == 0)
        if not new.any():
            continue
        code[new] = _ALASAN.index(check.reason)
        issues.append(issues_where(new, file=file, rows=rows, reason=check.reason,
                                   column=cols[check.role], values=check.values))
    return code, issues


def _cell_checks(raw: pd.DataFrame, cols: Mapping[str, str], file: str, rows: pd.Series,
                 usable: np.ndarray) -> tuple[dict[str, np.ndarray], list[pd.DataFrame]]:
    """Weight, export z-score and position: bad cells are emptied, the row stays.

    Returns the parsed columns (``berat``, ``zs_export``, ``telentang``) and the issues
    (scope ``cell``, usable records only: an excluded row is listed once, for its reason).
    """
    n = len(raw)
    out = {"berat": np.full(n, np.nan), "zs_export": np.full(n, np.nan), "telentang": np.full(n, np.nan)}
    issues: list[pd.DataFrame] = []

    def add(mask: np.ndarray, reason: str, role: str) -> None:
        hit = mask & usable
        if hit.any():
            issues.append(issues_where(hit, file=file, rows=rows, reason=reason, column=cols[role],
                                       values=raw[cols[role]], scope="cell"))

    for role, key, signed in (("berat", "berat", False), ("zs_tbu", "zs_export", True)):
        if role not in cols:
            continue
        values, bad = _parse_number(raw[cols[role]])
        infinite = np.isinf(values)
        negative = ~signed & (values < 0)
        add(bad, "not_number", role)
        add(infinite, "out_of_range", role)
        add(negative & ~infinite, "negative", role)
        out[key] = np.where(bad | infinite | negative, np.nan, values)
    if "cara_ukur" in cols:
        lying, unknown = _parse_coded(raw[cols["cara_ukur"]], _LYING)
        add(unknown, "position_unknown", "cara_ukur")
        out["telentang"] = lying
    return out, issues


def read_eppgbm(
    path: str | Path,
    *,
    display_name: str | None = None,
    today: date | None = None,
    columns: Mapping[str, str] | None = None,
    sheet: str | int | None = None,
    lang: str = "id",
) -> EppgbmRecords:
    """Read an e-PPGBM export (CSV or XLSX); bad rows are marked, never fatal.

    Parameters
    ----------
    path
        The uploaded file on disk.
    display_name
        Name the user knows the file by (for messages).
    today
        Reference date for "in the future" checks (default: today).
    columns
        Role -> column chosen by the user (roles of :data:`EPPGBM_ROLES`).
    sheet
        XLSX sheet (name or 0-based index).
    lang
        Language of the warnings.

    Returns
    -------
    EppgbmRecords
        Without NIK or names; every data row, with ``alasan`` and the issues found.

    Raises
    ------
    InputError
        Only when the file is unusable as a whole (see the module docstring).
    """
    path = Path(path)
    file = _base_name(path, display_name)
    _check_size(path, file)
    raw = read_table(path, display_name=file, sheet=sheet)
    if len(raw) > MAX_ROWS:
        raise InputError.of("eppgbm.error.too_many_rows", file=file, limit=f"{MAX_ROWS:,}")
    headers = [c for c in raw.columns if c != "_row"]
    cols = detect_columns(headers, EPPGBM_ROLES, columns, file=file)
    missing = [_LABELS[r] for r in REQUIRED_ROLES if r not in cols]
    if missing:
        # The file's own headers are not listed: without a header row they would be a
        # child's NIK and name.
        raise InputError.of("eppgbm.error.missing_columns", file=file, rows=missing,
                            columns=", ".join(missing))
    rows = raw["_row"]
    now = pd.Timestamp(today or date.today())

    def text(role: str) -> pd.Series:
        return raw[cols[role]].astype("string") if role in cols else pd.Series(
            pd.NA, index=raw.index, dtype="string")

    height, height_bad = _parse_number(text("tinggi"))
    empty = {role: text(role).isna().to_numpy() for role in REQUIRED_ROLES}
    empty["tinggi"] = empty["tinggi"] | (height == 0)  # 0 is the usual "not measured"
    parsed = {"sex": _parse_coded(text("jk"), _SEX), "birth": _parse_dates(text("tgl_lahir")),
              "measured": _parse_dates(text("tgl_ukur")), "height": (height, height_bad), "empty": empty}
    code, issues = _apply_row_checks(_row_checks(raw, cols, parsed, now), cols, file, rows)
    cells, cell_issues = _cell_checks(raw, cols, file, rows, code == 0)

    sex_int = np.nan_to_num(parsed["sex"][0], nan=0.0).astype(np.int8)
    birth, measured = parsed["birth"][0], parsed["measured"][0]
    child, identity = _child_key(raw, cols, sex_int, birth)
    data = pd.DataFrame({
        "_row": rows.astype("int64").to_numpy(),
        "child": child,
        "sex": sex_int,
        "tgl_lahir": birth.to_numpy(),
        "tgl_ukur": measured.to_numpy(),
        "umur_hari": (measured - birth).dt.days.to_numpy(dtype="float64", na_value=np.nan),
        "tinggi": np.where(height_bad | empty["tinggi"], np.nan, height),
        "berat": cells["berat"],
        "telentang": cells["telentang"],
        "zs_export": cells["zs_export"],
        "nama_kec": text("nama_kec").to_numpy(),  # read_table already stripped cells
        "nama_desa": text("nama_desa").to_numpy(),
        "posyandu": text("posyandu").to_numpy(),
        "alasan": pd.Categorical.from_codes(code, categories=list(_ALASAN)),
    })
    for col in ("nama_kec", "nama_desa", "posyandu"):
        data[col] = data[col].astype("string")
    # ``raw`` (the only object holding NIK and names) is freed when this function returns.
    notes: list[str] = []
    if identity == "none":
        notes.append(t("eppgbm.note.no_identity", lang))
    if "nama_kec" not in cols:
        notes.append(t("eppgbm.note.no_kec", lang))
    if "cara_ukur" not in cols:
        notes.append(t("eppgbm.note.no_position", lang))
    found = QualityLog.of([*issues, *cell_issues]).issues
    log.info("e-PPGBM read: %d records, %d row issues, identity=%s", len(data), int((code > 0).sum()),
             identity)
    return EppgbmRecords(file=file, data=data, columns=dict(cols), identity=identity,
                         empty={role: int(v.sum()) for role, v in empty.items()}, warnings=notes,
                         issues=found)


# ----------------------------------------------------------------------------- HAZ


def compute_haz(records: EppgbmRecords) -> pd.DataFrame:
    """The records with ``haz``, ``implausible`` added and ``alasan`` updated.

    ``haz`` is computed for the records usable so far (``alasan == ""``) and is NaN for
    the others; those with ``|HAZ| > 6`` get ``alasan = "haz_implausible"`` and
    ``implausible = True`` (their ``haz`` is kept, for the report).
    """
    d = records.data
    code = d["alasan"].cat.codes.to_numpy().astype(np.int8)
    usable = code == 0
    z = haz(d["tinggi"].to_numpy(), d["umur_hari"].to_numpy(), d["sex"].to_numpy(), d["telentang"].to_numpy())
    z = np.where(usable, z, np.nan)
    implausible = usable & np.isfinite(z) & (np.abs(z) > PLAUSIBLE_LIMIT)
    code = np.where(implausible, _ALASAN.index("haz_implausible"), code).astype(np.int8)
    out = d.copy()
    out["haz"] = z
    out["alasan"] = pd.Categorical.from_codes(code, categories=list(_ALASAN))
    out["implausible"] = implausible
    return out


# ----------------------------------------------------------------------------- report


def period_label(period: str, lang: str = "id") -> str:
    """What one row of the village table counts; the monthly label warns against summing."""
    return t(f"eppgbm.period.{period}", lang)


@dataclass(frozen=True, eq=False)
class EppgbmReport:
    """What happened to the records (counts and village names only; no personal data).

    ``n_read = n_used + n_duplicates_removed + sum(n_excluded.values())``: every record
    is used, superseded by a later measurement of the same child in the period, or
    excluded for exactly one reason (:data:`ROW_REASONS`).  ``n_cells`` counts cell
    issues (the row was still used).  ``quality`` counts village-years by
    ``mutu_pengukuran`` (``baik``, ``perlu_dicek``, ``""`` = not assessable) and
    ``flagged`` names the villages to check.
    """

    file: str
    period: str
    identity: str
    n_read: int
    n_empty: dict[str, int]
    n_age_out_of_range: int
    n_implausible: int
    n_duplicates_removed: int
    n_used: int
    n_with_export_z: int
    n_disagree: int
    mean_difference: float | None
    unmatched_villages: list[dict[str, Any]]
    match_counts: dict[str, dict[str, int]] | None
    columns: dict[str, str]
    warnings: list[str] = field(default_factory=list)
    n_excluded: dict[str, int] = field(default_factory=dict)
    n_cells: dict[str, int] = field(default_factory=dict)
    quality: dict[str, int] = field(default_factory=dict)
    flagged: list[str] = field(default_factory=list)

    @property
    def n_superseded(self) -> int:
        """Earlier measurements of a child in the period (same as ``n_duplicates_removed``)."""
        return self.n_duplicates_removed

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form (reason codes as keys)."""
        return {
            "file": self.file, "period": self.period, "period_label": period_label(self.period),
            "identity": self.identity, "n_read": self.n_read, "n_used": self.n_used,
            "n_superseded": self.n_superseded, "n_excluded_total": sum(self.n_excluded.values()),
            "n_excluded": dict(self.n_excluded), "n_cells": dict(self.n_cells),
            "n_empty": dict(self.n_empty), "n_age_out_of_range": self.n_age_out_of_range,
            "n_implausible": self.n_implausible, "n_duplicates_removed": self.n_duplicates_removed,
            "n_with_export_z": self.n_with_export_z, "n_disagree": self.n_disagree,
            "disagree_limit": DISAGREE_LIMIT, "mean_difference": self.mean_difference,
            "measurement_quality": dict(self.quality), "measurement_quality_flagged": list(self.flagged),
            "unmatched_villages": [dict(v) for v in self.unmatched_villages],
            "match_counts": self.match_counts, "columns": dict(self.columns), "warnings": list(self.warnings),
        }

    def nothing_usable(self) -> InputError | None:
        """The error to raise when no record was used although some were read, else None."""
        if self.n_used or not self.n_excluded:
            return None
        top = max(self.n_excluded, key=lambda r: self.n_excluded[r])
        return InputError.of("eppgbm.error.nothing_usable", file=self.file,
                             excluded=sum(self.n_excluded.values()), read=self.n_read,
                             reason=t(f"quality.reason.{top}"))

    def summary_lines(self, lang: str = "id") -> list[str]:
        """The report in ``lang``, one sentence per line: read/used/excluded first."""
        lines = [t("eppgbm.summary.read", lang, read=self.n_read, file=self.file, used=self.n_used,
                   excluded=sum(self.n_excluded.values()), superseded=self.n_superseded)]
        lines += [t("eppgbm.summary.excluded", lang, n=n, reason=t(f"quality.reason.{r}", lang))
                  for r, n in self.n_excluded.items()]
        lines += [t("eppgbm.summary.cell", lang, n=n, reason=t(f"quality.reason.{r}", lang))
                  for r, n in self.n_cells.items()]
        lines.append(t("eppgbm.summary.superseded", lang, n=self.n_superseded,
                       period=period_label(self.period, lang)))
        lines.append(t("eppgbm.summary.period", lang, label=period_label(self.period, lang)))
        if self.n_with_export_z:
            lines.append(t("eppgbm.summary.export_z", lang, n=self.n_disagree, total=self.n_with_export_z,
                           limit=format_number(DISAGREE_LIMIT, 1, lang),
                           mean=format_number(self.mean_difference, 3, lang)))
        if self.unmatched_villages:
            names = ", ".join(f"{v['desa']} ({v['kecamatan']})" for v in self.unmatched_villages[:5])
            more = len(self.unmatched_villages) - 5
            if more > 0:
                names = t("eppgbm.summary.unmatched_more", lang, names=names, n=more)
            lines.append(t("eppgbm.summary.unmatched", lang, n=len(self.unmatched_villages), names=names))
        if self.quality:
            lines.append(t("eppgbm.summary.quality", lang, bad=self.quality.get("perlu_dicek", 0),
                           good=self.quality.get("baik", 0), unknown=self.quality.get("", 0),
                           min_n=MIN_N_QUALITY))
        if self.flagged:
            names = ", ".join(self.flagged[:10])
            if len(self.flagged) > 10:
                names = t("eppgbm.summary.unmatched_more", lang, names=names, n=len(self.flagged) - 10)
            lines.append(t("eppgbm.summary.quality_bad", lang, names=names))
        return lines + list(self.warnings)


@dataclass(frozen=True, eq=False)
class EppgbmResult:
    """Per-village stunting table, the report, the quality log and the quality panel.

    ``villages`` columns: ``nama_kec``, ``nama_desa``, [``kode``, ``status_cocok``],
    [``tahun``], [``bulan``], ``anak_diukur``, ``pendek`` (−3 ≤ HAZ < −2),
    ``sangat_pendek`` (HAZ < −3), ``stunting``, ``prevalensi`` (%), ``n_implausible``,
    ``n_disagree_with_export``, ``sd_haz`` and ``mutu_pengukuran`` (of the village-year,
    see :func:`measurement_flags`), ``periode`` (what a row counts; monthly rows must not
    be summed across months).

    ``mutu_desa`` / ``mutu_posyandu``: the measurement-quality panel per village-year and
    per posyandu-year (columns in :func:`aggregate`).  ``quality``: the row-level log.
    """

    villages: pd.DataFrame
    report: EppgbmReport
    match: NameMatch | None = None
    quality: QualityLog = field(default_factory=QualityLog)
    mutu_desa: pd.DataFrame = field(default_factory=pd.DataFrame)
    mutu_posyandu: pd.DataFrame = field(default_factory=pd.DataFrame)

    def __repr__(self) -> str:
        return (f"EppgbmResult(villages={len(self.villages)} rows, issues={len(self.quality)}, "
                f"report={self.report.to_dict()!r})")


# ----------------------------------------------------------------------------- measurement quality

#: Fewest records for a quality rule to be applied to a village-year (or posyandu-year):
#: below it one odd child moves a share by more than 3 points and the SD is unstable.
MIN_N_QUALITY: Final = 30
#: More than this share (%) of a village's rows excluded for a problem: ``dikeluarkan``.
EXCLUDED_SHARE_LIMIT_PCT: Final = 10.0
#: More than this share (%) of computed z-scores with |HAZ| > 6 (WHO/UNICEF 2019: < 1 %).
IMPLAUSIBLE_LIMIT_PCT: Final = 1.0
#: Expected SD of HAZ (Mei & Grummer-Strawn 2007, as quoted by WHO 2019). Those bounds come
#: from national surveys; a village's SD from a few dozen children varies by sampling alone,
#: so ``sd_haz`` fires only when the 95 % interval of the SD lies wholly outside the range
#: (:func:`measurement_flags`).
SD_HAZ_RANGE: Final = (1.35, 1.95)
#: Share (%) of heights ending in .0 or .5 together above which it is ``digit``
#: (expected 10 % + 10 % with 0.1 cm precision; 35 % is 2 SD above 20 % at n = 30).
DIGIT_LIMIT_PCT: Final = 35.0
#: Share (%) of ages 6–59 completed months that are a multiple of 6 above which it is
#: ``umur_bulat`` (age heaping; expected 9 of 54 months = 16.7 %, limit twice that).
HEAPING_LIMIT_PCT: Final = 100.0 / 3.0
_DAYS_PER_MONTH: Final = 30.4375
_COUNT_COLUMNS: Final = ("n_dibaca", "n_dipakai", "n_diganti", "n_dikeluarkan",
                         *(f"n_{r}" for r in ROW_REASONS), "n_haz", "n_tinggi_0", "n_tinggi_5",
                         "n_umur_6_59", "n_umur_bulat")


def _share(part: pd.Series, whole: pd.Series) -> pd.Series:
    """``part / whole`` in %, NaN where ``whole`` is 0."""
    whole = whole.astype("float64")
    return (part.astype("float64") / whole.where(whole > 0)) * 100


def measurement_flags(panel: pd.DataFrame) -> pd.DataFrame:
    """``mutu_pengukuran`` and ``alasan_mutu`` from the panel's counts and ``sd_haz``.

    A group (village-year or posyandu-year) is ``perlu_dicek`` when any rule fires:

    * ``dikeluarkan`` — ``n_dibaca`` ≥ :data:`MIN_N_QUALITY` and more than
      :data:`EXCLUDED_SHARE_LIMIT_PCT` % of its rows excluded for a problem;
    * ``implausible`` — ``n_haz`` ≥ MIN_N and significantly more than
      :data:`IMPLAUSIBLE_LIMIT_PCT` % of computed z-scores with |HAZ| > 6 (one-sided
      binomial test at 5 %: in a village of 70 children a single flagged z-score is
      1.4 % by chance alone);
    * ``sd_haz`` — ``n_dipakai`` ≥ MIN_N and the 95 % interval of the SD of HAZ,
      :math:`s \\pm 1.96\\, s / \\sqrt{2(n-1)}` (normal approximation of its standard
      error), lies wholly outside :data:`SD_HAZ_RANGE`;
    * ``digit`` — ``n_dipakai`` ≥ MIN_N and more than :data:`DIGIT_LIMIT_PCT` % of heights
      ending in .0 or .5;
    * ``umur_bulat`` — ``n_umur_6_59`` ≥ MIN_N and more than :data:`HEAPING_LIMIT_PCT` %
      of ages 6–59 months at a multiple of 6 months.

    Otherwise ``baik`` when ``n_dipakai`` ≥ MIN_N, else ``""`` (too few children to judge).
    ``alasan_mutu`` lists the rules that fired, separated by ``;``.
    """
    enough = panel["n_dipakai"] >= MIN_N_QUALITY
    low, high = SD_HAZ_RANGE
    sd = panel["sd_haz"].astype("float64")
    margin = 1.96 * sd / np.sqrt(2 * (panel["n_dipakai"].astype("float64") - 1).clip(lower=1))
    rules = {
        "dikeluarkan": (panel["n_dibaca"] >= MIN_N_QUALITY)
        & (_share(panel["n_dikeluarkan"], panel["n_dibaca"]) > EXCLUDED_SHARE_LIMIT_PCT),
        "implausible": (panel["n_haz"] >= MIN_N_QUALITY)
        & (binom.sf(panel["n_haz_implausible"].astype("float64") - 1, panel["n_haz"].astype("float64"),
                      IMPLAUSIBLE_LIMIT_PCT / 100) < 0.05),
        "sd_haz": enough & ((sd + margin < low) | (sd - margin > high)),
        "digit": enough
        & (_share(panel["n_tinggi_0"] + panel["n_tinggi_5"], panel["n_dipakai"]) > DIGIT_LIMIT_PCT),
        "umur_bulat": (panel["n_umur_6_59"] >= MIN_N_QUALITY)
        & (_share(panel["n_umur_bulat"], panel["n_umur_6_59"]) > HEAPING_LIMIT_PCT),
    }
    reasons = pd.Series("", index=panel.index, dtype=object)
    for name, fired in rules.items():
        fired = fired.fillna(False).astype(bool)
        reasons = reasons.where(~fired, reasons + np.where(reasons == "", "", ";") + name)
    flagged = reasons != ""
    mutu = np.where(flagged, "perlu_dicek", np.where(enough, "baik", ""))
    return pd.DataFrame({"mutu_pengukuran": mutu, "alasan_mutu": reasons}, index=panel.index)


def quality_rule_text(reasons: str, lang: str = "id") -> str:
    """The rules named in ``alasan_mutu`` (``"sd_haz;digit"``) as text in ``lang``."""
    limits = {"dikeluarkan": {"limit": format_number(EXCLUDED_SHARE_LIMIT_PCT, 0, lang)},
              "implausible": {"limit": format_number(IMPLAUSIBLE_LIMIT_PCT, 0, lang)},
              "sd_haz": {"low": format_number(SD_HAZ_RANGE[0], 2, lang),
                         "high": format_number(SD_HAZ_RANGE[1], 2, lang)},
              "digit": {"limit": format_number(DIGIT_LIMIT_PCT, 0, lang)},
              "umur_bulat": {"limit": format_number(HEAPING_LIMIT_PCT, 1, lang)}}
    return "; ".join(t(f"eppgbm.mutu.rule.{r}", lang, **limits[r])
                     for r in str(reasons).split(";") if r in limits)


def _indicators(z: pd.DataFrame, code: np.ndarray, kept: np.ndarray, superseded: np.ndarray) -> pd.DataFrame:
    """Per record: what the panel counts (booleans) and the HAZ of kept measurements."""
    implausible = code == _ALASAN.index("haz_implausible")
    height = z["tinggi"].to_numpy()
    with np.errstate(invalid="ignore"):
        tenth = np.rint(height * 10) % 10  # terminal digit of the height as measured
        months = np.floor(z["umur_hari"].to_numpy() / _DAYS_PER_MONTH)
    in_6_59 = kept & (months >= 6) & (months <= 59)
    frame = {
        "n_dibaca": np.ones(len(z), dtype=bool), "n_dipakai": kept, "n_diganti": superseded,
        "n_dikeluarkan": code > 0,
        **{f"n_{r}": code == _ALASAN.index(r) for r in ROW_REASONS},
        "n_haz": kept | superseded | implausible,
        "n_tinggi_0": kept & (tenth == 0), "n_tinggi_5": kept & (tenth == 5),
        "n_umur_6_59": in_6_59, "n_umur_bulat": in_6_59 & (months % 6 == 0),
        "haz_kept": np.where(kept, z["haz"].to_numpy(), np.nan),
    }
    return pd.DataFrame(frame)


def _panel(ind: pd.DataFrame, keys: dict[str, np.ndarray]) -> pd.DataFrame:
    """Counts, shares, SD of HAZ and the flag per group of ``keys`` (int codes)."""
    frame = ind.assign(**keys)
    grouped = frame.groupby(list(keys), sort=True)
    out = grouped[list(_COUNT_COLUMNS)].sum().astype("int64")
    out["sd_haz"] = grouped["haz_kept"].std(ddof=1)  # NaN below 2 measurements
    out = out.reset_index()
    out["pct_dikeluarkan"] = _share(out["n_dikeluarkan"], out["n_dibaca"]).round(1)
    out["pct_haz_implausible"] = _share(out["n_haz_implausible"], out["n_haz"]).round(2)
    out["pct_tinggi_0"] = _share(out["n_tinggi_0"], out["n_dipakai"]).round(1)
    out["pct_tinggi_5"] = _share(out["n_tinggi_5"], out["n_dipakai"]).round(1)
    out["pct_umur_bulat"] = _share(out["n_umur_bulat"], out["n_umur_6_59"]).round(1)
    flags = measurement_flags(out)
    out["sd_haz"] = out["sd_haz"].round(3)
    return pd.concat([out, flags], axis=1)



# ----------------------------------------------------------------------------- aggregate


def _spaced(series: pd.Series) -> pd.Series:
    return series.astype("string").str.upper().str.replace(r"\s+", " ", regex=True).str.strip()


def match_villages(
    records: EppgbmRecords,
    boundaries: pd.DataFrame,
    *,
    crosswalk: pd.DataFrame | None = None,
    threshold: float = 85.0,
    margin: float = 10.0,
) -> NameMatch:
    """Match the distinct (kecamatan, desa) names of the records to ``boundaries``.

    ``n_rows`` of the result counts records.  Parameters as :func:`geo.io.matching.match_names`.
    """
    d = records.data
    pairs = (d.groupby(["nama_kec", "nama_desa"], dropna=False, sort=False, observed=True)
             .size().rename("n").reset_index())
    kec = pairs["nama_kec"] if "nama_kec" in records.columns else None
    return match_names(
        kec, pairs["nama_desa"], boundaries, crosswalk=crosswalk, threshold=threshold, margin=margin,
        reason="e-PPGBM memakai nama wilayah, bukan kode; desa dicocokkan lewat nama dalam kecamatan.",
        weights=pairs["n"].to_numpy(),
    )



@dataclass(frozen=True)
class _Villages:
    """Village of each record (``codes``) and per village code its labels."""

    codes: np.ndarray
    labels: pd.DataFrame  # index = village code: nama_kec, nama_desa, [kode, status_cocok]
    matched: np.ndarray | None  # per record: village has a code on the map (None: no match)


def _village_keys(z: pd.DataFrame, match: NameMatch | None) -> _Villages:
    """Matched code, else the upper-case (kecamatan, desa) names; computed on distinct pairs."""
    pair_codes, pair_uniques = pd.MultiIndex.from_arrays([z["nama_kec"], z["nama_desa"]]).factorize()
    u_kec = _spaced(pd.Series(pair_uniques.get_level_values(0), dtype="string")).fillna("")
    u_desa = _spaced(pd.Series(pair_uniques.get_level_values(1), dtype="string")).fillna("")
    labels = pd.DataFrame({"nama_kec": u_kec.to_numpy(dtype=object),
                           "nama_desa": u_desa.to_numpy(dtype=object)})
    key = "N|" + u_kec + "|" + u_desa
    if match is not None:
        lut = match.pairs.assign(k=_spaced(match.pairs["kecamatan"]).fillna(""),
                                 d=_spaced(match.pairs["desa"]).fillna(""))
        lut = lut.drop_duplicates(["k", "d"]).set_index(["k", "d"])
        pos = lut.index.get_indexer(pd.MultiIndex.from_arrays([u_kec, u_desa]))
        found = pos >= 0
        at = np.maximum(pos, 0)
        kode = pd.Series(np.where(found, lut["kode"].to_numpy(dtype=object)[at], None), dtype="string")
        has = kode.notna().to_numpy()
        labels["nama_kec"] = np.where(has, lut["nama_kec"].to_numpy(dtype=object)[at], labels["nama_kec"])
        labels["nama_desa"] = np.where(has, lut["nama"].to_numpy(dtype=object)[at], labels["nama_desa"])
        labels["kode"] = kode
        labels["status_cocok"] = np.where(found, lut["status"].to_numpy(dtype=object)[at], "unmatched")
        key = kode.where(kode.notna(), key)
    v_of_pair, _ = pd.factorize(key)
    first = pd.Series(np.arange(len(v_of_pair))).groupby(v_of_pair).first()
    v_labels = labels.iloc[first.to_numpy()].reset_index(drop=True)
    v_labels["nama_kec"] = v_labels["nama_kec"].astype("string").replace("", pd.NA)
    v_labels["nama_desa"] = v_labels["nama_desa"].astype("string").replace("", pd.NA)
    codes = v_of_pair[pair_codes] if len(pair_codes) else np.zeros(0, dtype=np.int64)
    matched = None if match is None else v_labels["kode"].notna().to_numpy()[codes]
    return _Villages(codes=codes, labels=v_labels, matched=matched)


def _period_key(measured: pd.Series, period: str) -> np.ndarray:
    """yyyymm (month), yyyy (year) or 0 (all); −1 where the date is missing."""
    year = measured.dt.year.to_numpy(dtype="float64", na_value=np.nan)
    month = measured.dt.month.to_numpy(dtype="float64", na_value=np.nan)
    key = {"month": year * 100 + month, "year": year, "all": np.zeros(len(measured))}[period]
    return np.where(measured.isna().to_numpy(), -1, np.nan_to_num(key, nan=-1)).astype(np.int64)


def _latest(z: pd.DataFrame, usable: np.ndarray, per_key: np.ndarray) -> np.ndarray:
    """Latest usable measurement per child and period (ties: the later spreadsheet row),
    so a mis-typed measurement that was re-measured does not hide the good one."""
    idx = np.flatnonzero(usable)
    order = np.lexsort((z["_row"].to_numpy()[idx], z["tgl_ukur"].to_numpy()[idx].astype("int64"),
                        per_key[idx], z["child"].to_numpy()[idx]))
    sorted_idx = idx[order]
    child_s = z["child"].to_numpy()[sorted_idx]
    per_s = per_key[sorted_idx]
    last = np.ones(len(sorted_idx), dtype=bool)
    if len(sorted_idx) > 1:
        last[:-1] = (child_s[1:] != child_s[:-1]) | (per_s[1:] != per_s[:-1])
    kept = np.zeros(len(z), dtype=bool)
    kept[sorted_idx[last]] = True
    return kept


def _village_table(z: pd.DataFrame, vil: _Villages, per_key: np.ndarray, period: str, kept: np.ndarray,
                   implausible: np.ndarray, matched_only: bool) -> tuple[pd.DataFrame, np.ndarray]:
    """Counts per village and period; also returns the disagreement mask (kept records)."""
    h = z["haz"].to_numpy()
    zs = z["zs_export"].to_numpy()
    with np.errstate(invalid="ignore"):
        pendek = kept & (h >= -3) & (h < -2)
        sangat = kept & (h < -3)
        has_zs = kept & np.isfinite(zs)
        disagree = has_zs & (np.abs(h - zs) > DISAGREE_LIMIT)
    frame = pd.DataFrame({
        "v": vil.codes, "p": per_key, "anak_diukur": kept, "pendek": pendek, "sangat_pendek": sangat,
        "n_implausible": implausible, "n_disagree_with_export": disagree,
    })
    relevant = kept | implausible  # villages/periods that appear in the table
    if matched_only and vil.matched is not None:
        relevant &= vil.matched
    counts = frame.loc[relevant].groupby(["v", "p"], sort=True).sum().astype("int64").reset_index()
    counts["stunting"] = counts["pendek"] + counts["sangat_pendek"]
    with np.errstate(invalid="ignore", divide="ignore"):
        prev = np.where(counts["anak_diukur"] > 0, counts["stunting"] / counts["anak_diukur"] * 100, np.nan)
    counts["prevalensi"] = np.round(prev, 1)
    out = vil.labels.iloc[counts["v"].to_numpy()].reset_index(drop=True)
    out.insert(0, "v", counts["v"].to_numpy())
    if period in ("month", "year"):
        out["tahun"] = (counts["p"] // (100 if period == "month" else 1)).astype("int64")
    if period == "month":
        out["bulan"] = (counts["p"] % 100).astype("int64")
    for col in ("anak_diukur", "pendek", "sangat_pendek", "stunting", "prevalensi", "n_implausible",
                "n_disagree_with_export"):
        out[col] = counts[col].to_numpy()
    return out, has_zs, disagree


def _with_labels(panel: pd.DataFrame, vil: _Villages, posyandu: pd.Index | None) -> pd.DataFrame:
    """Replace the integer keys of a panel by village (and posyandu) names and the year."""
    labels = vil.labels.iloc[panel["v"].to_numpy()].reset_index(drop=True)
    front = labels.copy()
    if posyandu is not None:
        pos = panel["pos"].to_numpy()
        front["posyandu"] = pd.array(np.where(pos >= 0, np.asarray(posyandu, dtype=object)[np.maximum(pos, 0)]
                                              if len(posyandu) else None, None), dtype="string")
    if "y" in panel:
        front["tahun"] = pd.array(np.where(panel["y"] >= 0, panel["y"], None), dtype="Int64")
    rest = panel.drop(columns=[c for c in ("v", "pos", "y") if c in panel])
    out = pd.concat([front, rest.reset_index(drop=True)], axis=1)
    keys = [c for c in ("nama_kec", "nama_desa", "posyandu", "tahun") if c in out]
    return out.sort_values(keys, na_position="last", kind="stable").reset_index(drop=True)


def _row_issues(z: pd.DataFrame, records: EppgbmRecords, implausible: np.ndarray,
                unmatched: np.ndarray) -> list[pd.DataFrame]:
    """Issues found after reading: implausible z-scores and (when dropped) unmatched villages."""
    out = []
    rows = z["_row"].to_numpy()
    if implausible.any():
        heights = np.full(len(z), None, dtype=object)
        text = pd.Series(z["tinggi"].to_numpy()[implausible]).map("{:.1f}".format).str.replace(".", ",")
        heights[implausible] = text.to_numpy(dtype=object)
        out.append(issues_where(implausible, file=records.file, rows=rows, reason="haz_implausible",
                                column=records.columns["tinggi"], values=heights))
    if unmatched.any():
        out.append(issues_where(unmatched, file=records.file, rows=rows, reason="name_unmatched",
                                column=records.columns["nama_desa"], values=z["nama_desa"]))
    return out


def aggregate(
    records: EppgbmRecords,
    *,
    period: Period = "year",
    match: NameMatch | None = None,
    drop_unmatched: bool = False,
    lang: str = "id",
) -> EppgbmResult:
    """Per-village stunting counts, the quality log and the measurement-quality panel.

    Steps: z-scores (:func:`compute_haz`); records with a reason (read problems,
    ``|HAZ| > 6``) are left out; among the rest, one measurement per child per period is
    kept — the latest (ties: the later spreadsheet row); the earlier ones are
    ``superseded``.  Then per village and period: children measured, pendek, sangat
    pendek, prevalence, implausible records, disagreements with the export's ZS TB/U
    (``|diff| > 0.1``, kept records only), and the village-year's ``sd_haz`` and
    ``mutu_pengukuran``.

    The panel (``mutu_desa`` per village-year, ``mutu_posyandu`` per posyandu-year; per
    village / posyandu only with ``period="all"``; ``tahun`` empty for records without a
    readable measurement date) has: ``n_dibaca`` (records read), ``n_dipakai`` (used),
    ``n_diganti`` (superseded), ``n_dikeluarkan`` (excluded) and ``n_<reason>`` for each
    of :data:`ROW_REASONS`, ``n_haz`` (z-scores computed), ``sd_haz`` (SD of the used
    HAZ), ``n_tinggi_0`` / ``n_tinggi_5`` (used heights ending in .0 / .5),
    ``n_umur_6_59`` / ``n_umur_bulat`` (used ages 6–59 completed months / of those at a
    multiple of 6 months), the shares ``pct_*`` in %, and the flag of
    :func:`measurement_flags`.  Its ``n_dipakai`` counts used measurements of the
    period, so with ``period="month"`` a child measured in three months counts three
    times.

    Parameters
    ----------
    records
        From :func:`read_eppgbm`.
    period
        ``"year"`` (default: the latest measurement per child per calendar year),
        ``"month"`` (per *bulan timbang*: monthly counts that must not be summed across
        months; labelled so in ``periode``) or ``"all"``.
    match
        Name match (:func:`match_villages`); villages then carry ``kode`` and matched
        villages are grouped by code.  Without it villages are grouped by their names.
    drop_unmatched
        With ``match``: records of villages not on the map are excluded
        (``name_unmatched``) and their villages left out of the tables.
    lang
        Language of ``periode`` and the report.
    """
    if period not in ("month", "year", "all"):
        raise ValueError(f"period must be month, year or all, got {period!r}")
    z = compute_haz(records)
    n = len(z)
    code = z["alasan"].cat.codes.to_numpy().astype(np.int8)
    vil = _village_keys(z, match)
    unmatched = np.zeros(n, dtype=bool)
    if drop_unmatched and vil.matched is not None:
        unmatched = (code == 0) & ~vil.matched
        code = np.where(unmatched, _ALASAN.index("name_unmatched"), code).astype(np.int8)
    implausible = z["implausible"].to_numpy()
    per_key = _period_key(z["tgl_ukur"], period)
    kept = _latest(z, code == 0, per_key)
    superseded = (code == 0) & ~kept

    table, has_zs, disagree = _village_table(z, vil, per_key, period, kept, implausible, drop_unmatched)
    ind = _indicators(z, code, kept, superseded)
    year = _period_key(z["tgl_ukur"], "all" if period == "all" else "year")
    pos_codes, pos_uniques = pd.factorize(_spaced(z["posyandu"]))
    scope = ~unmatched if drop_unmatched else np.ones(n, dtype=bool)
    desa = _panel(ind.loc[scope], {"v": vil.codes[scope], "y": year[scope]})
    posy = _panel(ind.loc[scope], {"v": vil.codes[scope], "pos": pos_codes[scope], "y": year[scope]})

    table_year = table["tahun"].to_numpy() if "tahun" in table else np.zeros(len(table), dtype=np.int64)
    joined = pd.DataFrame({"v": table["v"], "y": table_year}).merge(
        desa[["v", "y", "sd_haz", "mutu_pengukuran"]], on=["v", "y"], how="left")
    table["sd_haz"] = joined["sd_haz"].to_numpy()
    table["mutu_pengukuran"] = joined["mutu_pengukuran"].fillna("").to_numpy()
    table["periode"] = period_label(period, lang)
    sort_cols = [c for c in ("nama_kec", "nama_desa", "tahun", "bulan") if c in table]
    table = (table.sort_values(sort_cols, na_position="last", kind="stable").drop(columns="v")
             .reset_index(drop=True))
    mutu_desa = _with_labels(desa, vil, None)
    mutu_posyandu = _with_labels(posy, vil, pd.Index(pos_uniques))

    issues = [records.issues, *_row_issues(z, records, implausible, unmatched)]
    quality = QualityLog.of(issues, [FileCount(records.file, "eppgbm", n, int(kept.sum()))],
                            [(records.file, "superseded", int(superseded.sum()))])
    quality = replace(quality, issues=quality.issues.sort_values("row", kind="stable").reset_index(drop=True))
    report = _report(records, z, period, code, kept, superseded, has_zs, disagree, match, mutu_desa, lang)
    log.info("e-PPGBM aggregated: %d used, %d superseded, %d excluded, %d villages",
             report.n_used, report.n_superseded, sum(report.n_excluded.values()), len(vil.labels))
    return EppgbmResult(villages=table, report=report, match=match, quality=quality, mutu_desa=mutu_desa,
                        mutu_posyandu=mutu_posyandu)


def _report(records: EppgbmRecords, z: pd.DataFrame, period: str, code: np.ndarray, kept: np.ndarray,
            superseded: np.ndarray, has_zs: np.ndarray, disagree: np.ndarray, match: NameMatch | None,
            mutu_desa: pd.DataFrame, lang: str) -> EppgbmReport:
    counts = np.bincount(code, minlength=len(_ALASAN))
    excluded = {r: int(counts[i]) for i, r in enumerate(_ALASAN) if i and counts[i]}
    cells = records.issues.loc[records.issues["scope"] == "cell", "reason"].value_counts(sort=False)
    unmatched: list[dict[str, Any]] = []
    if match is not None:
        um = match.pairs.loc[match.pairs["kode"].isna() & match.pairs["desa"].notna()]
        unmatched = [{"kecamatan": None if pd.isna(r.kecamatan) else str(r.kecamatan), "desa": str(r.desa),
                      "n_records": int(r.n_rows), "status": str(r.status), "reason": str(r.reason)}
                     for r in um.itertuples(index=False)]
    diffs = (z["haz"].to_numpy() - z["zs_export"].to_numpy())[has_zs]
    mutu = mutu_desa["mutu_pengukuran"]
    bad = mutu_desa.loc[mutu == "perlu_dicek"]
    flagged = (bad["nama_desa"].fillna("?").astype(str) + " (" + bad["nama_kec"].fillna("?").astype(str)
               + (", " + bad["tahun"].astype("string").fillna("?") if "tahun" in bad else "") + ")")
    return EppgbmReport(
        file=records.file,
        period=period,
        identity=records.identity,
        n_read=len(z),
        n_empty=dict(records.empty),
        n_age_out_of_range=excluded.get("age_over_60m", 0),
        n_implausible=excluded.get("haz_implausible", 0),
        n_duplicates_removed=int(superseded.sum()),
        n_used=int(kept.sum()),
        n_with_export_z=int(has_zs.sum()),
        n_disagree=int(disagree.sum()),
        mean_difference=round(float(diffs.mean()), 4) if len(diffs) else None,
        unmatched_villages=unmatched,
        match_counts=match.counts() if match is not None else None,
        columns=dict(records.columns),
        warnings=list(records.warnings) + ([] if match is None else match.notes),
        n_excluded=excluded,
        n_cells={str(k): int(v) for k, v in cells.items()},
        quality={k: int((mutu == k).sum()) for k in ("perlu_dicek", "baik", "")},
        flagged=flagged.tolist(),
    )


# ----------------------------------------------------------------------------- output

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def write_safe_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` as UTF-8 CSV with BOM, text cells safe against formula injection.

    A text cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a
    leading ``'`` so a spreadsheet shows it as text instead of running it.  Numbers are
    written as numbers (a negative number is not text).
    """
    path = Path(path)
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or isinstance(out[col].dtype, pd.StringDtype):
            text = out[col].astype("string")
            risky = text.str.startswith(_FORMULA_START).fillna(False).astype(bool)
            out[col] = text.where(~risky, "'" + text)
    out.to_csv(path, index=False, encoding="utf-8-sig")
    return path



#: Suffixes of the files written beside the village table (:func:`output_paths`).
_OUTPUT_SUFFIXES: Final = {"kualitas": "_kualitas.csv", "mutu_desa": "_mutu_pengukuran.csv",
                           "mutu_posyandu": "_mutu_posyandu.csv", "log": "_kualitas.json"}


def output_paths(out: str | Path) -> dict[str, Path]:
    """The village table ``out`` and the files written beside it: ``kualitas`` (the
    row-level *laporan kualitas data*), ``mutu_desa`` and ``mutu_posyandu`` (the
    measurement-quality panel), e.g. ``desa.csv`` -> ``desa_kualitas.csv``,
    ``desa_mutu_pengukuran.csv``, ``desa_mutu_posyandu.csv``; ``log`` is the report with its
    reason codes (JSON, :meth:`geo.core.quality.QualityLog.from_dict`)."""
    out = Path(out)
    beside = {key: out.with_name(out.stem + suffix) for key, suffix in _OUTPUT_SUFFIXES.items()}
    return {"table": out, **beside}


def write_outputs(result: EppgbmResult, out: str | Path, *, table: pd.DataFrame | None = None,
                  lang: str = "id") -> dict[str, Path]:
    """Write the village table (``table``, default ``result.villages``), the quality report
    and the two panels to :func:`output_paths` of ``out``; returns those paths."""
    from geo.export.quality import write_quality_report  # the export package is heavy: load on use

    paths = output_paths(out)
    write_safe_csv(result.villages if table is None else table, paths["table"])
    write_quality_report(result.quality, paths["kualitas"], lang)
    # the same log with its reason codes, so a saved dataset shows it again in any language
    paths["log"].write_text(json.dumps(result.quality.to_dict()), encoding="utf-8")
    write_safe_csv(result.mutu_desa, paths["mutu_desa"])
    write_safe_csv(result.mutu_posyandu, paths["mutu_posyandu"])
    return paths



# ----------------------------------------------------------------------------- demo data


def synthetic_export(
    n: int,
    seed: int,
    villages: pd.DataFrame | Sequence[tuple[str, str]],
    *,
    start: date = date(2024, 1, 1),
    months: int = 12,
    duplicate_share: float = 0.05,
    implausible_share: float = 0.002,
    export_error_share: float = 0.01,
    haz_sd: float = 1.5,
) -> pd.DataFrame:
    """A clearly synthetic e-PPGBM export (all text, as the export looks), for demos and tests.

    NIKs start with ``99`` (no such province) and names read ``ANAK SINTETIS <n>``, so
    the file can never be mistaken for real data.  Heights are drawn from the WHO
    standard shifted to a mean HAZ of −1 (SD ``haz_sd``), measured lying under 24 months and
    standing from 24 months in 90 % of cases (the rest the other way, to exercise the
    0.7 cm rule); ``ZS TB/U`` is the true z rounded to 2 decimals, off by 0.5 in
    ``export_error_share`` of records; ``duplicate_share`` of records are an earlier
    measurement of a child in the same month; ``implausible_share`` have a height typed
    wrongly (×0.6).  Dates dd/mm/yyyy, decimal comma.

    Parameters
    ----------
    n
        Number of records (rows).
    seed
        Random seed (same seed, same file).
    villages
        ``(kecamatan, desa)`` names, or a frame with ``nama_kec``, ``nama_desa``.
    start, months
        Measurement months: ``months`` calendar months from ``start``.
    haz_sd
        SD of the true HAZ; the default 1.5 lies in WHO's expected 1.35–1.95, so demo
        villages pass the SD rule of :func:`measurement_flags`.
    """
    rng = np.random.default_rng(seed)
    if isinstance(villages, pd.DataFrame):
        vil = villages[["nama_kec", "nama_desa"]].astype(str).to_numpy()
    else:
        vil = np.asarray(list(villages), dtype=object).reshape(-1, 2)
    if n <= 0 or len(vil) == 0:
        raise ValueError("n and villages must be non-empty")
    n_dup = round(n * duplicate_share)
    n_child = n - n_dup
    child = np.concatenate([np.arange(n_child), rng.integers(0, n_child, n_dup)])
    sex = rng.integers(1, 3, n_child)
    v_of = rng.integers(0, len(vil), n_child)
    month_of = rng.integers(0, months, n_child)
    m0 = pd.Timestamp(start)
    month_start = (pd.DatetimeIndex([m0 + pd.DateOffset(months=int(k)) for k in range(months)])
                   .to_numpy(dtype="datetime64[D]"))
    day_in = rng.integers(5, 26, n)  # days after the month start
    meas = month_start[month_of[child]] + day_in.astype("timedelta64[D]")
    is_dup = np.zeros(n, dtype=bool)
    is_dup[n_child:] = True
    # A duplicate is an *earlier* measurement in the same month (the original is later).
    meas = np.where(is_dup, meas - rng.integers(1, 5, n).astype("timedelta64[D]"), meas)
    age_main = rng.integers(0, MAX_AGE_DAYS - 40, n_child)
    birth_c = month_start[month_of] + np.timedelta64(25, "D") - age_main.astype("timedelta64[D]")
    birth = birth_c[child]
    age = (meas - birth).astype("int64")
    age = np.clip(age, 0, MAX_AGE_DAYS)
    meas = birth + age.astype("timedelta64[D]")
    s = sex[child]
    z_true = rng.normal(-1.0, haz_sd, n_child)[child] + np.where(is_dup, rng.normal(0, 0.05, n), 0.0)
    lms = lms_table()[s - 1, age]
    length = lms[:, 1] * (1 + lms[:, 0] * lms[:, 2] * z_true) ** (1 / lms[:, 0])  # table's kind of measure
    young = age < 731
    usual = rng.random(n) < 0.9
    lying = np.where(young, usual, ~usual)
    measured_h = length - np.where(young & ~lying, 0.7, 0.0) + np.where(~young & lying, 0.7, 0.0)
    bad = rng.random(n) < implausible_share
    measured_h = np.where(bad, measured_h * 0.6, measured_h)
    measured_h = np.round(measured_h, 1)
    export_z = np.round(haz(measured_h, age, s, lying), 2)
    off = rng.random(n) < export_error_share
    export_z = np.where(off, export_z + 0.5, export_z)
    weight = np.round(3.3 + age / 365.25 * 2.3 + rng.normal(0, 0.8, n), 1).clip(1.5)

    def comma(x: np.ndarray, digits: int) -> pd.Series:
        text = pd.Series(np.round(x, digits)).map(f"{{:.{digits}f}}".format)
        return text.str.replace(".", ",", regex=False)

    def dmy(values: np.ndarray) -> pd.Series:
        codes, uniq = pd.factorize(values)
        return pd.Series(pd.DatetimeIndex(uniq).strftime("%d/%m/%Y").to_numpy()[codes])

    years, rem = age // 365, age % 365
    mon = np.minimum(np.floor(rem / 30.4375), 11).astype(np.int64)
    dd = rem - np.floor(mon * 30.4375).astype(np.int64)
    cid = pd.Series(child)
    v = v_of[child]
    m_idx = pd.DatetimeIndex(meas).month.to_numpy() - 1
    frame = pd.DataFrame({
        "NIK": "99" + cid.map("{:014d}".format),
        "Nama": "ANAK SINTETIS " + cid.map("{:06d}".format),
        "JK": np.where(s == 1, "L", "P"),
        "Tgl Lahir": dmy(birth),
        "Nama Ortu": "ORTU SINTETIS " + cid.map("{:06d}".format),
        "Prov": "JAWA BARAT",
        "Kab/Kota": "SUMEDANG",
        "Kec": vil[v, 0],
        "Desa/Kel": vil[v, 1],
        "Posyandu": "POSYANDU " + pd.Series(rng.integers(1, 6, n_child)[child]).astype(str),
        "Alamat": "JL. SINTETIS NO. " + cid.map(str),
        "Usia Saat Ukur": (pd.Series(years).astype(str) + " Tahun - " + pd.Series(mon).astype(str)
                           + " Bulan - " + pd.Series(dd).astype(str) + " Hari"),
        "Tanggal Pengukuran": dmy(meas),
        "Bulan Pengukuran": np.asarray(_MONTHS_ID, dtype=object)[m_idx],
        "Berat": comma(weight, 1),
        "Tinggi": comma(measured_h, 1),
        "Cara Ukur": np.where(lying, "Telentang", "Berdiri"),
        "ZS TB/U": comma(export_z, 2),
    })
    order = rng.permutation(n)
    return frame.iloc[order].reset_index(drop=True)
