"""The anonymous child key of e-PPGBM records (DOMAIN §6): who was measured twice, without names.

NIK and names are read only here, hashed with a random key drawn per upload, so the key
cannot be linked across uploads or reversed by trying NIKs; nothing else keeps them.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping

import numpy as np
import pandas as pd

__all__ = ["child_key", "new_salt"]


def new_salt() -> str:
    """A random hash key for one upload: 16 characters, as pandas expects."""
    return secrets.token_hex(8)


def child_key(raw: pd.DataFrame, cols: Mapping[str, str], sex: np.ndarray, birth: pd.Series, *,
              salt: str | None = None) -> tuple[np.ndarray, str]:
    """Anonymous per-upload child key; the identifying text never leaves this function.

    Identity = NIK (digits only) where present, else upper-case name + birth date + sex,
    else the row itself.  The parts are hashed together with ``salt``, the upload's random
    key (:func:`new_salt`; a new one when None), so every chunk of an upload gives a child
    the same key.
    """
    n = len(raw)
    empty = pd.Series("", index=raw.index, dtype=object)
    nik = empty
    if "nik" in cols:
        text = raw[cols["nik"]].astype("string")
        odd = ~text.str.isdigit().fillna(True).astype(bool)  # only clean what needs it (fast path)
        if odd.any():
            text = text.where(~odd, text.str.replace(r"[^0-9]", "", regex=True))
        nik = text.mask(text.str.fullmatch(r"0*").fillna(True)).astype(object)
    has_nik = pd.notna(nik) & (nik != "")
    name = empty
    if "nama" in cols:
        name = raw[cols["nama"]].astype("string").str.upper().str.replace("  ", " ", regex=False)
        name = name.astype(object)
    has_name = ~has_nik & pd.notna(name) & (name != "")
    kind = np.select([has_nik.to_numpy(), has_name.to_numpy()], ["K", "N"], "R")
    parts = pd.DataFrame({
        "kind": kind,
        "nik": nik.where(has_nik, ""),
        "name": name.where(has_name, ""),
        "birth": np.where(has_name, birth.to_numpy().astype("int64"), 0),
        "sex": np.where(has_name, sex.astype("int64"), 0),
        "row": np.where(kind == "R", raw["_row"].to_numpy(dtype="int64"), 0),
    })
    identity = "nik" if "nik" in cols else ("nama" if "nama" in cols else "none")
    salt = salt or new_salt()
    hashed = pd.util.hash_pandas_object(parts, index=False, hash_key=salt).to_numpy()
    del parts, nik, name
    return hashed.astype(np.uint64).reshape(n), identity
