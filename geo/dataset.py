"""A dataset: village boundaries joined with a table of counts, loaded once, read-only.

A dataset lives in a folder with a ``dataset.json`` manifest naming its files,
title, attribution and caveats. The embedded default (Kabupaten Sumedang) is one
such folder under the data directory.

Coverage tables (intervention coverage, DOMAIN §4.2–4.4) are optional extra wide
tables, one row per village (and year), one column per coverage indicator of the
catalogue. Manifest key::

    "coverage": [{"file": "cakupan.csv", "year": 2021, "synthetic": true, "title": "..."}]

A ``tahun`` column in the file overrides ``year``. Indicator columns are found by
catalogue id or by catalogue label (both compared with
:func:`geo.schema.normalise_name`). Each column is either percent (0–100) or a share
(0–1): a column whose values are all ≤ 1 is read as a share and multiplied by 100;
the decision is stated in :attr:`Dataset.coverage_notes`. Values outside 0–100
after that are an :class:`InputError`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.codes import normalise_codes, village_type
from geo.errors import InputError
from geo.indicators import (
    Indicator,
    IndicatorValues,
    available_indicators,
    base_id,
    catalogue,
    compute,
    compute_delta,
    delta_indicator,
    derive_fields,
    is_delta,
)
from geo.join import JoinReport, join_table
from geo.matching import NameMatch, load_crosswalk, match_names, name_matching_reason
from geo.readers import BoundaryFile, read_boundaries, read_table, to_number
from geo.schema import MEASURE_ROLES, TABLE_ROLES, detect_columns, normalise_name

__all__ = [
    "DEFAULT_DATASET",
    "CoverageSpec",
    "Dataset",
    "coverage_specs",
    "embedded_data_dir",
    "load_coverage",
    "load_dataset",
    "load_folder",
    "load_inputs",
    "load_manifest",
    "region_names",
]


@dataclass(frozen=True)
class CoverageSpec:
    """One coverage table to load.

    Attributes
    ----------
    file
        CSV or XLSX, one row per village (and year).
    year
        Year of the values when the file has no ``tahun`` column.
    synthetic
        The values are synthetic (demo only); shown as "SINTETIS" everywhere.
    title
        Human title (e.g. "Cakupan intervensi (SINTETIS, untuk demonstrasi)").
    """

    file: Path
    year: int | None = None
    synthetic: bool = False
    title: str = ""

DEFAULT_DATASET = "sumedang"
MANIFEST = "dataset.json"


@dataclass(frozen=True)
class Dataset:
    """Villages (polygons) with their measures per year, plus how the join went.

    Attributes
    ----------
    villages
        EPSG:4326 GeoDataFrame, one row per village: ``kode``, ``nama``,
        ``nama_kec``, ``kode_kec``, ``jenis``, ``geometry``; index 0..n-1.
    measures
        Long table: ``kode``, ``tahun`` and one float column per measure field
        (``merah``, ``anak_diukur``, ...). Only rows that matched a polygon.
    coverage
        Long table: ``kode``, ``tahun`` and one float column (percent 0–100) per
        coverage indicator id; empty (just ``kode``, ``tahun``) without coverage files.
    coverage_sources
        The coverage tables loaded (file, year, synthetic flag, title).
    coverage_reports
        Join report of each coverage table (same order).
    coverage_notes
        What was detected per column (percent vs share, ignored columns).
    name_match
        How the table's villages were matched by name when it had no usable Kemendagri
        codes (BPS codes, none, or mangled); None when its codes were joined directly.
    """

    id: str
    title: str
    villages: gpd.GeoDataFrame
    measures: pd.DataFrame
    report: JoinReport
    boundary_file: BoundaryFile
    attribution: str = ""
    caveats: tuple[str, ...] = ()
    synthetic: bool = False
    quality: tuple[str, ...] = field(default=())
    coverage: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        {"kode": pd.Series(dtype=object), "tahun": pd.Series(dtype="int64")}))
    coverage_sources: tuple[CoverageSpec, ...] = ()
    coverage_reports: tuple[JoinReport, ...] = ()
    coverage_notes: tuple[str, ...] = ()
    name_match: NameMatch | None = None

    @property
    def coverage_report(self) -> JoinReport | None:
        """Join report of the first coverage table (None without coverage)."""
        return self.coverage_reports[0] if self.coverage_reports else None

    @property
    def coverage_synthetic(self) -> bool:
        """True when any coverage table loaded is synthetic."""
        return any(c.synthetic for c in self.coverage_sources)

    @cached_property
    def codes(self) -> pd.Index:
        """Village codes in boundary order."""
        return pd.Index(self.villages["kode"])

    @property
    def years(self) -> list[int]:
        """Years with data, ascending."""
        return sorted(int(y) for y in self.measures["tahun"].unique())

    @property
    def coverage_years(self) -> list[int]:
        """Years with coverage data, ascending."""
        return sorted(int(y) for y in self.coverage["tahun"].unique())

    @property
    def indicators(self) -> list[Indicator]:
        """Catalogue indicators this dataset can compute (counts, rates, coverage).

        Derived ``__delta`` indicators are not listed here (they depend on the year):
        see :meth:`delta_indicators` and :meth:`scoring_indicators`.
        """
        fields = (frozenset(self.measures.columns) | frozenset(self.coverage.columns)) - {"kode", "tahun"}
        return available_indicators(fields)

    def _table(self, indicator: Indicator) -> pd.DataFrame:
        return self.coverage if indicator.kind == "coverage" else self.measures

    def indicator_years(self, indicator_id: str) -> list[int]:
        """Years in which an indicator has a value for at least one village.

        For a ``__delta`` id: the years of its base that have an earlier year with data.
        """
        if is_delta(indicator_id):
            years = self.indicator_years(base_id(indicator_id))
            return years[1:]
        ind = self._catalogue_indicator(indicator_id)
        table = self._table(ind)
        if not set(ind.fields) <= set(table.columns):
            return []
        present = table[list(ind.fields)].notna().all(axis=1)
        return sorted(int(y) for y in table.loc[present, "tahun"].unique())

    def previous_year(self, indicator_id: str, year: int) -> int | None:
        """The latest year before ``year`` in which the (base) indicator has data."""
        earlier = [y for y in self.indicator_years(base_id(indicator_id)) if y < year]
        return earlier[-1] if earlier else None

    def _catalogue_indicator(self, indicator_id: str) -> Indicator:
        try:
            return catalogue()[indicator_id]
        except KeyError:
            raise InputError(f"indikator '{indicator_id}' tidak ada di katalog") from None

    def indicator(self, indicator_id: str, year: int | None = None) -> Indicator:
        """Catalogue entry of an id; for ``__delta`` ids the derived entry for ``year``.

        Raises
        ------
        InputError
            Unknown id, or a ``__delta`` id with no earlier year of data.
        """
        if not is_delta(indicator_id):
            return self._catalogue_indicator(indicator_id)
        base = self._catalogue_indicator(base_id(indicator_id))
        if year is None:
            year = max(self.indicator_years(base.id), default=0)
        prev = self.previous_year(base.id, year)
        if prev is None:
            raise InputError(f"'{indicator_id}': tidak ada tahun sebelum {year} untuk dibandingkan")
        return delta_indicator(base, prev)

    def delta_indicators(self, year: int) -> list[Indicator]:
        """``__delta`` indicators available for ``year`` (non-context bases with an earlier year)."""
        out = []
        for ind in self.indicators:
            if ind.direction == "context" or year not in self.indicator_years(ind.id):
                continue
            prev = self.previous_year(ind.id, year)
            if prev is not None:
                out.append(delta_indicator(ind, prev))
        return out

    def scoring_indicators(self, year: int) -> list[Indicator]:
        """Indicators that can be scored for ``year``: non-context indicators with data
        that year, then the ``__delta`` ones."""
        base = [i for i in self.indicators
                if i.direction != "context" and year in self.indicator_years(i.id)]
        return base + self.delta_indicators(year)

    def values(self, indicator_id: str, year: int) -> IndicatorValues:
        """Values of an indicator (incl. coverage and ``__delta`` ids) for a year,
        aligned to :attr:`villages`."""
        if is_delta(indicator_id):
            base = self._catalogue_indicator(base_id(indicator_id))
            prev = self.previous_year(base.id, year)
            if prev is None:
                raise InputError(f"'{indicator_id}': tidak ada tahun sebelum {year} untuk dibandingkan")
            return compute_delta(base, self._table(base), self.codes, year, prev)
        ind = self._catalogue_indicator(indicator_id)
        return compute(ind, self._table(ind), self.codes, year)

    @cached_property
    def kecamatan(self) -> pd.DataFrame:
        """Kecamatan code and name, sorted by name."""
        kec = self.villages[["kode_kec", "nama_kec"]].drop_duplicates("kode_kec")
        return kec.sort_values("nama_kec").reset_index(drop=True)


def load_manifest(folder: Path) -> dict:
    """Read a dataset folder's manifest."""
    path = folder / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"manifes dataset tidak dapat dibaca ({exc.__class__.__name__})",
                         file=path.name) from None


