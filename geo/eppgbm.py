"""e-PPGBM child records: read the export, compute HAZ, aggregate stunting per village.

Pipeline: :func:`read_eppgbm` (parse and check, drop names/NIK after hashing the child
identity) -> :func:`compute_haz` (WHO 2006 z-scores, :mod:`geo.anthro`) ->
:func:`match_villages` (names to boundary codes, :mod:`geo.matching`) ->
:func:`aggregate` (one measurement per child per period, per-village counts, report).

Privacy (DOMAIN §6): NIK and names are read only to build an anonymous child key — a
keyed 64-bit hash with a random key drawn per upload, so it cannot be linked across
uploads or reversed by trying NIKs — and are dropped before :func:`read_eppgbm`
returns.  Nothing downstream (records, tables, reports, log records, error messages)
holds them.  Error messages quote values only of non-identifying columns (height,
weight, sex, position, measurement date); for birth dates they give row numbers only.

Bad input raises :class:`geo.errors.InputError` naming the file, the column and the
first spreadsheet rows: missing columns, unreadable dates, dates in the future, a
measurement before birth, non-numeric or negative height/weight, unknown sex or
position codes, an empty file.  Empty cells are not errors: such records are left out
and counted in the report.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any, Final, Literal

import numpy as np
import pandas as pd

from geo.anthro import MAX_AGE_DAYS, PLAUSIBLE_LIMIT, haz, haz_invalid_reason, lms_table
from geo.errors import InputError
from geo.matching import NameMatch, match_names
from geo.readers import read_table, to_number
from geo.schema import detect_columns

__all__ = [
    "DISAGREE_LIMIT",
    "EPPGBM_ROLES",
    "REQUIRED_ROLES",
    "EppgbmRecords",
    "EppgbmReport",
    "EppgbmResult",
    "aggregate",
    "compute_haz",
    "match_villages",
    "read_eppgbm",
    "synthetic_export",
    "write_safe_csv",
]

log = logging.getLogger(__name__)

Period = Literal["month", "year", "all"]

#: Column roles of an e-PPGBM export (aliases compared by :func:`geo.schema.normalise_name`).
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
        empty), ``tgl_lahir``, ``tgl_ukur`` (datetime64, NaT when empty), ``umur_hari``
        (float, NaN when a date is empty), ``tinggi``, ``berat`` (cm, kg), ``telentang``
        (1.0 lying, 0.0 standing, NaN unknown), ``zs_export`` (the export's ZS TB/U),
        ``nama_kec``, ``nama_desa``, ``posyandu`` (string).
    columns
        Role -> column header used.
    identity
        How a child is recognised: ``"nik"`` (NIK, falling back to name + birth date +
        sex where NIK is empty), ``"nama"`` (name + birth date + sex) or ``"none"`` (no
        NIK/name column: duplicates cannot be found).
    empty
        Role -> number of records with an empty required cell (left out later).
    warnings
        Sentences in Bahasa Indonesia.
    """

    file: str
    data: pd.DataFrame
    columns: dict[str, str]
    identity: str
    empty: dict[str, int]
    warnings: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        return (f"EppgbmRecords(file={self.file!r}, n={len(self.data)}, identity={self.identity!r}, "
                f"columns={sorted(self.columns)})")


def _base_name(path: Path, display_name: str | None) -> str:
    return PurePosixPath(str(display_name or path.name).replace("\\", "/")).name


