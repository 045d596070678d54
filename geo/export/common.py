"""What every export shares: the chosen list, the plan, names, the SINTETIS flag, file names.

:func:`export_context` turns plain inputs (a :class:`~geo.scoring.pipeline.ScoringResult`, the
:class:`~geo.data.model.Dataset`, chosen codes with reasons, an optional Aksi 2 plan and
free-text metadata) into one :class:`ExportContext` that each format module reads.
Nothing here depends on the scenario store or the plan module: a scenario's chosen list
and a plan table are passed in as plain values.
"""

from __future__ import annotations

import dataclasses
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from geo.core.errors import InputError
from geo.core.i18n import catalogue, format_number, lang_of, t
from geo.core.settings import embedded_data_dir
from geo.data.loading import region_names
from geo.data.model import Dataset
from geo.scoring.mcda import Criterion
from geo.scoring.result import ScoringResult, flags_text, reason_text

__all__ = [
    "PLAN_COLUMNS",
    "SYNTHETIC_NOTE",
    "ChosenInput",
    "ExportContext",
    "PlanInput",
    "compact_number",
    "criterion_label",
    "criterion_source",
    "direction_text",
    "export_context",
    "kabupaten_name",
    "normalise_chosen",
    "normalise_plan",
    "safe_filename",
    "software_version",
    "term",
]

#: Text put in the ``catatan_data`` column (CSV, GIS) and next to every SINTETIS mark (Indonesian;
#: ``t("export.synthetic.note", lang)`` in other languages).
SYNTHETIC_NOTE = t("export.synthetic.note")

#: Columns of an Aksi 2 plan table (the colleague's ``PlanItem`` fields), in order.
PLAN_COLUMNS = ("kode", "nama", "kecamatan", "indicator", "value", "target", "gap", "kegiatan", "opd",
                "volume", "satuan", "anggaran", "catatan")

#: Chosen villages: ``[{"kode", "alasan"}, ...]``, ``{kode: alasan}``, ``[(kode, alasan)]`` or codes.
ChosenInput: TypeAlias = Mapping[str, str] | Sequence[Mapping[str, Any] | tuple[str, str] | str] | None
#: Aksi 2 plan: a DataFrame, a list of dicts, or a list of dataclass rows (``PlanItem``).
PlanInput: TypeAlias = pd.DataFrame | Sequence[Any] | None

_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                     *(f"LPT{i}" for i in range(1, 10))}


def safe_filename(name: str, *, max_len: int = 80, default: str = "lokus") -> str:
    """A file name safe to offer for download or write anywhere.

    Accents are folded to ASCII; every character other than ASCII letters, digits,
    ``-``, ``_`` and ``.`` becomes ``_`` (so no path separators survive); runs of
    ``_`` or ``.`` collapse; leading ``.``/``-``/``_`` are dropped (no hidden files,
    nothing that looks like a command option); Windows device names get a prefix. At
    most ``max_len`` characters, keeping a short extension; never empty.
    """
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^A-Za-z0-9._-]+", "_", text)
    text = re.sub(r"_{2,}", "_", re.sub(r"\.{2,}", ".", text)).strip("._- ")
    stem, dot, ext = text.rpartition(".")
    if not dot or not stem or len(ext) > 10:
        stem, ext = text, ""
    stem = stem.rstrip("._-")
    if not stem:
        stem = default
    if stem.split(".")[0].upper() in _WINDOWS_RESERVED:
        stem = f"{default}_{stem}"
    suffix = f".{ext}" if ext else ""
    stem = stem[: max(1, max_len - len(suffix))].rstrip("._-") or default[: max_len - len(suffix)]
    return f"{stem}{suffix}"


def software_version(lang: str = "id") -> str:
    """Installed version of the ``lokus`` package ("tidak diketahui"/"unknown" when not installed)."""
    try:
        return version("lokus")
    except PackageNotFoundError:
        return t("export.version_unknown", lang)


def term(value: Any, lang: str = "id") -> Any:
    """A word of the result table's closed vocabularies (``ya``, ``inti``, ``Tinggi``, units…) in
    ``lang``; anything else (free text, numbers) unchanged."""
    if not isinstance(value, str) or not value:
        return value
    key = "export.term." + re.sub(r"[^a-z0-9]+", "_", value.lower()).strip("_")
    return catalogue(lang_of(lang)).get(key, value)


def direction_text(direction: str, lang: str = "id") -> str:
    """"makin tinggi makin prioritas" / "higher value, higher priority"."""
    return catalogue(lang_of(lang)).get(f"export.direction.{direction}", direction)


def compact_number(value: Any, decimals: int = 1, lang: str = "id") -> str:
    """:func:`geo.core.i18n.format_number` without trailing zero decimals: ``0,15`` / ``2`` / ``1,234.5``."""
    return format_number(value, decimals, lang, trim=True)


def criterion_label(ctx: ExportContext, criterion: Criterion, lang: str = "id") -> str:
    """Label of a scored criterion in ``lang`` (indicator catalogue ``label_id``/``label_en``)."""
    ind = ctx.result.indicators.get(criterion.id)
    return ind.label(lang_of(lang)) if ind is not None else t("export.hotspot_label", lang)