def region_names(data_dir: Path) -> dict[str, str]:
    """Kemendagri code → name, from the shipped 2025 code list (empty if absent)."""
    path = data_dir / "region-codes" / "kemendagri_wilayah_2025_cahyadsn.csv"
    if not path.exists():
        return {}
    table = pd.read_csv(path, dtype=str, usecols=["kode", "nama"])
    return dict(zip(table["kode"], table["nama"], strict=True))


def _measures(table: pd.DataFrame, columns: dict[str, str], file: str) -> pd.DataFrame:
    """Numeric measure fields from the detected table columns, validated."""
    out = pd.DataFrame({"kode": table["kode"], "_row": table["_row"]})
    if "tahun" in columns:
        years = to_number(table[columns["tahun"]], file=file, column=columns["tahun"],
                          rows=table["_row"])
        bad = years.isna() | (years % 1 != 0) | (years < 1990) | (years > 2100)
        if bad.any():
            raise InputError("tahun harus bilangan bulat antara 1990 dan 2100", file=file,
                             column=columns["tahun"], rows=table.loc[bad, "_row"].tolist())
        out["tahun"] = years.astype(int)
    for role in MEASURE_ROLES:
        if role not in columns:
            continue
        col = columns[role]
        values = to_number(table[col], file=file, column=col, rows=table["_row"])
        negative = values < 0
        if negative.any():
            raise InputError("jumlah tidak boleh negatif", file=file, column=col,
                             rows=table.loc[negative, "_row"].tolist())
        out[role] = values
    return out


