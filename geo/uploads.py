"""Browser uploads (dcc.Upload data URLs) decoded safely into bytes and a safe file name."""

from __future__ import annotations

import base64
import binascii
import re

from geo.errors import InputError

__all__ = ["DEFAULT_MAX_UPLOAD_BYTES", "decode_upload", "safe_upload_name"]

#: Upload size limit (bytes); LOKUS_MAX_UPLOAD_MB overrides it in the app.
DEFAULT_MAX_UPLOAD_BYTES = 200 * 1024 * 1024


def safe_upload_name(filename: str | None) -> str:
    """Base name only (no folders, no '..'), restricted characters, never empty.

    Examples
    --------
    >>> safe_upload_name("../../etc/passwd")
    'passwd'
    >>> safe_upload_name("C:\\\\data\\\\lokus 2025.xlsx")
    'lokus_2025.xlsx'
    """
    base = re.split(r"[\\\\/]", filename or "")[-1]
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._")
    return base[:120] or "berkas"


def decode_upload(contents: str | None, filename: str | None, *, allowed: tuple[str, ...],
                  max_bytes: int = DEFAULT_MAX_UPLOAD_BYTES) -> tuple[bytes, str]:
    """Decode a ``data:<mime>;base64,<data>`` upload.

    Parameters
    ----------
    contents, filename
        As dcc.Upload gives them.
    allowed
        Accepted extensions, lower case with the dot (``(".csv", ".xlsx")``).
    max_bytes
        Size limit of the decoded file.

    Returns
    -------
    (bytes, safe file name)

    Raises
    ------
    InputError
        No file, wrong extension, undecodable or too large.
    """
    name = safe_upload_name(filename)
    if not contents:
        raise InputError("tidak ada berkas yang diunggah", file=name)
    if not name.lower().endswith(allowed):
        raise InputError(f"jenis berkas tidak didukung; gunakan {', '.join(allowed)}", file=name)
    _, _, payload = contents.partition(",")
    if len(payload) * 3 // 4 > max_bytes:
        raise InputError(f"berkas lebih besar dari batas {max_bytes // (1024 * 1024)} MB", file=name)
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise InputError("isi unggahan rusak (bukan base64)", file=name) from None
    if not data:
        raise InputError("berkas kosong", file=name)
    return data, name
