"""What a scoring run returns: :class:`ScoringResult`, its texts at the edge, its methodology.

The result holds no sentences. Reasons (``alasan``) are a :class:`~geo.core.messages.Message`
per village (None when there is none), flags a tuple of messages per village, warnings a
tuple of messages; :func:`reason_text`, :func:`flags_text` and :func:`with_texts` render them
in the language of the page, the command line or the export.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from geo.core.i18n import DEFAULT_LANG, t
from geo.core.indicators import Indicator
from geo.core.messages import Message, render_all
from geo.data.model import Dataset
from geo.scoring.config import ScoringConfig
from geo.scoring.mcda import Criterion
from geo.scoring.presets import PresetUsage
from geo.scoring.selection import Selection
from geo.scoring.stability import StabilityResult

__all__ = ["ScoringResult", "flags_text", "methodology", "reason_text", "saved_reason_text", "with_texts"]


def reason_text(value: Any, lang: str = DEFAULT_LANG) -> str:
    """A reason cell (``alasan``) as text in ``lang``: a message rendered, text as it is, else "".

    >>> reason_text(Message.of("scoring.engine.rank", rank=3), "en"), reason_text(None)
    ('rank 3', '')
    """
    if isinstance(value, Message):
        return value.render(lang)
    return value if isinstance(value, str) else ""


def flags_text(value: Any, lang: str = DEFAULT_LANG) -> str:
    """A ``flags`` cell (a tuple of messages) as ``"; "``-joined text in ``lang``; text as it is.

    >>> flags_text((Message.of("scoring.engine.no_data"), Message.of("scoring.engine.quota_full")))
    'tanpa data; kuota kecamatan penuh'
    """
    if isinstance(value, tuple | list):
        return "; ".join(reason_text(item, lang) for item in value)
    return reason_text(value, lang)


def _rendered(values: pd.Series, render: Any, lang: str) -> list[str]:
    seen: dict[Hashable, str] = {}  # the same message recurs across thousands of villages
    out = []
    for value in values:
        try:
            text = seen.get(value)
        except TypeError:  # an unhashable cell (a list): render it each time
            out.append(render(value, lang))
            continue
        if text is None:
            text = seen[value] = render(value, lang)
        out.append(text)
    return out


def with_texts(table: pd.DataFrame, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """A copy of a result table (or part of it) with ``alasan`` and ``flags`` as text in ``lang``."""
    out = table.copy()
    if "alasan" in out:
        out["alasan"] = _rendered(out["alasan"], reason_text, lang)
    if "flags" in out:
        out["flags"] = _rendered(out["flags"], flags_text, lang)
    return out


def saved_reason_text(result: ScoringResult, code: str, saved: str, lang: str = DEFAULT_LANG) -> str:
    """A reason saved with a list, in ``lang``: the engine's own reason for the village (a list
    keeps it as its Indonesian text) is rendered in ``lang``; a typed reason stays as typed."""
    engine = result.selection.reasons.get(code)
    return engine.render(lang) if engine is not None and saved == engine.render() else saved


@dataclass(frozen=True)
class ScoringResult:
    """Everything :func:`geo.scoring.pipeline.run_scoring` computed.

    Attributes
    ----------
    config
        The configuration used.
    table
        One row per village in boundary order (index 0..n-1 like ``dataset.villages``):
        ``kode, nama, nama_kec, kode_kec, tahun``; per criterion id ``{id}`` (value
        scored: smoothed rate, after the missing policy), ``{id}__norm``,
        ``{id}__kontribusi``; per rate also ``{id}__mentah`` (raw %), ``{id}__k``,
        ``{id}__n``, ``{id}__ci_bawah``, ``{id}__ci_atas`` (95 % Wilson, %); per
        ``__delta`` ``{id}__mentah``; then ``skor, peringkat, peringkat_kec, n_kec,
        kelas, rekomendasi, alasan`` (a :class:`Message` or None), ``p_top_n`` (NaN without
        stability), ``stabilitas`` (inti/bimbang/jarang; "" without stability), ``lisa``
        (Tinggi-Tinggi, Rendah-Rendah, Tinggi-Rendah, Rendah-Tinggi, Tidak signifikan, Tanpa
        tetangga, Tidak ada data; "" without hotspots), ``flags`` (a tuple of messages).
        The closed vocabularies are codes, shown through the catalogue; :func:`with_texts`
        renders reasons and flags.
    selection
        The :class:`geo.scoring.selection.Selection`.
    warnings
        Messages, rendered by pages with :func:`geo.core.messages.render_all`.
    criteria
        Criteria scored (catalogue direction, normalised weight, label, unit).
    indicators
        Resolved catalogue entries (``__delta`` with their compared year), by id.
    stability
        Monte Carlo result (None when not run).
    hotspot_indicator
        Indicator the LISA layer was computed on (None when not run).
    synthetic
        A chosen coverage indicator comes from a SINTETIS table.
    preset
        What the config's preset could use on this data (None without a preset).
    withheld
        Criteria dropped before scoring: id → ``(previous year, missing fields)`` of a
        ``__delta`` across years defined differently.
    """

    config: ScoringConfig
    table: pd.DataFrame
    selection: Selection
    warnings: tuple[Message, ...]
    criteria: tuple[Criterion, ...] = ()
    indicators: Mapping[str, Indicator] = field(default_factory=dict)
    stability: StabilityResult | None = None
    hotspot_indicator: str | None = None
    synthetic: bool = False
    preset: PresetUsage | None = None
    withheld: Mapping[str, tuple[int, tuple[str, ...]]] = field(default_factory=dict)

    def ranked(self) -> pd.DataFrame:
        """The table sorted by ``peringkat``."""
        return self.table.sort_values("peringkat", kind="stable")


def methodology(result: ScoringResult, dataset: Dataset) -> dict[str, Any]:
    """What travels with an exported list: year, config, sources, criteria, the EB formula,
    what the preset could not use, withheld criteria, indicator definitions, warnings
    (rendered in Indonesian and as catalogue keys with parameters)."""
    cfg = result.config
    usage = result.preset
    coverage = [
        {"berkas": spec.file.name if hasattr(spec.file, "name") else str(spec.file),
         "judul": spec.title, "sintetis": spec.synthetic,
         **({"catatan": t("scoring.meth.synthetic_note")} if spec.synthetic else {})}
        for spec in dataset.coverage_sources
    ]
    return {
        "tahun_dinilai": cfg.year,
        "dataset": dataset.title,
        "atribusi": dataset.attribution,
        "batas_wilayah": dataset.report.boundary_file,
        "tabel": dataset.report.table_file,
        "cakupan": coverage,
        "data_sintetis_dipakai": result.synthetic,
        "kriteria": [
            {"id": c.id, "label": c.label, "arah": c.direction, "bobot": c.weight,
             "sumber": result.indicators[c.id].source_id if c.id in result.indicators else "LISA"}
            for c in result.criteria
        ],
        "hotspot_indikator": result.hotspot_indicator,
        "pemulusan": None if cfg.smoothing == "none" else {
            "kelompok": "kecamatan" if cfg.smoothing == "kecamatan" else "kabupaten",
            "rumus": t("scoring.meth.eb_formula_value"),
            "sumber": t(f"scoring.meth.eb_note.{cfg.smoothing}")},
        "preset": None if usage is None else {
            "nama": usage.name, "label": usage.label_id, "jumlah_indikator": usage.total,
            "dipakai": list(usage.used), "tidak_tersedia": [list(e) for e in usage.missing],
            "ditahan": [{"id": i, "tahun_sebelumnya": p, "kolom": list(f)} for i, p, f in usage.withheld],
            "bobot_efektif": dict(usage.weights), "bobot_preset": dict(usage.preset_weights)},
        "kriteria_ditahan": {i: {"tahun_sebelumnya": p, "kolom": list(f)}
                             for i, (p, f) in result.withheld.items()},
        "definisi": {c.id: note for c in result.criteria if c.id in result.indicators
                     and (note := result.indicators[c.id].note("id"))},
        "konfigurasi": cfg.to_dict(),
        "catatan_data": list(dataset.caveats),
        "peringatan": render_all(result.warnings),
        "peringatan_kode": [w.to_dict() for w in result.warnings],
    }