def _consistency(rows: pd.DataFrame, columns: dict[str, str], file: str) -> list[str]:
    """Rows where a rate's numerator exceeds its denominator (e.g. stunted > measured),
    naming the file, both columns and the first spreadsheet rows; those rates are shown as
    no data there rather than rejecting the whole table."""
    notes = []
    for ind in catalogue().values():
        if ind.is_rate and set(ind.fields) <= set(rows):
            bad = rows[ind.numerator] > rows[ind.denominator]
            if bad.any():
                first = ", ".join(str(r) for r in rows.loc[bad, "_row"].head(5))
                num, den = (columns.get(f, f) for f in (ind.numerator, ind.denominator))
                notes.append(
                    f"Berkas '{file}': {int(bad.sum())} baris dengan kolom '{num}' > '{den}' "
                    f"(baris {first}); '{ind.label_id}' dianggap tanpa data di sana."
                )
    return notes


_ID_ROLES = {k: TABLE_ROLES[k] for k in ("kode", "kode_bps", "nama_desa", "nama_kec", "tahun")}


def _coverage_columns(columns: Sequence[str]) -> dict[str, str]:
    """Column → coverage indicator id, matched by id or label (normalised names)."""
    names: dict[str, str] = {}
    for ind in catalogue().values():
        if ind.kind == "coverage":
            for text in (ind.id, ind.label_id, ind.label_en):
                names.setdefault(normalise_name(text), ind.id)
    out: dict[str, str] = {}
    for col in columns:
        cid = names.get(normalise_name(col))
        if cid is not None and cid not in out.values():
            out[col] = cid
    return out


