"""Opening user files safely: base names, formats, and zip archives within size limits.

A file's format is recognised by its first bytes where it has a signature, else by its
name (:class:`FileFormat`, :func:`pick_format`); the boundary and table readers each keep
one table of formats, so adding a format is one row there. A zipped shapefile and an XLSX
workbook are zip archives; both are checked here for unsafe member paths (zip slip) and
for their expanded size (zip bombs) before anything is read.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Final

from geo.core.errors import InputError

__all__ = [
    "MAX_UNZIPPED_MB",
    "MAX_XLSX_UNZIPPED_BYTES",
    "MAX_ZIP_MEMBERS",
    "OLE_MAGIC",
    "SQLITE_MAGIC",
    "ZIP_MAGIC",
    "FileFormat",
    "base_name",
    "check_zip",
    "extract_zip",
    "megabytes",
    "pick_format",
    "read_head",
    "upload_suffixes",
]

ZIP_MAGIC: Final = b"PK\x03\x04"
SQLITE_MAGIC: Final = b"SQLite format 3\x00"
OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0"  # legacy .xls

#: Default limit (MB) on the summed expanded size of a zipped upload; the app and the
#: command line pass their own (``max_unzipped_mb``).
MAX_UNZIPPED_MB: Final = 1000.0
#: Most members of a zipped shapefile (a shapefile has a handful of files).
MAX_ZIP_MEMBERS: Final = 1_000
#: Uncompressed size limit for an XLSX workbook (a zip too): guards against zip bombs.
MAX_XLSX_UNZIPPED_BYTES: Final = 500_000_000


@dataclass(frozen=True)
class FileFormat:
    """One readable file format.

    Attributes
    ----------
    name
        Short name (``"geojson"``, ``"xlsx"``).
    suffixes
        File name endings, lower case with the dot; the first is the usual one.
    read
        The reader (its signature is the one of the table the format is registered in).
    sniff
        Recognises the format by the file's first bytes, whatever its name (None: by name only).
    upload
        Offered in the browser's upload dialogs (a bare ``.shp`` is not: its sidecar files
        cannot come along).
    """

    name: str
    suffixes: tuple[str, ...]
    read: Callable[..., Any]
    sniff: Callable[[bytes], bool] | None = None
    upload: bool = True


def pick_format(formats: Sequence[FileFormat], head: bytes, suffix: str) -> FileFormat | None:
    """The format of a file: the first whose signature matches ``head``, else the first
    named by ``suffix``, else None."""
    for fmt in formats:
        if fmt.sniff is not None and fmt.sniff(head):
            return fmt
    return next((fmt for fmt in formats if suffix.lower() in fmt.suffixes), None)


def upload_suffixes(formats: Sequence[FileFormat]) -> tuple[str, ...]:
    """Every suffix an upload dialog accepts for ``formats``."""
    return tuple(suffix for fmt in formats if fmt.upload for suffix in fmt.suffixes)


def megabytes(mb: float) -> int:
    """A limit of ``mb`` megabytes in bytes."""
    return int(max(float(mb), 0.0) * 1024 * 1024)


def base_name(path: Path, display_name: str | None) -> str:
    """The name shown in messages: only ever the base name, a server path must not leak."""
    return PurePosixPath(str(display_name or path.name).replace("\\", "/")).name


def read_head(path: Path, file: str, n: int = 16) -> bytes:
    """The first ``n`` bytes (what a format is recognised by); InputError when unreadable or empty."""
    try:
        with path.open("rb") as handle:
            head = handle.read(n)
    except OSError as exc:
        raise InputError.of("input.file.unopenable", file=file) from exc
    if not head:
        raise InputError.of("input.file.empty", file=file)
    return head


def _unsafe_member(name: str) -> bool:
    """Zip-slip check: absolute paths, drive letters and ``..`` components."""
    name = name.replace("\\", "/")
    return name.startswith("/") or re.match(r"^[A-Za-z]:", name) is not None or ".." in name.split("/")


def check_zip(archive: zipfile.ZipFile, file: str, max_bytes: int) -> list[zipfile.ZipInfo]:
    """The members of ``archive``; InputError for unsafe paths or a declared size over ``max_bytes``."""
    members = archive.infolist()
    bad = [m.filename for m in members if _unsafe_member(m.filename)]
    if bad:
        raise InputError.of("input.zip.unsafe", file=file, rows=bad)
    if sum(m.file_size for m in members) > max_bytes:
        raise InputError.of("input.zip.too_big", file=file, limit=max_bytes)
    return members


def extract_zip(path: Path, target: Path, file: str, max_bytes: int) -> None:
    """Extract safely into ``target``, also counting the bytes actually written (headers can lie)."""
    written = 0
    try:
        with zipfile.ZipFile(path) as archive:
            members = check_zip(archive, file, max_bytes)
            if len(members) > MAX_ZIP_MEMBERS:
                raise InputError.of("input.boundary.zip_members", file=file,
                                    n=len(members), limit=MAX_ZIP_MEMBERS)
            for member in members:
                if member.is_dir():
                    continue
                out = target / member.filename.replace("\\", "/")
                out.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(member) as src, out.open("wb") as dst:
                    while chunk := src.read(1 << 20):
                        written += len(chunk)
                        if written > max_bytes:
                            raise InputError.of("input.zip.too_big", file=file, limit=max_bytes)
                        dst.write(chunk)
    except InputError:
        raise
    except zlib.error as exc:  # a corrupt deflate stream inside an intact zip directory
        raise InputError.of("input.boundary.zip_corrupt", file=file) from exc
    except (zipfile.BadZipFile, zipfile.LargeZipFile, RuntimeError, OSError, EOFError,
            NotImplementedError, ValueError) as exc:
        # RuntimeError: encrypted member; OSError/EOFError: truncated or corrupt data;
        # NotImplementedError: unsupported compression method; ValueError: bad header values.
        raise InputError.of("input.zip.broken", file=file) from exc