def criterion_source(ctx: ExportContext, criterion: Criterion, lang: str = "id") -> str:
    """Data source of a criterion in ``lang`` ("LISA" for the hotspot criterion)."""
    ind = ctx.result.indicators.get(criterion.id)
    if ind is None:
        return "LISA"
    return ind.source_en if lang_of(lang) == "en" else ind.source_id


def kabupaten_name(dataset: Dataset) -> str:
    """"Kabupaten X" / "Kota X" from the dataset title, else from the region code list.

    Falls back to ``"Kabupaten/Kota"`` when neither names it (a user upload titled
    after its file name).
    """
    hit = re.search(r"\b(Kabupaten|Kota)\s+(.+?)(?:\s+[—–-]\s+|[,(:]|$)", dataset.title or "")
    if hit:
        return f"{hit.group(1)} {hit.group(2).strip()}"
    codes = dataset.villages["kode"].astype(str)
    prefix = codes.str[:5].mode()
    if len(prefix):

        name = region_names(embedded_data_dir()).get(str(prefix.iloc[0]))
        if name:
            return name
    return "Kabupaten/Kota"


@dataclass(frozen=True)
class ExportContext:
    """Everything the exports read, built once by :func:`export_context`.

    Attributes
    ----------
    result, dataset
        The scoring result and the dataset it was computed on.
    lokus
        The chosen villages sorted by rank, one row each: ``no`` (1..N, the number on
        the map), ``kode``, ``nama``, ``kecamatan``, ``kode_kec``, ``skor``,
        ``peringkat``, ``p_top_n``, ``stabilitas``, ``alasan``, ``flags`` and the value
        of every criterion (column = criterion id).
    plan
        Aksi 2 plan rows (columns :data:`PLAN_COLUMNS`), or None when not drawn up.
    name, author, notes
        Scenario name, author and free notes ("" when not given).
    created_at
        Time of the export (timezone-aware).
    kabupaten
        "Kabupaten X" or "Kota X".
    lokus_year
        Year in the titles ("Desa Lokus Stunting Tahun <lokus_year>").
    synthetic
        A SINTETIS coverage indicator was scored (``result.synthetic``).
    analytics
        The further analyses the planner ran (:class:`geo.export.analytics.AnalyticsContent`:
        budget selection, survey vs register, review), or None.
    """

    result: ScoringResult
    dataset: Dataset
    lokus: pd.DataFrame
    plan: pd.DataFrame | None
    name: str
    author: str
    notes: str
    created_at: datetime
    kabupaten: str
    lokus_year: int
    synthetic: bool
    analytics: Any = None  # geo.export.analytics.AnalyticsContent | None

    @property
    def chosen_codes(self) -> list[str]:
        """Codes of the chosen villages, in list order."""
        return self.lokus["kode"].tolist()

    @property
    def region(self) -> str:
        """The kabupaten/kota name without "Kabupaten"/"Kota" (e.g. "Sumedang")."""
        return re.sub(r"^(Kabupaten|Kota)\s+", "", self.kabupaten)

    def head_title(self, lang: str = "id") -> str:
        """"Bupati" ("Regent") for a kabupaten, "Wali Kota" ("Mayor") for a kota."""
        kota = self.kabupaten.startswith("Kota ")
        return t("export.head.wali_kota" if kota else "export.head.bupati", lang)

    def filename(self, ext: str, *, tag: str = "", lang: str = "id") -> str:
        """Sanitised default file name, e.g. ``lokus_Sumedang_2021_SINTETIS.xlsx`` (English: ``_SYNTHETIC``).

        The SINTETIS mark is part of the name so that a file copied out of context
        still says it is demonstration data.
        """
        parts = [t("export.file.stem", lang), self.region, str(self.lokus_year), self.name, tag,
                 t("export.synthetic.flag", lang) if self.synthetic else ""]
        return safe_filename("_".join(p for p in parts if p) + f".{ext}")


def normalise_chosen(chosen: ChosenInput) -> list[tuple[str, str]]:
    """``[(kode, alasan), ...]`` in the given order from any accepted chosen form.

    Raises
    ------
    InputError
        A row without a code, or a code listed twice.
    """
    if chosen is None:
        return []
    items: list[tuple[str, str]] = []
    if isinstance(chosen, Mapping):
        items = [(str(k), "" if v is None else str(v)) for k, v in chosen.items()]
    else:
        for row in chosen:
            if isinstance(row, str):
                items.append((row, ""))
            elif isinstance(row, Mapping):
                if not row.get("kode"):
                    raise InputError.of("export.error.chosen_no_code", rows=[row])
                items.append((str(row["kode"]), str(row.get("alasan") or "")))
            else:
                code, reason = row
                items.append((str(code), "" if reason is None else str(reason)))
    codes = [c.strip() for c, _ in items]
    dup = sorted({c for c in codes if codes.count(c) > 1})
    if dup:
        raise InputError.of("export.error.chosen_duplicate", rows=dup)
    return [(c, r.strip()) for c, (_, r) in zip(codes, items, strict=True)]


