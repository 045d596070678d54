"""Streaming uploads to disk: safe names, size limit, nothing left behind on failure."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from geo.core.errors import InputError


def test_save_stream_writes_in_chunks_and_names_safely(tmp_path: Path) -> None:
    from geo.io.uploads import save_stream

    data = bytes(range(256)) * 5000  # 1.28 MB: several chunks
    path = save_stream(io.BytesIO(data), tmp_path / "up", "../../x/Batas Desa.geojson",
                       allowed=(".geojson",), chunk=64 * 1024)
    assert path == tmp_path / "up" / "Batas_Desa.geojson"
    assert path.read_bytes() == data


@pytest.mark.parametrize(("name", "body", "limit", "message"), [
    ("a.exe", b"x", 100, "tidak didukung"),
    ("a.csv", b"", 100, "kosong"),
    ("a.csv", b"x" * 101, 100, "lebih besar dari batas"),
])
def test_save_stream_rejects_and_leaves_nothing(tmp_path: Path, name: str, body: bytes, limit: int,
                                                message: str) -> None:
    from geo.io.uploads import save_stream

    with pytest.raises(InputError, match=message) as err:
        save_stream(io.BytesIO(body), tmp_path / "up", name, allowed=(".csv",), max_bytes=limit,
                    chunk=10)
    assert name in str(err.value)
    folder = tmp_path / "up"
    assert not folder.exists() or list(folder.iterdir()) == []


def test_decode_upload_small_files() -> None:
    import base64

    from geo.io.uploads import decode_upload, safe_upload_name

    url = "data:text/csv;base64," + base64.b64encode(b"kode,x\n").decode()
    assert decode_upload(url, "..\\..\\daftar lalu.csv", allowed=(".csv",)) == (b"kode,x\n",
                                                                                "daftar_lalu.csv")
    with pytest.raises(InputError, match="base64"):
        decode_upload("data:text/csv;base64,@@@", "a.csv", allowed=(".csv",))
    with pytest.raises(InputError, match="lebih besar"):
        decode_upload(url, "a.csv", allowed=(".csv",), max_bytes=2)
    assert safe_upload_name("") == "berkas" and safe_upload_name("/etc/..") == "berkas"
