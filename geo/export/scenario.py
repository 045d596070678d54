"""Scenario JSON: the document that reloads into the app and reproduces the ranking exactly.

Shape (shared with ``geo.store.model.Scenario.to_json``; keys in this order)::

    {"format": "lokus-scenario", "version": 1, "dataset_id": "sumedang", "name": "...",
     "config": ScoringConfig.to_dict(), "chosen": [{"kode": "...", "alasan": "..."}],
     "notes": "...", "author": "...", "created_at": "2026-01-05T08:00:00+00:00"}

``config`` round-trips exactly (:meth:`ScoringConfig.from_dict`; JSON floats are
written with ``repr`` precision), so ``run_scoring(dataset, config)`` gives the same
table; ``chosen`` is the agreed list (it may differ from the engine's
recommendation after the rembuk), in list order.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from geo.core.errors import InputError
from geo.export.common import ChosenInput, normalise_chosen
from geo.scoring.config import ScoringConfig

__all__ = ["SCENARIO_FORMAT", "SCENARIO_VERSION", "ScenarioDocument", "export_json", "read_scenario_json"]

SCENARIO_FORMAT = "lokus-scenario"
SCENARIO_VERSION = 1

# Bounds on a scenario document: every number is checked for type and range before the
# config is built, so a hand-edited or hostile file gives a named message, never an
# OverflowError, a 10^9-draw simulation or a NaN written back to JSON.
#: Largest scenario file read (a real one is a few kilobytes; a national plan < 1 MB).
MAX_SCENARIO_BYTES = 20_000_000
#: Deepest nesting of JSON arrays/objects accepted.
MAX_DEPTH = 20
#: Largest magnitude of any number in the document (whole rupiah budgets fit).
MAX_ABS_NUMBER = 1e15
#: Years a scenario may score.
YEAR_RANGE = (1990, 2100)
#: Monte Carlo draws of the stability analysis (the app uses 1,000).
DRAWS_RANGE = (1, 100_000)
#: Villages recommended (Indonesia has about 84,000 villages).
TOP_N_RANGE = (0, 100_000)
#: Minimum children measured for a rate to be used.
MIN_N_RANGE = (0, 1_000_000)
#: Per-kecamatan quota.
QUOTA_RANGE = (1, 100_000)
#: Seed of the random draws (numpy accepts non-negative integers).
SEED_RANGE = (0, 2**32 - 1)
#: A criterion's weight before normalisation.
WEIGHT_RANGE = (0.0, 1e6)
#: Relative standard deviation of the weights in the stability draws.
WEIGHT_CV_RANGE = (0.0, 10.0)
#: Consistency ratio of AHP judgements.
AHP_CR_RANGE = (0.0, 100.0)
#: Plan numbers: value/target/gap in percent, volume, budget in rupiah.
PLAN_NUMBER_RANGES = {"value": (0.0, 100.0), "target": (0.0, 100.0), "gap": (0.0, 100.0),
                      "volume": (0.0, 1e9), "anggaran": (0.0, MAX_ABS_NUMBER)}
#: Most indicators, chosen villages, forced villages, plan rows and notes.
MAX_ITEMS = {"indicators": 500, "chosen": 100_000, "force_in": 100_000, "force_out": 100_000,
             "plan": 100_000, "notes": 1_000}
#: Longest text value (names, reasons, notes).
MAX_TEXT = 100_000


@dataclass(frozen=True)
class ScenarioDocument:
    """A parsed scenario JSON document."""

    dataset_id: str
    name: str
    config: ScoringConfig
    chosen: list[tuple[str, str]]
    notes: str = ""
    author: str = ""
    created_at: str = ""
    #: Aksi 2 plan rows when the document carries them (``Scenario.to_json(plan=...)`` does).
    plan: tuple[dict[str, Any], ...] = ()


def export_json(
    config: ScoringConfig,
    chosen: ChosenInput,
    *,
    dataset_id: str,
    name: str = "",
    notes: str = "",
    author: str = "",
    created_at: datetime | str | None = None,
) -> bytes:
    """Scenario JSON bytes (UTF-8, indented) in the shared ``lokus-scenario`` v1 shape.

    Parameters
    ----------
    config
        The scoring configuration.
    chosen
        Chosen villages with reasons, in list order (any form :func:`normalise_chosen`
        accepts).
    dataset_id
        Id of the dataset folder the config applies to (e.g. ``"sumedang"``).
    name, notes, author
        Scenario metadata.
    created_at
        Timestamp (ISO 8601 text or datetime; default now, UTC, seconds).
    """
    stamp = created_at if created_at is not None else datetime.now(UTC)
    if isinstance(stamp, datetime):
        stamp = (stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)).isoformat(timespec="seconds")
    doc = {
        "format": SCENARIO_FORMAT,
        "version": SCENARIO_VERSION,
        "dataset_id": str(dataset_id),
        "name": str(name),
        "config": config.to_dict(),
        "chosen": [{"kode": kode, "alasan": alasan} for kode, alasan in normalise_chosen(chosen)],
        "notes": str(notes),
        "author": str(author),
        "created_at": str(stamp),
    }
    try:
        # strict JSON: NaN/Infinity would make a file other programs (and Lokus) refuse
        text = json.dumps(doc, ensure_ascii=False, indent=2, allow_nan=False)
    except ValueError:
        raise InputError.of("input.scenario.not_finite", field="config") from None
    return (text + "\n").encode("utf-8")


def _scan(value: Any, key: str, file: str | None, depth: int = 0) -> None:
    """Every number finite and within :data:`MAX_ABS_NUMBER`; nesting within :data:`MAX_DEPTH`."""
    if depth > MAX_DEPTH:
        raise InputError.of("input.scenario.too_deep", file=file, limit=MAX_DEPTH)
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            raise InputError.of("input.scenario.not_finite", file=file, field=key)
        if abs(value) > MAX_ABS_NUMBER:
            raise InputError.of("input.scenario.huge_number", file=file, field=key,
                                value=_shown(value))
        return
    if isinstance(value, Mapping):
        for k, v in value.items():
            _scan(v, f"{key}.{k}" if key else str(k), file, depth + 1)
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            _scan(v, f"{key}[{i}]", file, depth + 1)


def _shown(value: Any) -> str:
    return repr(value)[:40]


def _integer(config: dict[str, Any], key: str, bounds: tuple[int, int], file: str | None,
             *, optional: bool = False) -> None:
    """``config[key]`` must be a whole number within ``bounds`` (``2.0`` is accepted as 2)."""
    if key not in config or (optional and config[key] is None):
        return
    value = config[key]
    low, high = bounds
    whole = (isinstance(value, int) and not isinstance(value, bool)) or (
        isinstance(value, float) and value.is_integer())
    if not whole or not low <= value <= high:
        raise InputError.of("input.scenario.integer", file=file, field=key, low=f"{low:,}",
                            high=f"{high:,}", value=_shown(value))
    config[key] = int(value)


def _number(value: Any, key: str, bounds: tuple[float, float], file: str | None) -> float:
    low, high = bounds
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise InputError.of("input.scenario.number", file=file, field=key, low=f"{low:g}",
                            high=f"{high:g}", value=_shown(value))
    return float(value)


def _text_map(config: dict[str, Any], key: str, file: str | None) -> None:
    value = config.get(key, {})
    if not isinstance(value, Mapping):
        raise InputError.of("input.scenario.object", file=file, field=key)
    _limit(value, key, file)
    for k, v in value.items():
        if not isinstance(v, str | None) or len(k) > MAX_TEXT or len(v or "") > MAX_TEXT:
            raise InputError.of("input.scenario.text", file=file, field=f"{key}.{k}"[:80], limit=MAX_TEXT)


def _limit(value: Any, key: str, file: str | None) -> None:
    if len(value) > MAX_ITEMS[key]:
        raise InputError.of("input.scenario.too_many", file=file, field=key, n=len(value),
                            limit=MAX_ITEMS[key])


def _check_config(config: dict[str, Any], file: str | None) -> dict[str, Any]:
    """Type and range of every field :class:`ScoringConfig` takes; returns a cleaned copy."""
    config = dict(config)
    _integer(config, "year", YEAR_RANGE, file)
    _integer(config, "draws", DRAWS_RANGE, file)
    _integer(config, "top_n", TOP_N_RANGE, file)
    _integer(config, "min_n", MIN_N_RANGE, file)
    _integer(config, "max_per_kecamatan", QUOTA_RANGE, file, optional=True)
    _integer(config, "seed", SEED_RANGE, file)
    for key in ("min_one_per_kecamatan", "hotspot_criterion", "hotspot_fdr"):
        if key in config and not isinstance(config[key], bool):
            raise InputError.of("input.scenario.boolean", file=file, field=key, value=_shown(config[key]))
    for key in ("method", "normalisation", "smoothing", "missing"):
        if key in config and not isinstance(config[key], str):
            raise InputError.of("input.scenario.text", file=file, field=key, limit=MAX_TEXT)
    for key in ("indicators", "notes"):
        value = config.get(key, [])
        if not isinstance(value, list):
            raise InputError.of("input.scenario.list", file=file, field=key)
        _limit(value, key, file)
        if not all(isinstance(v, str) and len(v) <= MAX_TEXT for v in value):
            raise InputError.of("input.scenario.text", file=file, field=key, limit=MAX_TEXT)
    weights = config.get("weights", {})
    if not isinstance(weights, Mapping):
        raise InputError.of("input.scenario.object", file=file, field="weights")
    _limit(weights, "indicators", file)
    config["weights"] = {k: _number(v, f"weights.{k}"[:80], WEIGHT_RANGE, file)
                         for k, v in weights.items()}
    if config["weights"] and not any(config["weights"].values()):
        raise InputError.of("input.scenario.weights_zero", file=file)
    if "weight_cv" in config:
        config["weight_cv"] = _number(config["weight_cv"], "weight_cv", WEIGHT_CV_RANGE, file)
    if config.get("ahp_cr") is not None:
        config["ahp_cr"] = _number(config["ahp_cr"], "ahp_cr", AHP_CR_RANGE, file)
    for key in ("force_in", "force_out"):
        _text_map(config, key, file)
    return config


def _chosen_rows(chosen: list[Any], file: str | None) -> list[tuple[str, str]]:
    """``[(kode, alasan), ...]`` like :func:`normalise_chosen`, checked row by row in one pass."""
    _limit(chosen, "chosen", file)
    rows: list[tuple[str, str]] = []
    for n, row in enumerate(chosen, start=1):
        if isinstance(row, str):
            code, reason = row, ""
        elif isinstance(row, Mapping) and isinstance(row.get("kode"), str) and isinstance(
                row.get("alasan") or "", str):
            code, reason = row["kode"], row.get("alasan") or ""
        elif isinstance(row, list) and len(row) == 2 and isinstance(row[0], str) and isinstance(
                row[1] or "", str):
            code, reason = row[0], row[1] or ""
        else:
            raise InputError.of("input.scenario.chosen_row", file=file, n=n)
        code = code.strip()
        if not code or len(code) > 100 or len(reason) > MAX_TEXT:
            raise InputError.of("input.scenario.chosen_row", file=file, n=n)
        rows.append((code, reason.strip()))
    seen: set[str] = set()
    dup = sorted({c for c, _ in rows if c in seen or seen.add(c)})  # type: ignore[func-returns-value]
    if dup:
        raise InputError.of("input.scenario.chosen_duplicate", file=file, rows=dup)
    return rows


def _check_plan(plan: list[Any], file: str | None) -> None:
    _limit(plan, "plan", file)
    for i, row in enumerate(plan):
        if not isinstance(row, dict):
            raise InputError.of("export.scenario.plan_list", file=file)
        for key, value in row.items():
            if key in PLAN_NUMBER_RANGES and value is not None:
                _number(value, f"plan[{i}].{key}", PLAN_NUMBER_RANGES[key], file)
            elif not isinstance(value, str | int | float | bool | None) or (
                    isinstance(value, str) and len(value) > MAX_TEXT):
                raise InputError.of("input.scenario.text", file=file, field=f"plan[{i}].{key}"[:80],
                                    limit=MAX_TEXT)


def _reject_constant(name: str) -> Any:
    # json accepts NaN/Infinity by default; a scenario must not carry them
    raise InputError.of("input.scenario.not_finite", field=name)


def read_scenario_json(source: bytes | str | Path | Mapping[str, Any]) -> ScenarioDocument:
    """Parse a scenario document (bytes, JSON text, a file path or an already-parsed dict).

    Every number is checked for type and range before the config is built (see the
    module constants: years, draws, top N, quotas, seed, weights, thresholds, plan
    numbers) and list sizes are bounded, so the document can be written back as strict
    JSON and scored in bounded time.

    Raises
    ------
    InputError
        Not JSON, too large or too deep, not a ``lokus-scenario`` document, an
        unsupported version, missing keys, a number out of type or range (NaN, Infinity,
        1e308, 10^9 draws...), or an invalid config.
    """
    file = None
    if isinstance(source, Path):
        file = source.name
        try:
            if source.stat().st_size > MAX_SCENARIO_BYTES:
                raise InputError.of("input.scenario.too_large", file=file, limit=MAX_SCENARIO_BYTES)
            source = source.read_bytes()
        except OSError as exc:
            raise InputError.of("input.scenario.unreadable", file=file,
                                reason=str(exc.strerror or exc.__class__.__name__)) from None
    if isinstance(source, Mapping):
        doc: Any = dict(source)
    else:
        if len(source) > MAX_SCENARIO_BYTES:
            raise InputError.of("input.scenario.too_large", file=file, limit=MAX_SCENARIO_BYTES)
        try:
            doc = json.loads(source, parse_constant=_reject_constant)
        except InputError as exc:
            raise InputError.of("input.scenario.not_finite", file=file, **exc.message.params) from None
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise InputError.of("input.scenario.not_json", file=file) from None
    if not isinstance(doc, dict) or doc.get("format") != SCENARIO_FORMAT:
        raise InputError.of("export.scenario.not_scenario", file=file, format=SCENARIO_FORMAT)
    version = doc.get("version")
    if isinstance(version, bool) or version != SCENARIO_VERSION:
        raise InputError.of("export.scenario.version", file=file, version=repr(str(version)[:40]),
                            supported=str(SCENARIO_VERSION))
    missing = [k for k in ("dataset_id", "config", "chosen") if k not in doc]
    if missing:
        raise InputError.of("export.scenario.missing_keys", file=file, rows=missing)
    if not isinstance(doc["config"], dict) or not isinstance(doc["chosen"], list):
        raise InputError.of("export.scenario.shape", file=file)
    _scan(doc, "", file)
    for key in ("dataset_id", "name", "notes", "author", "created_at"):
        value = doc.get(key)
        if value is not None and not (isinstance(value, str) and len(value) <= MAX_TEXT):
            raise InputError.of("input.scenario.text", file=file, field=key, limit=MAX_TEXT)
    plan = doc.get("plan") or []
    if not isinstance(plan, list) or not all(isinstance(p, dict) for p in plan):
        raise InputError.of("export.scenario.plan_list", file=file)
    _check_plan(plan, file)
    chosen = _chosen_rows(doc["chosen"], file)
    checked = _check_config(doc["config"], file)
    try:
        config = ScoringConfig.from_dict(checked)
    except InputError as exc:
        raise InputError.of("export.scenario.bad_config_detail", file=file, detail=exc.message,
                            rows=exc.rows) from None
    except (TypeError, ValueError, OverflowError):
        raise InputError.of("export.scenario.bad_config", file=file) from None
    return ScenarioDocument(
        dataset_id=str(doc["dataset_id"]), name=str(doc.get("name") or ""), config=config,
        chosen=chosen, notes=str(doc.get("notes") or ""),
        author=str(doc.get("author") or ""), created_at=str(doc.get("created_at") or ""),
        plan=tuple(plan),
    )
