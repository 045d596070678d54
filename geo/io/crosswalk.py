"""Crosswalks: a planner's saved decisions on which village a (kecamatan, desa) name is.

A crosswalk (:data:`CROSSWALK_COLUMNS`) is applied first by :func:`geo.io.matching.match_names`;
an empty ``kode`` records "no village on the map". One file per district
(:func:`crosswalk_path`), written atomically.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd

from geo.core.codes import normalise_codes
from geo.core.errors import InputError
from geo.io.names import normalise_village_names

if TYPE_CHECKING:
    from geo.io.matching import NameMatch

__all__ = [
    "CROSSWALK_COLUMNS",
    "build_crosswalk",
    "check_crosswalk",
    "crosswalk_lookup",
    "crosswalk_path",
    "load_crosswalk",
    "save_crosswalk",
]

#: Columns of a saved crosswalk.
CROSSWALK_COLUMNS: Final = ("kecamatan", "desa", "kode", "decided_by", "decided_at")


def check_crosswalk(frame: pd.DataFrame, *, file: str | None) -> pd.DataFrame:
    """The crosswalk columns as text with dotted codes; InputError for missing columns or
    codes that are not Kemendagri codes."""
    missing = [c for c in ("kecamatan", "desa", "kode") if c not in frame.columns]
    if missing:
        raise InputError.of("input.crosswalk.missing_columns", file=file, columns=missing)
    out = pd.DataFrame({c: frame[c].astype("string") if c in frame.columns else pd.Series(
        pd.NA, index=frame.index, dtype="string") for c in CROSSWALK_COLUMNS})
    raw = out["kode"].str.strip().mask(lambda s: s == "")
    out["kode"] = normalise_codes(raw).astype("string")
    bad = raw.notna() & out["kode"].isna()
    if bad.any():
        raise InputError.of("input.crosswalk.bad_codes", file=file, column="kode",
                            rows=(np.flatnonzero(bad.to_numpy()) + 2).tolist())
    return out.reset_index(drop=True)


def crosswalk_lookup(crosswalk: pd.DataFrame | None, known: set[str]) -> dict[tuple[str, str], str | None]:
    """Decision per normalised (kecamatan, desa): a code of ``known``, or None for "not on the
    map"; decisions naming a code not in ``known`` are left out."""
    if crosswalk is None or len(crosswalk) == 0:
        return {}
    cw = check_crosswalk(crosswalk, file=None)
    kec = normalise_village_names(cw["kecamatan"]).fillna("")
    desa = normalise_village_names(cw["desa"]).fillna("")
    kode = cw["kode"]
    out: dict[tuple[str, str], str | None] = {}
    for k, d, c in zip(kec, desa, kode, strict=True):  # a few hundred decisions at most
        if pd.isna(c):
            out[(k, d)] = None
        elif c in known:
            out[(k, d)] = str(c)
    return out



def build_crosswalk(
    match: NameMatch,
    decisions: pd.DataFrame,
    *,
    decided_by: str,
    decided_at: datetime | None = None,
    previous: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Crosswalk from a planner's decisions, merged over an earlier crosswalk.

    Parameters
    ----------
    match
        The match the planner reviewed (its boundary codes validate the decisions).
    decisions
        ``kecamatan``, ``desa``, ``kode``: accepted or corrected pairs; an empty ``kode``
        records "no village on the map".
    decided_by
        Who decided (user name or role), stored with each decision.
    decided_at
        When; default now (UTC).
    previous
        Earlier crosswalk; a new decision for the same normalised pair replaces it.

    Raises
    ------
    InputError
        A decision names a code that is not in the boundaries.
    """
    new = check_crosswalk(decisions, file=None)
    known = set(match.boundaries["kode"])
    bad = new["kode"].notna() & ~new["kode"].isin(known).fillna(False).astype(bool)
    if bad.any():
        raise InputError.of("input.crosswalk.unknown_code", column="kode",
                            rows=new.loc[bad, "kode"].tolist())
    stamp = (decided_at or datetime.now(UTC)).isoformat(timespec="seconds")
    new["decided_by"] = decided_by
    new["decided_at"] = stamp
    frames = [new] if previous is None or len(previous) == 0 else [check_crosswalk(previous, file=None), new]
    both = pd.concat(frames, ignore_index=True)
    key = (normalise_village_names(both["kecamatan"]).fillna("") + "\0"
           + normalise_village_names(both["desa"]).fillna(""))
    keep = ~key.duplicated(keep="last")
    return both.loc[keep.to_numpy()].reset_index(drop=True).astype("string")


def save_crosswalk(crosswalk: pd.DataFrame, path: str | Path) -> Path:
    """Write a crosswalk as UTF-8 CSV (only :data:`CROSSWALK_COLUMNS`); returns the path."""
    path = Path(path)
    out = check_crosswalk(crosswalk, file=path.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    out.to_csv(tmp, index=False, encoding="utf-8")
    tmp.replace(path)  # atomic: a half-written crosswalk is never read
    return path


def load_crosswalk(path: str | Path, *, display_name: str | None = None) -> pd.DataFrame:
    """Read a crosswalk saved by :func:`save_crosswalk` (or edited by hand).

    Raises
    ------
    InputError
        Unreadable file, missing columns, invalid codes.
    """
    path = Path(path)
    file = display_name or path.name
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputError.of("input.crosswalk.unreadable", file=file) from exc
    frame = frame.replace("", pd.NA)
    return check_crosswalk(frame, file=file)


def crosswalk_path(folder: str | Path, kode_kab: str) -> Path:
    """Where the crosswalk of one district lives: ``<folder>/crosswalk_<PP.KK>.csv``."""
    safe = re.sub(r"[^0-9.]", "", str(kode_kab))[:5]
    if not re.fullmatch(r"\d{2}\.\d{2}", safe):
        raise ValueError(f"kode_kab must be PP.KK, got {kode_kab!r}")
    return Path(folder) / f"crosswalk_{safe}.csv"

