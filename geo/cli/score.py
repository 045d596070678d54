"""``lokus score``: the full lokus ranking of every village, written to CSV or XLSX.

One row per village (boundary order sorted by rank): code, name, kecamatan, every
indicator raw and normalised, score, rank, P(top-N), flags and ``rekomendasi``
(``ya`` for exactly the villages chosen under N and the constraints). The
methodology (year, config JSON, sources, the SINTETIS note) goes to stderr, and to a
second sheet ``metodologi`` in XLSX. Every text cell is neutralised against
spreadsheet formula injection (a leading ``'`` before ``= + - @``, tab, CR).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from geo.cli.budget import add_budget_options, run_budget
from geo.cli.common import common_options, say, warn
from geo.core.errors import InputError
from geo.core.i18n import format_number, t
from geo.core.messages import render_all
from geo.core.settings import Settings
from geo.data.loading import load_inputs
from geo.data.model import Dataset
from geo.export.safe import safe_frame
from geo.scoring.config import PRESETS, ScoringConfig
from geo.scoring.pipeline import run_scoring
from geo.scoring.presets import preset_config
from geo.scoring.result import methodology, with_texts

__all__ = ["add_score", "cmd_score", "write_ranking"]

_SUFFIXES = (".csv", ".xlsx")
#: Shape of a weights file, shown in the help and in the error.
_WEIGHTS_EXAMPLE = '{"rasio_merah": 2, "sp_mpasi": 1}'


def _weights(path: str) -> dict[str, float]:
    name = Path(path).name
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError.of("cli.score.error.weights_unreadable", file=name,
                            error=exc.__class__.__name__) from None
    if isinstance(doc, dict) and isinstance(doc.get("weights"), dict):
        doc = doc["weights"]
    if not isinstance(doc, dict) or not doc:
        raise InputError.of("cli.score.error.weights_shape", file=name, example=_WEIGHTS_EXAMPLE)
    try:
        return {str(k): float(v) for k, v in doc.items()}
    except (TypeError, ValueError):
        raise InputError.of("cli.score.error.weights_number", file=name) from None


def _force(items: list[str] | None, flag: str) -> dict[str, str]:
    out = {}
    for item in items or []:
        code, sep, reason = item.partition("=")
        if not sep or not code.strip() or not reason.strip():
            raise InputError.of("cli.score.error.force", flag=flag, rows=[item])
        out[code.strip()] = reason.strip()
    return out


def _config(args: argparse.Namespace, dataset: Dataset) -> ScoringConfig:
    options = {
        "method": args.method, "smoothing": args.smoothing, "missing": args.missing,
        "top_n": args.top, "max_per_kecamatan": args.max_per_kecamatan,
        "min_one_per_kecamatan": args.min_one_per_kecamatan,
        "force_in": _force(args.force_in, "--force-in"), "force_out": _force(args.force_out, "--force-out"),
        "draws": args.draws, "normalisation": args.normalisation, "min_n": args.min_n,
    }
    year = args.year if args.year is not None else max(dataset.years)
    if args.weights:
        weights = _weights(args.weights)
        return ScoringConfig(year=year, indicators=tuple(weights), weights=weights, **options)
    return preset_config(dataset, args.preset, year, **options)


def _checked_out(out: Path) -> Path:
    if out.suffix.lower() not in _SUFFIXES:
        raise InputError.of("cli.score.error.suffix", file=out.name)
    return out


def write_ranking(frame: pd.DataFrame, out: Path, meta: dict[str, Any] | None = None) -> None:
    """Write the ranking as CSV (UTF-8 with BOM) or XLSX (+ sheet ``metodologi``), injection-safe."""
    safe = safe_frame(frame)
    if _checked_out(out).suffix.lower() == ".csv":
        safe.to_csv(out, index=False, encoding="utf-8-sig")
        return
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        safe.to_excel(writer, sheet_name="peringkat", index=False)
        if meta is not None:
            rows = [(k, v if isinstance(v, str | int | float) or v is None
                     else json.dumps(v, ensure_ascii=False)) for k, v in meta.items()]
            safe_frame(pd.DataFrame(rows, columns=["kunci", "nilai"])).to_excel(
                writer, sheet_name="metodologi", index=False)


def _print_preset(result: Any, lang: str) -> None:
    usage = result.preset
    if usage is None or not usage.used:
        return
    weights = ", ".join(f"{k} {format_number(100 * v, 1, lang)}%" for k, v in usage.weights.items())
    say("cli.score.preset", lang, err=True, label=usage.label(lang),
        used=t("scoring.meth.preset_note", lang, used=len(usage.used), total=usage.total),
        heading=t("scoring.meth.preset_weights", lang).lower(), weights=weights)
    for entry in usage.missing:
        say("cli.score.preset_missing", lang, err=True, ids=" / ".join(entry),
            heading=t("scoring.meth.preset_missing", lang).lower())


def cmd_score(args: argparse.Namespace, settings: Settings) -> int:
    """Score the villages and write the ranking; the methodology goes to stderr."""
    lang = settings.lang
    out = _checked_out(Path(args.out))
    dataset = load_inputs(args.boundaries, args.table, coverage=args.coverage, year=args.year,
                          data_dir=settings.data_dir, max_unzipped_mb=settings.max_unzipped_mb)
    config = _config(args, dataset)
    result = run_scoring(dataset, config)
    frame = with_texts(result.ranked(), lang).reset_index(drop=True)
    if result.synthetic:
        frame.insert(len(frame.columns), "catatan_data", t("cli.score.synthetic", lang))
    meta = methodology(result, dataset)
    write_ranking(frame, out, meta)
    say("cli.score.done", lang, err=True, file=out.name, n=len(frame),
        chosen=int((frame["rekomendasi"] == "ya").sum()), year=str(config.year))
    _print_preset(result, lang)
    for line in render_all(result.warnings, lang):
        warn(line)
    say("cli.score.methodology", lang, err=True)
    print(json.dumps(meta, ensure_ascii=False, indent=2), file=sys.stderr)
    run_budget(args, dataset, result, lang)
    return 0


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("≥ 1")
    return value


def add_score(sub: argparse._SubParsersAction, lang: str) -> None:
    """``lokus score``: ranking + recommendation to CSV/XLSX."""
    def h(key: str, **values: object) -> str:
        return t(f"cli.score.opt.{key}", lang, **values)

    p = sub.add_parser("score", help=t("cli.score.help", lang),
                       description=t("cli.score.help", lang), parents=[common_options(lang)])
    p.add_argument("--boundaries", help=t("cli.opt.boundaries", lang))
    p.add_argument("--table", help=h("table"))
    p.add_argument("--coverage", help=t("cli.opt.coverage", lang))
    p.add_argument("--year", type=int, default=None, help=h("year"))
    group = p.add_mutually_exclusive_group()
    group.add_argument("--preset", default="prevalensi_kasus", choices=sorted(PRESETS), help=h("preset"))
    group.add_argument("--weights", metavar="FILE.json", help=h("weights", example=_WEIGHTS_EXAMPLE))
    p.add_argument("--method", default="saw", choices=["saw", "geomean", "topsis"])
    p.add_argument("--normalisation", default="minmax", choices=["minmax", "zscore", "percentile"])
    p.add_argument("--smoothing", default="global", choices=["none", "global", "kecamatan"],
                   help=h("smoothing"))
    p.add_argument("--min-n", type=_positive, default=20, help=h("min_n"))
    p.add_argument("--missing", default="exclude", choices=["exclude", "kecamatan_median", "worst"])
    p.add_argument("--top", type=int, default=20, help=h("top"))
    p.add_argument("--max-per-kecamatan", type=_positive, default=None, metavar="K")
    p.add_argument("--min-one-per-kecamatan", action="store_true")
    p.add_argument("--force-in", action="append", metavar="KODE=ALASAN")
    p.add_argument("--force-out", action="append", metavar="KODE=ALASAN")
    p.add_argument("--draws", type=_positive, default=1000, help=h("draws"))
    p.add_argument("--out", required=True, help=h("out"))
    add_budget_options(p, lang)
    p.set_defaults(func=cmd_score)
