"""e-PPGBM child records: read the export, check every row, drop names and NIK.

Pipeline: :func:`read_eppgbm` (parse and check chunk by chunk — :mod:`geo.io.eppgbm_chunks`,
so the export's text is never held whole — drop names/NIK after hashing the child
identity, this module) -> :func:`geo.io.eppgbm_aggregate.compute_haz` (WHO 2006 z-scores)
-> :func:`geo.io.eppgbm_aggregate.match_villages` (names to boundary codes) ->
:func:`geo.io.eppgbm_aggregate.aggregate` (one measurement per child per period,
per-village counts, the row-level quality log and the measurement-quality panel of
:mod:`geo.io.eppgbm_quality`, as the WHO Anthro Survey Analyser does). The result and the
files it is written to are in :mod:`geo.io.eppgbm_result`.

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
8. ``haz_implausible`` — ``|HAZ| > 6`` (WHO flag), found by ``compute_haz``;
9. ``name_unmatched`` — village not on the map, only when ``aggregate`` is asked to
   drop unmatched villages (the dataset path).

Cell problems leave the row in: a weight or export z-score that is not a number
(``not_number``/``negative``/``out_of_range``) and an unknown measuring position
(``position_unknown``: no 0.7 cm correction) are emptied and listed with scope ``cell``.
Earlier measurements of the same child in the period are ``superseded``: not an error,
counted (report, panel) but not listed row by row — with monthly *bulan timbang* most
rows of a yearly export are superseded, and listing them would bury the real problems.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Final, Literal

import numpy as np
import pandas as pd

from geo.core.anthro import MAX_AGE_DAYS
from geo.core.errors import InputError
from geo.core.messages import Message
from geo.core.quality import QualityLog, issues_where
from geo.io.archives import base_name
from geo.io.eppgbm_chunks import CHUNK_ROWS, table_chunks
from geo.io.eppgbm_identity import child_key, new_salt
from geo.io.schema import detect_columns
from geo.io.tables import parse_numbers

__all__ = [
    "ALASAN",
    "DISAGREE_LIMIT",
    "EPPGBM_ROLES",
    "HEIGHT_RANGE_CM",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "REQUIRED_ROLES",
    "ROW_REASONS",
    "EppgbmRecords",
    "Period",
    "read_eppgbm",
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
#: A file with more data rows than this is refused (bounds the work: it is read in chunks,
#: but every record is still parsed; ``read_eppgbm(max_rows=)`` sets another cap).
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
#: Categories of ``alasan``: code 0 (``""``) is usable, the others are :data:`ROW_REASONS`.
ALASAN: Final = ("", *ROW_REASONS)

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
        What the user should know about the file (catalogue messages, rendered at the edge).
    issues
        Row and cell issues found while reading (:func:`geo.core.quality.issues_where` columns).
    """

    file: str
    data: pd.DataFrame
    columns: dict[str, str]
    identity: str
    empty: dict[str, int]
    warnings: list[Message] = field(default_factory=list)
    issues: pd.DataFrame = field(default_factory=lambda: QualityLog().issues)

    def __repr__(self) -> str:
        return (f"EppgbmRecords(file={self.file!r}, n={len(self.data)}, identity={self.identity!r}, "
                f"columns={sorted(self.columns)}, issues={len(self.issues)})")


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
                      rows: pd.Series) -> tuple[np.ndarray, dict[int, pd.DataFrame]]:
    """First reason per record (codes into ``ALASAN``) and the issue tables by check number."""
    code = np.zeros(len(rows), dtype=np.int8)
    issues = {}
    for number, check in enumerate(checks):
        new = np.asarray(check.mask, dtype=bool) & (code == 0)
        if not new.any():
            continue
        code[new] = ALASAN.index(check.reason)
        issues[number] = issues_where(new, file=file, rows=rows, reason=check.reason,
                                      column=cols[check.role], values=check.values)
    return code, issues


