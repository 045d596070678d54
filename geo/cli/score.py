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

import pandas as pd

from geo.core.errors import InputError
from geo.core.i18n import t
from geo.data.dataset import (
    Dataset,
    load_inputs,
)
from geo.export.safe import safe_frame
from geo.scoring.mcda import format_id
from geo.scoring.pipeline import PRESETS, ScoringConfig, methodology, preset_config, run_scoring

__all__ = ["add_score", "cmd_score", "write_ranking"]

def _weights(path: str) -> dict[str, float]:
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"berkas bobot tidak dapat dibaca ({exc.__class__.__name__})",
                         file=Path(path).name) from None
    if isinstance(doc, dict) and isinstance(doc.get("weights"), dict):
        doc = doc["weights"]
    if not isinstance(doc, dict) or not doc:
        raise InputError('berkas bobot harus objek JSON {"id_indikator": bobot, ...}', file=Path(path).name)
    try:
        return {str(k): float(v) for k, v in doc.items()}
    except (TypeError, ValueError):
        raise InputError("bobot harus angka", file=Path(path).name) from None


def _force(items: list[str] | None, flag: str) -> dict[str, str]:
    out = {}
    for item in items or []:
        code, sep, reason = item.partition("=")
        if not sep or not code.strip() or not reason.strip():
            raise InputError(f"{flag} harus berbentuk KODE=ALASAN", rows=[item])
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


def write_ranking(frame: pd.DataFrame, out: Path, meta: dict | None = None) -> None:
    """Write the ranking as CSV (UTF-8 with BOM) or XLSX (+ sheet ``metodologi``), injection-safe."""
    safe = safe_frame(frame)
    suffix = out.suffix.lower()
    if suffix == ".csv":
        safe.to_csv(out, index=False, encoding="utf-8-sig")
    elif suffix == ".xlsx":
        with pd.ExcelWriter(out, engine="openpyxl") as writer:
            safe.to_excel(writer, sheet_name="peringkat", index=False)
            if meta is not None:
                rows = [(k, v if isinstance(v, str | int | float) or v is None
                         else json.dumps(v, ensure_ascii=False)) for k, v in meta.items()]
                safe_frame(pd.DataFrame(rows, columns=["kunci", "nilai"])).to_excel(
                    writer, sheet_name="metodologi", index=False)
    else:
        raise InputError("--out harus berakhiran .csv atau .xlsx", file=out.name)


def cmd_score(args: argparse.Namespace) -> int:
    """Score the villages and write the ranking; the methodology goes to stderr."""
    out = Path(args.out)
    if out.suffix.lower() not in (".csv", ".xlsx"):
        raise InputError("--out harus berakhiran .csv atau .xlsx", file=out.name)
    dataset = load_inputs(args.boundaries, args.table, coverage=args.coverage, year=args.year)
    config = _config(args, dataset)
    result = run_scoring(dataset, config)
    frame = result.ranked().reset_index(drop=True)
    if result.synthetic:
        frame.insert(len(frame.columns), "catatan_data", "cakupan SINTETIS (untuk demonstrasi)")
    meta = methodology(result, dataset)
    write_ranking(frame, out, meta)
    chosen = int((frame["rekomendasi"] == "ya").sum())
    print(f"lokus score: {out.name}: {len(frame)} desa, {chosen} direkomendasikan, tahun {config.year}",
          file=sys.stderr)
    usage = result.preset
    if usage is not None and usage.used:
        weights = ", ".join(f"{k} {format_id(100 * v, 1)}%" for k, v in usage.weights.items())
        used = t("scoring.meth.preset_note", used=len(usage.used), total=usage.total)
        print(f"Preset '{usage.label_id}': {used}; {t('scoring.meth.preset_weights').lower()}: {weights}",
              file=sys.stderr)
        for entry in usage.missing:
            print(f"  - {t('scoring.meth.preset_missing').lower()}: {' / '.join(entry)}", file=sys.stderr)
    for line in result.warnings:
        print(f"! {line}", file=sys.stderr)
    print("Metodologi:", file=sys.stderr)
    print(json.dumps(meta, ensure_ascii=False, indent=2), file=sys.stderr)
    return 0


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("harus ≥ 1")
    return value


def add_score(sub: argparse._SubParsersAction) -> None:
    """``lokus score``: ranking + recommendation to CSV/XLSX."""
    p = sub.add_parser("score", help="peringkat dan rekomendasi desa lokus ke CSV/XLSX")
    p.add_argument("--boundaries", help="batas desa (.zip shapefile, .geojson, .gpkg)")
    p.add_argument("--table", help="tabel jumlah (.csv, .xlsx) dengan kode desa Kemendagri")
    p.add_argument("--coverage", help="tabel cakupan intervensi (.csv, .xlsx), satu baris per desa")
    p.add_argument("--year", type=int, default=None,
                   help="tahun yang dinilai (bawaan: tahun terakhir); juga tahun tabel tanpa kolom tahun")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--preset", default="prevalensi_kasus", choices=sorted(PRESETS),
                       help="set indikator dan bobot bawaan (bawaan: prevalensi_kasus)")
    group.add_argument("--weights", metavar="FILE.json", help='bobot {"id_indikator": bobot, ...}')
    p.add_argument("--method", default="saw", choices=["saw", "geomean", "topsis"])
    p.add_argument("--normalisation", default="minmax", choices=["minmax", "zscore", "percentile"])
    p.add_argument("--smoothing", default="global", choices=["none", "global", "kecamatan"],
                   help="penghalusan empirical Bayes laju (bawaan: global = rerata kabupaten)")
    p.add_argument("--min-n", type=_positive, default=20, help="penyebut minimum sebelum ditandai n kecil")
    p.add_argument("--missing", default="exclude", choices=["exclude", "kecamatan_median", "worst"])
    p.add_argument("--top", type=int, default=20, help="jumlah desa lokus N")
    p.add_argument("--max-per-kecamatan", type=_positive, default=None, metavar="K")
    p.add_argument("--min-one-per-kecamatan", action="store_true")
    p.add_argument("--force-in", action="append", metavar="KODE=ALASAN")
    p.add_argument("--force-out", action="append", metavar="KODE=ALASAN")
    p.add_argument("--draws", type=_positive, default=1000, help="simulasi Monte Carlo stabilitas")
    p.add_argument("--out", required=True, help="berkas keluaran .csv atau .xlsx")
    p.set_defaults(func=cmd_score)