def load_coverage(
    villages: gpd.GeoDataFrame, spec: CoverageSpec, *, boundary_file: str = ""
) -> tuple[pd.DataFrame, JoinReport, list[str]]:
    """Read one coverage table and join it to the villages.

    Returns
    -------
    (coverage, report, notes)
        Long table ``kode``, ``tahun``, one percent column per indicator id (matched
        rows only), the join report and notes on what was detected.

    Raises
    ------
    InputError
        No code column, no year, no recognised indicator column, non-numeric
        values, or values outside 0–100 % (naming file, column and first rows).
    """
    file = Path(spec.file).name
    raw = read_table(spec.file)
    columns = [c for c in raw.columns if c != "_row"]
    ids = detect_columns(columns, _ID_ROLES, file=file)
    if "kode" not in ids:
        raise InputError("tidak ada kolom kode desa Kemendagri", file=file)
    rest = [c for c in columns if c not in ids.values()]
    found = _coverage_columns(rest)
    if not found:
        raise InputError("tidak ada kolom cakupan yang dikenali (id atau label katalog indikator, "
                         "mis. sp_asi_eksklusif, se_sanitasi, sc_jamban)", file=file)
    notes = [f"{file}: kolom '{c}' tidak dikenali, diabaikan" for c in rest if c not in found]
    out = pd.DataFrame({"kode": normalise_codes(raw[ids["kode"]]), "_row": raw["_row"]})
    if "nama_desa" in ids:
        out["nama_desa"] = raw[ids["nama_desa"]]
    if "tahun" in ids:
        years = to_number(raw[ids["tahun"]], file=file, column=ids["tahun"], rows=raw["_row"])
        bad = years.isna() | (years % 1 != 0) | (years < 1990) | (years > 2100)
        if bad.any():
            raise InputError("tahun harus bilangan bulat antara 1990 dan 2100", file=file,
                             column=ids["tahun"], rows=raw.loc[bad, "_row"].tolist())
        out["tahun"] = years.astype(int)
    elif spec.year is not None:
        out["tahun"] = int(spec.year)
    else:
        raise InputError("tabel cakupan tidak punya kolom tahun; sebutkan tahunnya", file=file)
    for col, cid in found.items():
        values = to_number(raw[col], file=file, column=col, rows=raw["_row"])
        present = values.dropna()
        if present.empty:
            notes.append(f"{file}: kolom '{col}' ({cid}) kosong")
        elif (present.abs() <= 1).all():
            values = values * 100.0
            notes.append(f"{file}: kolom '{col}' ({cid}) berisi proporsi 0–1, diubah ke persen")
        else:
            notes.append(f"{file}: kolom '{col}' ({cid}) berisi persen 0–100")
        bad = (values < 0) | (values > 100)
        if bad.any():
            raise InputError("nilai cakupan harus persen 0–100 atau proporsi 0–1", file=file,
                             column=col, rows=raw.loc[bad, "_row"].tolist())
        out[cid] = values
    matched, report = join_table(villages, out, table_file=file, boundary_file=boundary_file)
    keep = ["kode", "tahun", *found.values()]
    return matched[keep].reset_index(drop=True), report, notes


