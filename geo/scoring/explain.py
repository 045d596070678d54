"""Why a village ranks where it does: contribution shares, ranks and one sentence.

:func:`explain` is the vectorised core (every village at once); :func:`explain_sentence`
builds the sentence as a :class:`~geo.core.messages.Message`; :func:`explain_village` gives
a page everything about one village in the language asked for.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.core.errors import InputError
from geo.core.i18n import DEFAULT_LANG, catalogue, format_number, lang_of, t
from geo.core.messages import Message, Num
from geo.scoring.config import HOTSPOT_ID
from geo.scoring.mcda import Criterion
from geo.scoring.result import ScoringResult, reason_text

__all__ = ["Explanation", "VillageExplanation", "explain", "explain_sentence", "explain_village", "unit_text"]

_DESA = Message("scoring.explain.prefix.desa")


@dataclass(frozen=True)
class Explanation:
    """Why each village ranks where it does (index = villages).

    ``shares``: contribution of each criterion as a share of the village's total,
    :math:`c_{ij} / \\sum_k |c_{ik}|` (equals :math:`c_{ij}/S_i` when contributions
    are non-negative; 0 for a village whose contributions are all 0).
    ``table``: columns ``peringkat``, ``jumlah``, ``peringkat_kecamatan``,
    ``jumlah_kecamatan``, ``kecamatan``.
    """

    shares: pd.DataFrame
    table: pd.DataFrame


def explain(contributions: pd.DataFrame, rank: pd.Series, kecamatan: pd.Series) -> Explanation:
    """Contribution shares and overall / within-kecamatan rank of every village."""
    c = contributions.to_numpy(dtype=float)
    total = np.nansum(np.abs(c), axis=1, keepdims=True)
    shares = np.divide(np.nan_to_num(c), total, out=np.zeros_like(c), where=total > 0)
    kec = pd.Series(np.asarray(kecamatan), index=rank.index)
    table = pd.DataFrame(
        {
            "peringkat": rank,
            "jumlah": len(rank),
            "peringkat_kecamatan": rank.groupby(kec).rank(method="first").astype(np.int64),
            "jumlah_kecamatan": kec.map(kec.value_counts()).astype(np.int64),
            "kecamatan": kec,
        },
        index=rank.index,
    )
    return Explanation(
        shares=pd.DataFrame(shares, index=contributions.index, columns=contributions.columns),
        table=table,
    )


def explain_sentence(
    village: Hashable,
    explanation: Explanation,
    X_raw: pd.DataFrame,
    criteria: Sequence[Criterion],
    *,
    name: str,
    kecamatan_name: str,
    top: int = 2,
    prefix: Message | str = _DESA,
    labels: Mapping[str, str] | None = None,
) -> Message:
    """The sentence explaining a village's rank, as a message.

    Rendered in Indonesian: "Desa Cimungkal berada di peringkat 3 dari 277 (peringkat 1 di
    Kecamatan Wado), terutama karena prevalensi stunting 28,4% (kontribusi 45%) dan cakupan
    air minum layak 41% (kontribusi 30%)." The ``top`` criteria with the largest positive
    shares are named, by ``labels`` (id → label; default the criterion's own label).
    """
    row = explanation.table.loc[village]
    head = Message.of("scoring.explain.head", prefix=prefix, name=name, rank=int(row["peringkat"]),
                      total=int(row["jumlah"]), rank_kec=int(row["peringkat_kecamatan"]),
                      kecamatan=kecamatan_name)
    shares = explanation.shares.loc[village]
    by_id = {c.id: c for c in criteria}
    best = [cid for cid in shares.sort_values(ascending=False, kind="stable").index
            if shares[cid] > 0 and cid in by_id][:top]
    if not best:
        return Message.of("scoring.explain.nothing", head=head)
    parts = [Message.of("scoring.explain.part",
                        label=(labels or {}).get(cid) or by_id[cid].label or cid,
                        value=Num(float(X_raw.loc[village, cid]), 1, trim=True),
                        unit=unit_text(by_id[cid].unit), share=Num(100 * shares[cid], 0))
             for cid in best]
    joined = parts[0] if len(parts) == 1 else Message.of("scoring.explain.and", first=parts[:-1],
                                                          last=parts[-1])
    return Message.of("scoring.explain.because", head=head, parts=joined)


def unit_text(unit: str) -> Message | str:
    """A unit after a number: ``""`` and ``%`` as they are, a catalogue unit (``anak``,
    ``poin %``…) as a message with its leading space, any other unit as written."""
    if unit in ("", "%"):
        return unit
    key = "scoring.unit." + re.sub(r"[^a-z0-9]+", "_", unit.lower()).strip("_")
    return Message.of("scoring.explain.unit", unit=Message(key)) if key in catalogue("id") else f" {unit}"


@dataclass(frozen=True)
class VillageExplanation:
    """Why a village ranks where it does.

    ``contributions``: ``(indicator_id, label, value text, share of the score)``,
    largest share first; labels, texts, ``sentence`` and ``reason`` are in the language asked for.
    """

    code: str
    name: str
    rank: int
    rank_kec: int
    n_kec: int
    contributions: list[tuple[str, str, str, float]]
    sentence: str
    kecamatan: str = ""
    score: float = float("nan")
    recommended: bool = False
    reason: str = ""
    p_top_n: float = float("nan")


def _criterion_label(result: ScoringResult, criterion: Criterion, lang: str) -> str:
    if lang_of(lang) == "id":
        return criterion.label
    ind = result.indicators.get(criterion.id)
    return ind.label(lang) if ind is not None else t("scoring.hotspot_label", lang)


def _number(value: float, decimals: int, lang: str) -> str:
    return format_number(value, decimals, lang, trim=True)


def _value_text(result: ScoringResult, row: pd.Series, cid: str, lang: str = DEFAULT_LANG) -> str:
    value = row[cid]
    if cid == HOTSPOT_ID:
        return (t("scoring.engine.term.ya", lang) if value == 1
                else (t("scoring.engine.term.tidak", lang) if value == 0 else "–"))
    ind = result.indicators[cid]
    if ind.kind == "rate":
        detail = t("scoring.value.count", lang, k=_number(row[f"{cid}__k"], 0, lang),
                   n=_number(row[f"{cid}__n"], 0, lang))
        if result.config.smoothing != "none":
            detail = t("scoring.value.raw", lang, raw=_number(row[f"{cid}__mentah"], 1, lang), detail=detail)
        return f"{_number(value, 1, lang)}% ({detail})"
    if ind.unit == "%":
        return f"{_number(value, 1, lang)}%"
    sign = "+" if ind.kind == "delta" and np.isfinite(value) and value > 0 else ""
    unit = unit_text(ind.unit)
    word = (unit.render(lang) if isinstance(unit, Message) else unit).lstrip(" ")
    return f"{sign}{_number(value, 1, lang)} {word}"


def explain_village(result: ScoringResult, code: str, lang: str = DEFAULT_LANG) -> VillageExplanation:
    """Per-criterion contributions, ranks and one sentence for a village, in ``lang``
    (Bahasa Indonesia by default; labels, value texts, sentence and reason follow it)."""
    lang = lang_of(lang)
    table = result.table
    hits = np.flatnonzero(table["kode"].to_numpy() == code)
    if not hits.size:
        raise InputError.of("scoring.error.village", rows=[code])
    row = table.iloc[hits[0]]
    ids = [c.id for c in result.criteria]
    indexed = table.set_index("kode")
    contrib = indexed[[f"{c}__kontribusi" for c in ids]].set_axis(ids, axis=1)
    expl = explain(contrib, indexed["peringkat"], indexed["kode_kec"])
    shares = expl.shares.loc[code]
    labels = {c.id: _criterion_label(result, c, lang) for c in result.criteria}
    contributions = sorted(
        ((cid, labels[cid], _value_text(result, row, cid, lang), float(shares[cid])) for cid in ids),
        key=lambda item: -item[3])
    kind = "kelurahan" if str(code).split(".")[-1].startswith("1") else "desa"
    if np.isnan(row["skor"]):
        sentence = t("scoring.explain.not_scored", lang, prefix=t(f"scoring.explain.prefix.{kind}", lang),
                     name=row["nama"], kecamatan=row["nama_kec"], year=result.config.year)
    else:
        sentence = explain_sentence(code, expl, indexed[ids], result.criteria, name=row["nama"],
                                    kecamatan_name=row["nama_kec"], labels=labels,
                                    prefix=Message(f"scoring.explain.prefix.{kind}")).render(lang)
    return VillageExplanation(
        code=code, name=row["nama"], rank=int(row["peringkat"]), rank_kec=int(row["peringkat_kec"]),
        n_kec=int(row["n_kec"]), contributions=contributions, sentence=sentence,
        kecamatan=row["nama_kec"], score=float(row["skor"]), recommended=row["rekomendasi"] == "ya",
        reason=reason_text(row["alasan"], lang), p_top_n=float(row["p_top_n"]),
    )