#: The cell checks in the order they are made (issues are listed in this order after the row checks).
_CELL_CHECKS: Final = (*((reason, role) for role in ("berat", "zs_tbu")
                          for reason in ("not_number", "out_of_range", "negative")),
                        ("position_unknown", "cara_ukur"))


def _cell_checks(raw: pd.DataFrame, cols: Mapping[str, str], file: str, rows: pd.Series,
                 usable: np.ndarray) -> tuple[dict[str, np.ndarray], dict[int, pd.DataFrame]]:
    """Weight, export z-score and position: bad cells are emptied, the row stays.

    Returns the parsed columns (``berat``, ``zs_export``, ``telentang``) and the issues
    (scope ``cell``, usable records only: an excluded row is listed once, for its reason),
    numbered after the row checks in the order they are made.
    """
    n = len(raw)
    out = {"berat": np.full(n, np.nan), "zs_export": np.full(n, np.nan), "telentang": np.full(n, np.nan)}
    issues: dict[int, pd.DataFrame] = {}

    def add(mask: np.ndarray, reason: str, role: str) -> None:
        hit = mask & usable
        number = 100 + _CELL_CHECKS.index((reason, role))
        if hit.any():
            issues[number] = issues_where(hit, file=file, rows=rows, reason=reason, column=cols[role],
                                          values=raw[cols[role]], scope="cell")

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


def _columns(headers: Sequence[str], file: str, columns: Mapping[str, str] | None) -> dict[str, str]:
    """Role -> column of the export; InputError when a required column is missing."""
    cols = detect_columns(list(headers), EPPGBM_ROLES, columns, file=file)
    missing = [_LABELS[r] for r in REQUIRED_ROLES if r not in cols]
    if missing:
        # The file's own headers are not listed: without a header row they would be a
        # child's NIK and name.
        raise InputError.of("eppgbm.error.missing_columns", file=file, rows=missing,
                            columns=", ".join(missing))
    return cols


def _parse(text: Callable[[str], pd.Series]) -> dict[str, Any]:
    """Sex, birth and measurement dates, height (each with its mask of unreadable cells) and
    the empty required cells of every record (``text(role)`` is a column as text)."""
    height, height_bad = _parse_number(text("tinggi"))
    empty = {role: text(role).isna().to_numpy() for role in REQUIRED_ROLES}
    empty["tinggi"] = empty["tinggi"] | (height == 0)  # 0 is the usual "not measured"
    return {"sex": _parse_coded(text("jk"), _SEX), "birth": _parse_dates(text("tgl_lahir")),
            "measured": _parse_dates(text("tgl_ukur")), "height": (height, height_bad), "empty": empty}


@dataclass
class _Parts:
    """What the chunks of one export give, combined in file order."""

    frames: list[pd.DataFrame] = field(default_factory=list)
    issues: dict[int, list[pd.DataFrame]] = field(default_factory=dict)
    empty: dict[str, int] = field(default_factory=lambda: dict.fromkeys(REQUIRED_ROLES, 0))
    names: dict[str, str] = field(default_factory=dict)

    def add(self, data: pd.DataFrame, issues: Mapping[int, pd.DataFrame],
            empty: Mapping[str, np.ndarray]) -> None:
        self.frames.append(data)
        for number, frame in issues.items():
            self.issues.setdefault(number, []).append(frame)
        for role, mask in empty.items():
            self.empty[role] += int(mask.sum())

    def issue_list(self) -> list[pd.DataFrame]:
        """Issues in check order, rows ascending within a check (as one piece would give)."""
        return [frame for number in sorted(self.issues) for frame in self.issues[number]]