def _merge_coverage(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Combine coverage tables; for a cell given in several files the first file wins."""
    if not frames:
        return pd.DataFrame({"kode": pd.Series(dtype=object), "tahun": pd.Series(dtype="int64")})
    both = pd.concat(frames, ignore_index=True)
    merged = both.groupby(["kode", "tahun"], sort=True).first().reset_index()
    value_cols = [c for c in merged.columns if c not in ("kode", "tahun")]
    merged[value_cols] = merged[value_cols].astype(float)
    return merged


def load_dataset(
    boundaries: Path,
    table: Path,
    *,
    dataset_id: str,
    title: str,
    data_dir: Path | None = None,
    boundary_columns: dict[str, str] | None = None,
    table_columns: dict[str, str] | None = None,
    default_year: int | None = None,
    attribution: str = "",
    caveats: tuple[str, ...] = (),
    synthetic: bool = False,
    coverage: Sequence[CoverageSpec] = (),
    crosswalk: pd.DataFrame | None = None,
) -> Dataset:
    """Read, validate and join a boundary file, a table and coverage tables into a :class:`Dataset`.

    A synthetic coverage table adds a caveat saying so (shown wherever caveats are). A table
    without usable Kemendagri codes (BPS codes, none, or mangled beyond repair) is matched
    by (kecamatan, desa) names within the kecamatan (:func:`geo.matching.match_names`),
    with the planner's saved decisions (``crosswalk``) applied first; rows left unmatched
    are reported, never guessed.

    Raises
    ------
    InputError
        For anything wrong with either file; nothing partial is returned.
    """
    bfile = read_boundaries(boundaries, overrides=boundary_columns)
    if bfile.code_system == "bps":
        raise InputError(
            "kode desa pada batas wilayah adalah kode BPS, bukan kode Kemendagri; "
            "penggabungan memerlukan kode Kemendagri (PP.KK.CC.DDDD)",
            file=boundaries.name, column=bfile.columns.get("kode"))
    villages = bfile.gdf.copy()
    names = region_names(data_dir) if data_dir else {}
    missing_kec = villages["nama_kec"].isna()
    if missing_kec.any():
        villages.loc[missing_kec, "nama_kec"] = villages.loc[missing_kec, "kode_kec"].map(names)
        villages["nama_kec"] = villages["nama_kec"].fillna(villages["kode_kec"])
    villages["jenis"] = villages["kode"].map(village_type)

    raw = read_table(table)
    columns = detect_columns([c for c in raw.columns if c != "_row"], TABLE_ROLES,
                             table_columns, file=table.name)
    if not set(columns) & set(MEASURE_ROLES):
        raise InputError("tidak ada kolom jumlah yang dikenali (mis. balita_diukur, stunting, "
                         "merah, ibu_hamil_kek)", file=table.name)
    name_match = _match_by_name(raw, columns, villages, crosswalk, file=table.name)
    raw["kode"] = (normalise_codes(raw[columns["kode"]]) if name_match is None
                   else name_match.kode.to_numpy())
    if "nama_desa" in columns:
        raw["nama_desa"] = raw[columns["nama_desa"]]
    measures = _measures(raw, columns, table.name)
    if "tahun" not in measures:
        if default_year is None:
            raise InputError("tabel tidak punya kolom tahun; sebutkan tahunnya", file=table.name)
        measures["tahun"] = default_year
    if "nama_desa" in raw:
        measures["nama_desa"] = raw["nama_desa"]
    matched, report = join_table(villages, measures, table_file=table.name,
                                 boundary_file=boundaries.name)
    if name_match is not None:
        report = replace(report, name_matching=name_match.summary_lines())
    fields = [c for c in matched.columns if c in MEASURE_ROLES]
    measures = derive_fields(matched[["kode", "tahun", *fields]].reset_index(drop=True))

    frames, reports, notes = [], [], []
    for spec in coverage:
        frame, rep, note = load_coverage(villages, spec, boundary_file=boundaries.name)
        frames.append(frame)
        reports.append(rep)
        notes.extend(note)
        if spec.synthetic:
            caveats = (*caveats, f"Data cakupan intervensi '{spec.title or Path(spec.file).name}' adalah "
                       "SINTETIS (dibuat untuk demonstrasi), bukan data nyata.")
    return Dataset(
        id=dataset_id,
        title=title,
        villages=villages,
        measures=measures,
        report=report,
        boundary_file=bfile,
        attribution=attribution,
        caveats=caveats,
        synthetic=synthetic,
        quality=tuple(bfile.warnings) + tuple(_consistency(matched, columns, table.name)),
        coverage=_merge_coverage(frames),
        coverage_sources=tuple(coverage),
        coverage_reports=tuple(reports),
        coverage_notes=tuple(notes),
        name_match=name_match,
    )


def _match_by_name(raw: pd.DataFrame, columns: dict[str, str], villages: pd.DataFrame,
                   crosswalk: pd.DataFrame | None, *, file: str) -> NameMatch | None:
    """Name match of the table's rows when its codes are unusable; None when they are usable."""
    probe = columns.get("kode") or columns.get("kode_bps")
    reason = name_matching_reason(raw[probe] if probe else None, villages["kode"].tolist())
    if reason is None and "kode" in columns:
        return None
    if reason is None:  # a "BPS" column that holds Kemendagri codes: still not joined by code
        reason = name_matching_reason(None)
    if "nama_desa" not in columns:
        raise InputError("tidak ada kolom kode desa Kemendagri yang dapat dipakai, dan tidak ada "
                         "kolom nama desa untuk mencocokkan lewat nama", file=file,
                         column=probe)
    kec = raw[columns["nama_kec"]] if "nama_kec" in columns else None
    return match_names(kec, raw[columns["nama_desa"]], villages[["kode", "nama", "nama_kec"]],
                       crosswalk=crosswalk, reason=reason)


def load_folder(folder: Path, *, data_dir: Path | None = None) -> Dataset:
    """Load a dataset folder described by its ``dataset.json`` manifest."""
    meta = load_manifest(folder)
    return load_dataset(
        folder / meta["boundaries"],
        folder / meta["table"],
        dataset_id=folder.name,
        title=meta.get("title", folder.name),
        data_dir=data_dir,
        boundary_columns=meta.get("boundary_columns"),
        table_columns=meta.get("table_columns"),
        attribution=meta.get("attribution", ""),
        caveats=tuple(meta.get("caveats", ())),
        synthetic=bool(meta.get("synthetic", False)),
        coverage=coverage_specs(meta, folder),
        crosswalk=load_crosswalk(folder / meta["crosswalk"]) if meta.get("crosswalk") else None,
    )


def coverage_specs(meta: dict, folder: Path) -> tuple[CoverageSpec, ...]:
    """Coverage tables named in a manifest (files relative to the dataset folder)."""
    return tuple(
        CoverageSpec(file=folder / item["file"], year=item.get("year"),
                     synthetic=bool(item.get("synthetic", False)), title=item.get("title", ""))
        for item in meta.get("coverage", ())
    )


def load_mapping(path: Path) -> dict[str, dict[str, str]]:
    """Column overrides from a JSON mapping file (keys ``boundary_columns``, ``table_columns``)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"berkas pemetaan kolom tidak dapat dibaca ({exc.__class__.__name__})",
                         file=path.name) from None
    if not isinstance(doc, dict) or not all(
            isinstance(doc.get(k, {}), dict) for k in ("boundary_columns", "table_columns")):
        raise InputError("pemetaan kolom harus berisi objek 'boundary_columns' dan/atau "
                         "'table_columns' (peran → nama kolom)", file=path.name)
    return {k: {str(r): str(c) for r, c in doc.get(k, {}).items()}
            for k in ("boundary_columns", "table_columns")}


def default_state_dir() -> Path:
    """Where Lokus keeps its working state (database, saved datasets, uploads):
    ``LOKUS_STATE_DIR``, else ``var/`` beside app.py. The app, ``lokus import`` and
    ``lokus export`` all use this one place."""
    return Path(os.environ.get("LOKUS_STATE_DIR") or Path(__file__).resolve().parents[1] / "var")


def embedded_data_dir() -> Path:
    """The embedded data folder shipped with Lokus (``LOKUS_DATA_DIR`` overrides it)."""
    return Path(os.environ.get("LOKUS_DATA_DIR") or Path(__file__).resolve().parents[1] / "data")


def load_inputs(boundaries: str | Path | None = None, table: str | Path | None = None, *,
                coverage: str | Path | None = None, year: int | None = None,
                mapping: str | Path | None = None) -> Dataset:
    """Dataset from the given files, each falling back to the embedded default dataset
    (so a table alone joins to the embedded boundaries). Used by the command line.

    ``mapping`` is a JSON file overriding column detection:
    ``{"boundary_columns": {"kode": "KDEPUM", ...}, "table_columns": {"kode": "...", ...}}``.
    """
    data_dir = embedded_data_dir()
    folder = data_dir / DEFAULT_DATASET
    meta = load_manifest(folder)
    boundary_path = Path(boundaries) if boundaries else folder / meta["boundaries"]
    table_path = Path(table) if table else folder / meta["table"]
    if coverage:
        specs: tuple[CoverageSpec, ...] = (CoverageSpec(Path(coverage), year=year),)
    elif not table:
        specs = coverage_specs(meta, folder)
    else:
        specs = ()
    for path in (boundary_path, table_path, *(c.file for c in specs)):
        if not Path(path).is_file():
            raise InputError("berkas tidak ditemukan", file=Path(path).name)
    embedded = not boundaries and not table
    overrides = load_mapping(Path(mapping)) if mapping else {}
    return load_dataset(
        boundary_path, table_path, dataset_id="cli",
        title=meta.get("title", "") if embedded else table_path.stem,
        data_dir=data_dir,
        boundary_columns=overrides.get("boundary_columns") or (
            meta.get("boundary_columns") if not boundaries else None),
        table_columns=overrides.get("table_columns") or (
            meta.get("table_columns") if not table else None),
        default_year=year,
        attribution=meta.get("attribution", "") if embedded else "",
        caveats=tuple(meta.get("caveats", ())) if embedded else (),
        coverage=specs,
    )