def _codes(series: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Factorised text: parse the few distinct values once, map back by code."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    return codes, pd.Index(uniques)


def _fail(message: str, file: str, column: str, rows: pd.Series, mask: np.ndarray | pd.Series) -> InputError:
    bad = np.asarray(mask, dtype=bool)
    return InputError(f"{int(bad.sum())} baris {message}", file=file, column=column,
                      rows=rows.to_numpy()[bad][:5].tolist())


def _parse_dates(text: pd.Series, file: str, column: str, rows: pd.Series, *, quote: bool) -> pd.Series:
    """dd/mm/yyyy (also ``-`` or ``.``), yyyy-mm-dd[ time], Excel serial -> datetime64; empty -> NaT."""
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
    bad_u = dates.isna().to_numpy()
    if bad_u.any():
        bad = (codes >= 0) & bad_u[np.maximum(codes, 0)]
        example = f", mis. '{u[bad_u].iloc[0]}'" if quote else ""
        raise _fail(f"berisi tanggal yang tidak terbaca{example}; gunakan dd/mm/yyyy.",
                    file, column, rows, bad)
    values = dates.to_numpy(dtype="datetime64[ns]")
    out = np.where(codes >= 0, values[np.maximum(codes, 0)] if len(values) else np.datetime64("NaT"),
                   np.datetime64("NaT"))
    return pd.Series(out.astype("datetime64[ns]"), index=text.index)


def _parse_number(text: pd.Series, file: str, column: str, rows: pd.Series, *, signed: bool) -> pd.Series:
    codes, uniques = _codes(text)
    try:
        values = to_number(pd.Series(uniques, dtype="string"), file=file, column=column).to_numpy()
    except InputError:
        to_number(text, file=file, column=column, rows=rows)  # re-raise with row numbers
        raise
    out = np.where(codes >= 0, values[np.maximum(codes, 0)] if len(values) else np.nan, np.nan)
    result = pd.Series(out.astype("float64"), index=text.index)
    if not signed:
        negative = (result < 0).to_numpy()
        if negative.any():
            raise _fail("berisi nilai negatif.", file, column, rows, negative)
    infinite = np.isinf(result.to_numpy())
    if infinite.any():
        raise _fail("berisi angka yang terlalu besar.", file, column, rows, infinite)
    return result


def _parse_coded(
    text: pd.Series, mapping: Mapping[str, float], file: str, column: str, rows: pd.Series, allowed: str
) -> np.ndarray:
    codes, uniques = _codes(text)
    u = pd.Series(uniques, dtype="string").str.upper().str.replace(r"\s+", " ", regex=True).str.strip()
    values = u.map(dict(mapping)).to_numpy(dtype="float64", na_value=np.nan)
    bad_u = np.isnan(values) & (u != "").to_numpy(dtype=bool, na_value=False)
    if bad_u.any():
        bad = (codes >= 0) & bad_u[np.maximum(codes, 0)]
        raise _fail(f"berisi nilai yang tidak dikenal, mis. '{u[bad_u].iloc[0]}'; gunakan {allowed}.",
                    file, column, rows, bad)
    return np.where(codes >= 0, values[np.maximum(codes, 0)] if len(values) else np.nan, np.nan)


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


def read_eppgbm(
    path: str | Path,
    *,
    display_name: str | None = None,
    today: date | None = None,
    columns: Mapping[str, str] | None = None,
    sheet: str | int | None = None,
) -> EppgbmRecords:
    """Read an e-PPGBM export (CSV or XLSX).

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

    Returns
    -------
    EppgbmRecords
        Without NIK or names.

    Raises
    ------
    InputError
        See the module docstring.
    """
    path = Path(path)
    file = _base_name(path, display_name)
    raw = read_table(path, display_name=file, sheet=sheet)
    headers = [c for c in raw.columns if c != "_row"]
    cols = detect_columns(headers, EPPGBM_ROLES, columns, file=file)
    missing = [_LABELS[r] for r in REQUIRED_ROLES if r not in cols]
    if missing:
        # The file's own headers are not listed: without a header row they would be a
        # child's NIK and name.
        raise InputError("kolom wajib tidak ditemukan: " + ", ".join(missing) + ". Baris pertama harus "
                         "berisi judul kolom ekspor e-PPGBM.", file=file, rows=missing)
    rows = raw["_row"]
    today = today or date.today()
    now = pd.Timestamp(today)

    def text(role: str) -> pd.Series:
        return raw[cols[role]].astype("string") if role in cols else pd.Series(
            pd.NA, index=raw.index, dtype="string")

    sex = _parse_coded(text("jk"), _SEX, file, cols["jk"], rows, "L atau P")
    lying = (_parse_coded(text("cara_ukur"), _LYING, file, cols["cara_ukur"], rows, "Telentang atau Berdiri")
             if "cara_ukur" in cols else np.full(len(raw), np.nan))
    birth = _parse_dates(text("tgl_lahir"), file, cols["tgl_lahir"], rows, quote=False)
    measured = _parse_dates(text("tgl_ukur"), file, cols["tgl_ukur"], rows, quote=True)
    height = _parse_number(text("tinggi"), file, cols["tinggi"], rows, signed=False)
    weight = (_parse_number(text("berat"), file, cols["berat"], rows, signed=False)
              if "berat" in cols else pd.Series(np.nan, index=raw.index))
    zs = (_parse_number(text("zs_tbu"), file, cols["zs_tbu"], rows, signed=True)
          if "zs_tbu" in cols else pd.Series(np.nan, index=raw.index))

    future_birth = (birth > now).to_numpy()
    if future_birth.any():
        raise _fail("berisi tanggal lahir di masa depan.", file, cols["tgl_lahir"], rows, future_birth)
    future = (measured > now).to_numpy()
    if future.any():
        raise _fail(f"berisi tanggal pengukuran di masa depan (setelah {today:%d/%m/%Y}).", file,
                    cols["tgl_ukur"], rows, future)
    before = (measured < birth).to_numpy()
    if before.any():
        raise _fail("berisi tanggal pengukuran sebelum tanggal lahir.", file, cols["tgl_ukur"], rows, before)

    sex_int = np.nan_to_num(sex, nan=0.0).astype(np.int8)
    child, identity = _child_key(raw, cols, sex_int, birth)
    age = ((measured - birth).dt.days).astype("float64")
    height = height.mask(height == 0)  # 0 is the usual placeholder for "not measured"
    data = pd.DataFrame({
        "_row": rows.astype("int64").to_numpy(),
        "child": child,
        "sex": sex_int,
        "tgl_lahir": birth.to_numpy(),
        "tgl_ukur": measured.to_numpy(),
        "umur_hari": age.to_numpy(),
        "tinggi": height.to_numpy(),
        "berat": weight.to_numpy(),
        "telentang": lying,
        "zs_export": zs.to_numpy(),
        "nama_kec": text("nama_kec").to_numpy(),  # read_table already stripped cells
        "nama_desa": text("nama_desa").to_numpy(),
        "posyandu": text("posyandu").to_numpy(),
    })
    for col in ("nama_kec", "nama_desa", "posyandu"):
        data[col] = data[col].astype("string")
    # ``raw`` (the only object holding NIK and names) is freed when this function returns.
    empty = {
        "jk": int((sex_int == 0).sum()),
        "tgl_lahir": int(data["tgl_lahir"].isna().sum()),
        "tgl_ukur": int(data["tgl_ukur"].isna().sum()),
        "tinggi": int(data["tinggi"].isna().sum()),
        "nama_desa": int(data["nama_desa"].isna().sum()),
    }
    notes: list[str] = []
    if identity == "none":
        notes.append("Tidak ada kolom NIK atau Nama: pengukuran ganda tidak bisa dikenali.")
    if "nama_kec" not in cols:
        notes.append("Tidak ada kolom kecamatan: desa dicocokkan dengan seluruh kabupaten.")
    if "cara_ukur" not in cols:
        notes.append("Tidak ada kolom Cara Ukur: koreksi 0,7 cm tidak diterapkan.")
    log.info("e-PPGBM read: %d records, identity=%s", len(data), identity)
    return EppgbmRecords(file=file, data=data, columns=dict(cols), identity=identity, empty=empty,
                         warnings=notes)


# ----------------------------------------------------------------------------- HAZ


def compute_haz(records: EppgbmRecords) -> pd.DataFrame:
    """The records with ``haz``, ``alasan`` (why no z-score) and ``implausible`` added.

    ``alasan`` codes: ``""`` (z-score computed), ``"jenis_kelamin"``, ``"umur"`` (date
    empty or age outside 0–1826 days), ``"tinggi"`` (height empty), ``"desa"`` (village
    empty), ``"implausible"`` (|HAZ| > 6).  Rows with a reason are not counted.
    """
    d = records.data
    z = haz(d["tinggi"].to_numpy(), d["umur_hari"].to_numpy(), d["sex"].to_numpy(), d["telentang"].to_numpy())
    reason = haz_invalid_reason(d["tinggi"].to_numpy(), d["umur_hari"].to_numpy(), d["sex"].to_numpy())
    implausible = np.isfinite(z) & (np.abs(z) > PLAUSIBLE_LIMIT)
    no_desa = d["nama_desa"].isna().to_numpy()
    reason = np.where((reason == "") & no_desa, "desa", reason)
    reason = np.where((reason == "") & implausible, "implausible", reason)
    out = d.copy()
    out["haz"] = z
    out["alasan"] = reason.astype(str)
    out["implausible"] = implausible
    return out


# ----------------------------------------------------------------------------- report


@dataclass(frozen=True, eq=False)
class EppgbmReport:
    """What happened to the records (counts and village names only; no personal data)."""

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

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {
            "file": self.file, "period": self.period, "identity": self.identity, "n_read": self.n_read,
            "n_empty": dict(self.n_empty), "n_age_out_of_range": self.n_age_out_of_range,
            "n_implausible": self.n_implausible, "n_duplicates_removed": self.n_duplicates_removed,
            "n_used": self.n_used, "n_with_export_z": self.n_with_export_z, "n_disagree": self.n_disagree,
            "disagree_limit": DISAGREE_LIMIT, "mean_difference": self.mean_difference,
            "unmatched_villages": [dict(v) for v in self.unmatched_villages],
            "match_counts": self.match_counts, "columns": dict(self.columns), "warnings": list(self.warnings),
        }

    def summary_lines(self) -> list[str]:
        """The report in Bahasa Indonesia, one sentence per line."""
        lines = [f"{self.n_read} baris pengukuran dibaca dari '{self.file}'."]
        empty = {k: v for k, v in self.n_empty.items() if v}
        if empty:
            lines.append("Baris dengan isian kosong (tidak dihitung): "
                         + ", ".join(f"{k} {v}" for k, v in empty.items()) + ".")
        if self.n_age_out_of_range:
            lines.append(f"{self.n_age_out_of_range} pengukuran di luar umur 0–{MAX_AGE_DAYS} hari "
                         "(0–60 bulan) tidak dihitung.")
        lines.append(f"{self.n_implausible} pengukuran tidak masuk akal (|z TB/U| > {PLAUSIBLE_LIMIT:g}) "
                     "tidak dihitung.")
        per = {"month": "per bulan", "year": "per tahun", "all": "seluruh periode"}[self.period]
        lines.append(f"{self.n_duplicates_removed} pengukuran ganda dihapus (satu pengukuran terakhir "
                     f"per anak {per}).")
        lines.append(f"{self.n_used} pengukuran dipakai untuk prevalensi.")
        if self.n_with_export_z:
            diff = ("" if self.mean_difference is None
                    else f"; rata-rata selisih {self.mean_difference:+.3f}".replace(".", ","))
            lines.append(f"{self.n_disagree} dari {self.n_with_export_z} z-skor berbeda lebih dari "
                         f"{DISAGREE_LIMIT:g} dari kolom ZS TB/U e-PPGBM{diff}.".replace("0.1", "0,1"))
        if self.unmatched_villages:
            names = ", ".join(f"{v['desa']} ({v['kecamatan']})" for v in self.unmatched_villages[:5])
            more = len(self.unmatched_villages) - 5
            lines.append(f"{len(self.unmatched_villages)} desa tidak cocok dengan peta: {names}"
                         + (f", dan {more} lainnya" if more > 0 else "") + ".")
        return lines + list(self.warnings)


@dataclass(frozen=True, eq=False)
class EppgbmResult:
    """Per-village stunting table and the report.

    ``villages`` columns: ``nama_kec``, ``nama_desa``, [``kode``, ``status_cocok``],
    [``tahun``], [``bulan``], ``anak_diukur``, ``pendek`` (−3 ≤ HAZ < −2),
    ``sangat_pendek`` (HAZ < −3), ``stunting``, ``prevalensi`` (%), ``n_implausible``,
    ``n_disagree_with_export``.
    """

    villages: pd.DataFrame
    report: EppgbmReport
    match: NameMatch | None = None

    def __repr__(self) -> str:
        return f"EppgbmResult(villages={len(self.villages)} rows, report={self.report.to_dict()!r})"


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

    ``n_rows`` of the result counts records.  Parameters as :func:`geo.matching.match_names`.
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


def aggregate(
    records: EppgbmRecords,
    *,
    period: Period = "month",
    match: NameMatch | None = None,
) -> EppgbmResult:
    """Per-village stunting counts from the records.

    Steps: z-scores (:func:`compute_haz`); records without a z-score or with
    ``|HAZ| > 6`` are left out; among the rest, one measurement per child per period is
    kept — the latest (ties: the later spreadsheet row), so a mis-typed measurement that
    was re-measured the same month does not hide the good one; then per village and
    period: children measured, pendek, sangat pendek, prevalence, implausible records and
    disagreements with the export's ZS TB/U (``|diff| > 0.1``, kept records only).

    Parameters
    ----------
    records
        From :func:`read_eppgbm`.
    period
        ``"month"`` (per calendar month of measurement, the e-PPGBM *bulan timbang*),
        ``"year"`` or ``"all"``.
    match
        Name match (:func:`match_villages`); villages then carry ``kode`` and matched
        villages are grouped by code.  Without it villages are grouped by their names.
    """
    if period not in ("month", "year", "all"):
        raise ValueError(f"period must be month, year or all, got {period!r}")
    z = compute_haz(records)
    n = len(z)
    year = z["tgl_ukur"].dt.year.to_numpy(dtype="float64", na_value=np.nan)
    month = z["tgl_ukur"].dt.month.to_numpy(dtype="float64", na_value=np.nan)
    per_key = {"month": year * 100 + month, "year": year, "all": np.zeros(n)}[period]
    per_key = np.nan_to_num(per_key, nan=-1).astype(np.int64)

    # Village key: matched code, else the upper-case names (computed on distinct pairs).
    pair_codes, pair_uniques = pd.MultiIndex.from_arrays([z["nama_kec"], z["nama_desa"]]).factorize()
    u_kec = _spaced(pd.Series(pair_uniques.get_level_values(0), dtype="string")).fillna("")
    u_desa = _spaced(pd.Series(pair_uniques.get_level_values(1), dtype="string")).fillna("")
    kec_sp = pd.Series(u_kec.to_numpy(dtype=object)[pair_codes], dtype=object)
    desa_sp = pd.Series(u_desa.to_numpy(dtype=object)[pair_codes], dtype=object)
    if match is not None:
        lut = match.pairs.assign(k=_spaced(match.pairs["kecamatan"]).fillna(""),
                                 d=_spaced(match.pairs["desa"]).fillna(""))
        lut = lut.drop_duplicates(["k", "d"]).set_index(["k", "d"])
        pos = lut.index.get_indexer(pd.MultiIndex.from_arrays([kec_sp, desa_sp]))
        found = pos >= 0
        kode = np.where(found, lut["kode"].to_numpy(dtype=object)[np.maximum(pos, 0)], None)
        status = np.where(found, lut["status"].to_numpy(dtype=object)[np.maximum(pos, 0)], "unmatched")
        b_kec = np.where(found, lut["nama_kec"].to_numpy(dtype=object)[np.maximum(pos, 0)], None)
        b_desa = np.where(found, lut["nama"].to_numpy(dtype=object)[np.maximum(pos, 0)], None)
        kode = pd.Series(kode, dtype="string")
        village = kode.where(kode.notna(), "N|" + kec_sp + "|" + desa_sp)
    else:
        kode = status = b_kec = b_desa = None
        village = "N|" + kec_sp + "|" + desa_sp
    v_codes, v_uniques = pd.factorize(village)

    usable = (z["alasan"] == "").to_numpy()
    implausible = z["implausible"].to_numpy()
    # Latest usable measurement per child and period.
    idx = np.flatnonzero(usable)
    order = np.lexsort((z["_row"].to_numpy()[idx], z["tgl_ukur"].to_numpy()[idx].astype("int64"),
                        per_key[idx], z["child"].to_numpy()[idx]))
    sorted_idx = idx[order]
    child_s = z["child"].to_numpy()[sorted_idx]
    per_s = per_key[sorted_idx]
    last = np.ones(len(sorted_idx), dtype=bool)
    if len(sorted_idx) > 1:
        last[:-1] = (child_s[1:] != child_s[:-1]) | (per_s[1:] != per_s[:-1])
    kept = np.zeros(n, dtype=bool)
    kept[sorted_idx[last]] = True

    h = z["haz"].to_numpy()
    zs = z["zs_export"].to_numpy()
    with np.errstate(invalid="ignore"):
        pendek = kept & (h >= -3) & (h < -2)
        sangat = kept & (h < -3)
        has_zs = kept & np.isfinite(zs)
        disagree = has_zs & (np.abs(h - zs) > DISAGREE_LIMIT)

    frame = pd.DataFrame({
        "v": v_codes, "p": per_key, "anak_diukur": kept, "pendek": pendek, "sangat_pendek": sangat,
        "n_implausible": implausible, "n_disagree_with_export": disagree,
    })
    relevant = kept | implausible  # villages/periods that appear in the table
    counts = frame.loc[relevant].groupby(["v", "p"], sort=True).sum().astype("int64").reset_index()
    counts["stunting"] = counts["pendek"] + counts["sangat_pendek"]
    with np.errstate(invalid="ignore", divide="ignore"):
        prev = np.where(counts["anak_diukur"] > 0, counts["stunting"] / counts["anak_diukur"] * 100, np.nan)
    counts["prevalensi"] = np.round(prev, 1)

    first = pd.Series(np.arange(n)).groupby(v_codes).first()
    vi = first.reindex(counts["v"]).to_numpy()
    out = pd.DataFrame(index=counts.index)
    if match is not None:
        assert kode is not None and b_kec is not None and b_desa is not None and status is not None
        matched = kode.to_numpy(dtype=object)[vi]
        has = pd.notna(matched)
        out["nama_kec"] = np.where(has, b_kec[vi], kec_sp.to_numpy(dtype=object)[vi])
        out["nama_desa"] = np.where(has, b_desa[vi], desa_sp.to_numpy(dtype=object)[vi])
        out["kode"] = pd.array(matched, dtype="string")
        out["status_cocok"] = status[vi]
    else:
        out["nama_kec"] = kec_sp.to_numpy(dtype=object)[vi]
        out["nama_desa"] = desa_sp.to_numpy(dtype=object)[vi]
    out["nama_kec"] = out["nama_kec"].astype("string").replace("", pd.NA)
    out["nama_desa"] = out["nama_desa"].astype("string")
    if period in ("month", "year"):
        out["tahun"] = (counts["p"] // (100 if period == "month" else 1)).astype("int64")
    if period == "month":
        out["bulan"] = (counts["p"] % 100).astype("int64")
    for col in ("anak_diukur", "pendek", "sangat_pendek", "stunting", "prevalensi", "n_implausible",
                "n_disagree_with_export"):
        out[col] = counts[col].to_numpy()
    sort_cols = [c for c in ("nama_kec", "nama_desa", "tahun", "bulan") if c in out]
    out = out.sort_values(sort_cols, na_position="last", kind="stable").reset_index(drop=True)

    reasons = z["alasan"]
    unmatched: list[dict[str, Any]] = []
    if match is not None:
        um = match.pairs.loc[match.pairs["kode"].isna() & match.pairs["desa"].notna()]
        unmatched = [{"kecamatan": None if pd.isna(r.kecamatan) else str(r.kecamatan), "desa": str(r.desa),
                      "n_records": int(r.n_rows), "status": str(r.status), "reason": str(r.reason)}
                     for r in um.itertuples(index=False)]
    diffs = (h - zs)[has_zs]
    report = EppgbmReport(
        file=records.file,
        period=period,
        identity=records.identity,
        n_read=n,
        n_empty=dict(records.empty),
        n_age_out_of_range=int(((reasons == "umur") & z["umur_hari"].notna()).sum()),
        n_implausible=int(implausible.sum()),
        n_duplicates_removed=int(usable.sum() - kept.sum()),
        n_used=int(kept.sum()),
        n_with_export_z=int(has_zs.sum()),
        n_disagree=int(disagree.sum()),
        mean_difference=round(float(diffs.mean()), 4) if len(diffs) else None,
        unmatched_villages=unmatched,
        match_counts=match.counts() if match is not None else None,
        columns=dict(records.columns),
        warnings=list(records.warnings) + ([] if match is None else match.notes),
    )
    log.info("e-PPGBM aggregated: %d used, %d duplicates, %d implausible, %d villages",
             report.n_used, report.n_duplicates_removed, report.n_implausible, len(v_uniques))
    return EppgbmResult(villages=out, report=report, match=match)


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
) -> pd.DataFrame:
    """A clearly synthetic e-PPGBM export (all text, as the export looks), for demos and tests.

    NIKs start with ``99`` (no such province) and names read ``ANAK SINTETIS <n>``, so
    the file can never be mistaken for real data.  Heights are drawn from the WHO
    standard shifted to a mean HAZ of −1 (SD 1.1), measured lying under 24 months and
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
    z_true = rng.normal(-1.0, 1.1, n_child)[child] + np.where(is_dup, rng.normal(0, 0.05, n), 0.0)
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
