"""Browser uploads: small ones as dcc.Upload data URLs (:func:`decode_upload`), data files
streamed to disk in chunks with a size limit (:func:`save_stream`)."""

from __future__ import annotations

import base64
import binascii
import os
import re
import uuid
from pathlib import Path
from typing import BinaryIO

from geo.core.errors import InputError

__all__ = ["DEFAULT_MAX_UPLOAD_BYTES", "decode_upload", "safe_upload_name", "save_stream"]

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
        raise InputError.of("input.upload.none", file=name)
    if not name.lower().endswith(allowed):
        raise InputError.of("upload.error.type", file=name, allowed=", ".join(allowed))
    _, _, payload = contents.partition(",")
    if len(payload) * 3 // 4 > max_bytes:
        raise InputError.of("upload.error.too_large", file=name, mb=max_bytes // (1024 * 1024))
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise InputError.of("input.upload.not_base64", file=name) from None
    if not data:
        raise InputError.of("upload.error.empty", file=name)
    return data, name


def save_stream(stream: BinaryIO, folder: Path, filename: str | None, *, allowed: tuple[str, ...],
                max_bytes: int = DEFAULT_MAX_UPLOAD_BYTES, chunk: int = 1 << 20) -> Path:
    """Write an uploaded byte stream to ``folder/<safe name>`` without holding it in memory.

    The bytes go to a hidden temporary file first and are renamed into place only when the
    whole stream arrived within ``max_bytes``, so a rejected or broken upload leaves nothing.

    Raises
    ------
    InputError
        Wrong extension, empty, or larger than ``max_bytes``.
    """
    name = safe_upload_name(filename)
    if not name.lower().endswith(allowed):
        raise InputError.of("upload.error.type", file=name, allowed=", ".join(allowed))
    folder.mkdir(parents=True, exist_ok=True)
    part = folder / f".part-{uuid.uuid4().hex}"
    size = 0
    try:
        with part.open("wb") as out:
            while block := stream.read(chunk):
                size += len(block)
                if size > max_bytes:
                    raise InputError.of("upload.error.too_large", file=name,
                                        mb=max_bytes // (1024 * 1024))
                out.write(block)
        if size == 0:
            raise InputError.of("upload.error.empty", file=name)
        os.replace(part, folder / name)
    finally:
        part.unlink(missing_ok=True)
    return folder / name