def _records(raw: pd.DataFrame, cols: Mapping[str, str], file: str, now: pd.Timestamp, salt: str,
             names: dict[str, str]
             ) -> tuple[pd.DataFrame, dict[int, pd.DataFrame], dict[str, np.ndarray], str]:
    """One chunk of text rows -> its records (no NIK, no name), issues, empty cells, identity;
    ``names`` pools the place names of all chunks."""
    rows = raw["_row"]

    def text(role: str) -> pd.Series:
        return raw[cols[role]].astype("string") if role in cols else pd.Series(
            pd.NA, index=raw.index, dtype="string")

    parsed = _parse(text)
    height, height_bad = parsed["height"]
    empty = parsed["empty"]
    code, issues = _apply_row_checks(_row_checks(raw, cols, parsed, now), cols, file, rows)
    cells, cell_issues = _cell_checks(raw, cols, file, rows, code == 0)
    sex_int = np.nan_to_num(parsed["sex"][0], nan=0.0).astype(np.int8)
    birth, measured = parsed["birth"][0], parsed["measured"][0]
    child, identity = child_key(raw, cols, sex_int, birth, salt=salt)
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
        "alasan": pd.Categorical.from_codes(code, categories=list(ALASAN)),
    })
    for role in ("nama_kec", "nama_desa", "posyandu"):  # the reader already stripped cells
        data.insert(len(data.columns) - 1, role, _pooled(text(role), names))
    return data, {**issues, **cell_issues}, empty, identity


def _pooled(text: pd.Series, pool: dict[str, str]) -> pd.arrays.StringArray:
    """``text`` with one string object per distinct name across all chunks (a few thousand
    villages and posyandu), so a record costs a pointer, not a copy of the name."""
    codes, uniques = pd.factorize(text)
    shared = np.array([pool.setdefault(u, u) for u in uniques] + [pd.NA], dtype=object)
    return pd.array(shared[codes], dtype="string")


def read_eppgbm(
    path: str | Path,
    *,
    display_name: str | None = None,
    today: date | None = None,
    columns: Mapping[str, str] | None = None,
    sheet: str | int | None = None,
    chunk_rows: int = CHUNK_ROWS,
    max_rows: int | None = None,
) -> EppgbmRecords:
    """Read an e-PPGBM export (CSV or XLSX) in chunks; bad rows are marked, never fatal.

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
    chunk_rows
        Rows parsed at a time (:mod:`geo.io.eppgbm_chunks`): the text of the export,
        names and NIK included, is held one chunk at a time; the result is the same for
        any chunk size.
    max_rows
        Most data rows accepted (default :data:`MAX_ROWS`).

    Returns
    -------
    EppgbmRecords
        Without NIK or names; every data row, with ``alasan`` and the issues found.

    Raises
    ------
    InputError
        Only when the file is unusable as a whole (see the module docstring).
    """
    file = base_name(Path(path), display_name)
    now = pd.Timestamp(today or date.today())
    salt = new_salt()  # one key per upload: the same child has the same key in every chunk
    parts = _Parts()
    cols: dict[str, str] = {}
    identity = "none"

    def select(headers: list[str]) -> list[str]:  # the columns of the roles, from the header row
        cols.update(_columns(headers, file, columns))
        return list(cols.values())

    for raw in table_chunks(Path(path), file, sheet=sheet, chunk_rows=chunk_rows, select=select,
                            max_rows=MAX_ROWS if max_rows is None else max_rows, max_columns=MAX_COLUMNS):
        data, issues, empty, identity = _records(raw, cols, file, now, salt, parts.names)
        parts.add(data, issues, empty)
        del raw  # the only object holding NIK and names
    data = pd.concat(parts.frames, ignore_index=True) if len(parts.frames) > 1 else parts.frames[0]
    notes = [Message.of(key) for key, missing in (("eppgbm.note.no_identity", identity == "none"),
                                                  ("eppgbm.note.no_kec", "nama_kec" not in cols),
                                                  ("eppgbm.note.no_position", "cara_ukur" not in cols))
             if missing]
    code = data["alasan"].cat.codes.to_numpy()
    log.info("e-PPGBM read: %d records in %d chunks, %d row issues, identity=%s", len(data),
             len(parts.frames), int((code > 0).sum()), identity)
    return EppgbmRecords(file=file, data=data, columns=dict(cols), identity=identity, empty=parts.empty,
                         warnings=notes, issues=QualityLog.of(parts.issue_list()).issues)
