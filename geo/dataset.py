"""A dataset: village boundaries joined with a table of counts, loaded once, read-only.

A dataset lives in a folder with a ``dataset.json`` manifest naming its files,
title, attribution and caveats. The embedded default (Kabupaten Sumedang) is one
such folder under the data directory.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
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
    catalogue,
    compute,
    derive_fields,
)
from geo.join import JoinReport, join_table
from geo.readers import BoundaryFile, read_boundaries, read_table, to_number
from geo.schema import MEASURE_ROLES, TABLE_ROLES, detect_columns

__all__ = ["DEFAULT_DATASET", "Dataset", "load_dataset", "load_folder", "load_manifest", "region_names"]

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

    @cached_property
    def codes(self) -> pd.Index:
        """Village codes in boundary order."""
        return pd.Index(self.villages["kode"])

    @property
    def years(self) -> list[int]:
        """Years with data, ascending."""
        return sorted(int(y) for y in self.measures["tahun"].unique())

    @property
    def indicators(self) -> list[Indicator]:
        """Catalogue indicators this dataset can compute."""
        return available_indicators(frozenset(self.measures.columns) - {"kode", "tahun"})

    def values(self, indicator_id: str, year: int) -> IndicatorValues:
        """Values of an indicator for a year, aligned to :attr:`villages`."""
        return compute(catalogue()[indicator_id], self.measures, self.codes, year)

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


def _consistency(measures: pd.DataFrame) -> list[str]:
    """Rows where a rate's numerator exceeds its denominator (shown as no data)."""
    notes = []
    for ind in catalogue().values():
        if ind.is_rate and set(ind.fields) <= set(measures):
            bad = measures[ind.numerator] > measures[ind.denominator]
            if bad.any():
                notes.append(
                    f"{int(bad.sum())} baris: {ind.numerator} > {ind.denominator}; "
                    f"'{ind.label_id}' dianggap tanpa data di sana "
                    f"(kode pertama: {', '.join(measures.loc[bad, 'kode'].head(3))})"
                )
    return notes


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
) -> Dataset:
    """Read, validate and join a boundary file and a table into a :class:`Dataset`.

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
    if "kode" not in columns:
        hint = " (ada kolom kode BPS; cocokkan lewat nama desa)" if "kode_bps" in columns else ""
        raise InputError("tidak ada kolom kode desa Kemendagri" + hint, file=table.name)
    if not set(columns) & set(MEASURE_ROLES):
        raise InputError("tidak ada kolom jumlah yang dikenali (mis. balita_diukur, stunting, "
                         "merah, ibu_hamil_kek)", file=table.name)
    raw["kode"] = normalise_codes(raw[columns["kode"]])
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
    fields = [c for c in matched.columns if c in MEASURE_ROLES]
    measures = derive_fields(matched[["kode", "tahun", *fields]].reset_index(drop=True))
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
        quality=tuple(bfile.warnings) + tuple(_consistency(measures)),
    )


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
    )

