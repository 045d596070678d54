"""Scenario JSON: the document that reloads into the app and reproduces the ranking exactly.

Shape (shared with ``geo.store.Scenario.to_json``; keys in this order)::

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
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from geo.errors import InputError
from geo.export.common import ChosenInput, normalise_chosen
from geo.scoring import ScoringConfig

__all__ = ["SCENARIO_FORMAT", "SCENARIO_VERSION", "ScenarioDocument", "export_json", "read_scenario_json"]

SCENARIO_FORMAT = "lokus-scenario"
SCENARIO_VERSION = 1


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
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def read_scenario_json(source: bytes | str | Path | Mapping[str, Any]) -> ScenarioDocument:
    """Parse a scenario document (bytes, JSON text, a file path or an already-parsed dict).

    Raises
    ------
    InputError
        Not JSON, not a ``lokus-scenario`` document, an unsupported version, missing
        keys, or an invalid config.
    """
    file = None
    if isinstance(source, Path):
        file = source.name
        try:
            source = source.read_bytes()
        except OSError as exc:
            raise InputError(f"berkas skenario tidak dapat dibaca ({exc.strerror or exc})",
                             file=file) from None
    if isinstance(source, Mapping):
        doc: Any = dict(source)
    else:
        try:
            doc = json.loads(source)
        except (ValueError, UnicodeDecodeError):
            raise InputError("berkas skenario bukan JSON yang valid", file=file) from None
    if not isinstance(doc, dict) or doc.get("format") != SCENARIO_FORMAT:
        raise InputError(f"bukan dokumen skenario Lokus (\"format\": \"{SCENARIO_FORMAT}\")", file=file)
    if doc.get("version") != SCENARIO_VERSION:
        raise InputError(f"versi skenario {doc.get('version')!r} tidak didukung (hanya {SCENARIO_VERSION})",
                         file=file)
    missing = [k for k in ("dataset_id", "config", "chosen") if k not in doc]
    if missing:
        raise InputError("dokumen skenario tanpa kunci wajib", file=file, rows=missing)
    if not isinstance(doc["config"], dict) or not isinstance(doc["chosen"], list):
        raise InputError("'config' harus objek dan 'chosen' harus daftar", file=file)
    plan = doc.get("plan") or []
    if not isinstance(plan, list) or not all(isinstance(p, dict) for p in plan):
        raise InputError("'plan' harus daftar objek", file=file)
    try:
        config = ScoringConfig.from_dict(doc["config"])
    except InputError as exc:
        raise InputError(f"konfigurasi skenario tidak valid: {exc.message}", file=file,
                         rows=exc.rows) from None
    except TypeError:
        raise InputError("konfigurasi skenario tidak valid", file=file) from None
    return ScenarioDocument(
        dataset_id=str(doc["dataset_id"]), name=str(doc.get("name") or ""), config=config,
        chosen=normalise_chosen(doc["chosen"]), notes=str(doc.get("notes") or ""),
        author=str(doc.get("author") or ""), created_at=str(doc.get("created_at") or ""),
        plan=tuple(plan),
    )