def default_chosen(result: ScoringResult) -> list[tuple[str, str]]:
    """The recommendation of ``result`` (``rekomendasi == "ya"``) in rank order, with reasons."""
    ranked = result.ranked()
    ya = ranked[ranked["rekomendasi"] == "ya"]
    return list(zip(ya["kode"].astype(str), [reason_text(r) for r in ya["alasan"]], strict=True))


def normalise_plan(plan: PlanInput) -> pd.DataFrame | None:
    """Plan rows as a DataFrame with at least :data:`PLAN_COLUMNS` (None when empty/absent)."""
    if plan is None:
        return None
    if isinstance(plan, pd.DataFrame):
        frame = plan.copy()
    else:
        rows = [dataclasses.asdict(r) if dataclasses.is_dataclass(r) and not isinstance(r, type)
                else dict(r) for r in plan]
        frame = pd.DataFrame(rows)
    if frame.empty:
        return None
    for col in PLAN_COLUMNS:
        if col not in frame:
            frame[col] = np.nan if col in ("value", "target", "gap", "volume", "anggaran") else ""
    extra = [c for c in frame.columns if c not in PLAN_COLUMNS]
    frame = frame[[*PLAN_COLUMNS, *extra]].reset_index(drop=True)
    frame["kode"] = frame["kode"].fillna("").astype(str)
    return frame


def _lokus_frame(result: ScoringResult, chosen: list[tuple[str, str]]) -> pd.DataFrame:
    table = result.table
    known = set(table["kode"].astype(str))
    unknown = [c for c, _ in chosen if c not in known]
    if unknown:
        raise InputError.of("export.error.chosen_unknown", rows=unknown)
    reasons = dict(chosen)
    rows = table[table["kode"].isin(list(reasons))].sort_values("peringkat", kind="stable")
    criteria = [c.id for c in result.criteria]
    out = pd.DataFrame({
        "no": np.arange(1, len(rows) + 1),
        "kode": rows["kode"].astype(str).to_numpy(),
        "nama": rows["nama"].astype(str).to_numpy(),
        "kecamatan": rows["nama_kec"].astype(str).to_numpy(),
        "kode_kec": rows["kode_kec"].astype(str).to_numpy(),
        "skor": rows["skor"].to_numpy(dtype=float),
        "peringkat": rows["peringkat"].to_numpy(dtype=int),
        "p_top_n": rows["p_top_n"].to_numpy(dtype=float),
        "stabilitas": rows["stabilitas"].astype(str).to_numpy(),
    })
    # a reason given with the list wins; else the engine's reason, else "chosen by hand"
    # (the list is a record: the engine's reasons and flags in Indonesian, as it is saved)
    engine = [reason_text(r) if ya else t("scoring.engine.chosen_by_hand")
              for r, ya in zip(rows["alasan"], rows["rekomendasi"] == "ya", strict=True)]
    out["alasan"] = [reasons[c] or e for c, e in zip(out["kode"], engine, strict=True)]
    out["flags"] = [flags_text(f) for f in rows["flags"]]
    for cid in criteria:
        out[cid] = rows[cid].to_numpy(dtype=float)
    return out


def export_context(
    result: ScoringResult,
    dataset: Dataset,
    *,
    chosen: ChosenInput = None,
    plan: PlanInput = None,
    name: str = "",
    author: str = "",
    notes: str = "",
    created_at: datetime | None = None,
    kabupaten: str | None = None,
    lokus_year: int | None = None,
    analytics: Any = None,
) -> ExportContext:
    """Normalise the plain inputs of an export.

    Parameters
    ----------
    result, dataset
        The scoring result and its dataset.
    chosen
        Chosen villages with reasons (see :data:`ChosenInput`); None = the default
        recommendation of ``result`` with the engine's reasons. An empty reason is
        filled with the engine's reason (or "dipilih manual" when the engine did not
        recommend the village).
    plan
        Aksi 2 plan rows (see :data:`PlanInput`); None = not drawn up yet.
    name, author, notes
        Scenario name, author, notes.
    created_at
        Export time; default now (UTC).
    kabupaten
        Override of the region name (default :func:`kabupaten_name`).
    lokus_year
        Year of the lokus list in titles; default the year scored (``config.year``).
    analytics
        Further analyses to add (:class:`geo.export.analytics.AnalyticsContent`), or None.

    Raises
    ------
    InputError
        Unknown or duplicate chosen codes.
    """
    picked = normalise_chosen(chosen) if chosen is not None else default_chosen(result)
    stamp = created_at or datetime.now(UTC)
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return ExportContext(
        result=result, dataset=dataset, lokus=_lokus_frame(result, picked), plan=normalise_plan(plan),
        name=str(name or "").strip(), author=str(author or "").strip(), notes=str(notes or "").strip(),
        created_at=stamp, kabupaten=kabupaten or kabupaten_name(dataset),
        lokus_year=int(lokus_year if lokus_year is not None else result.config.year),
        synthetic=bool(result.synthetic), analytics=analytics,
    )


def finite(value: Any) -> Any:
    """None for NaN/inf/NA (an empty cell), numpy scalars as Python numbers, else unchanged."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
