"""Compressed responses (callbacks/compression.py, issue 13) through Flask's test client: a
callback answer, the layout and the assets come gzip- or brotli-encoded when the browser
accepts it and plain when not, with the security headers unchanged; an already-compressed
download (XLSX) is not compressed a second time; the index page no longer carries the map
geometry that /_dash-layout sends."""

from __future__ import annotations

import base64
import gzip
import json
import re
import zipfile
from io import BytesIO

import brotli
import pytest

from app import create_app
from callbacks.compression import carries_compressed_download
from layouts import ids

HOST = "http://localhost"
SECURITY = ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy")


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    state = tmp_path_factory.mktemp("compression")
    app = create_app(database_url=f"sqlite:///{state}/lokus.db", state_dir=state)
    client = app.server.test_client()
    client.callbacks = list(app.callback_map)  # the renderer's "output" keys
    return client


def post(client, output: str, inputs: list, state: list, encoding: str | None, changed: str):
    """A Dash callback request as the renderer sends it (``changed``: the input that fired)."""
    def entry(pair):
        (component, prop), value = pair
        return {"id": component, "property": prop, "value": value}

    outputs = [dict(zip(("id", "property"), o.rsplit(".", 1), strict=True))
               for o in output.strip(".").split("...")]
    body = {"output": output, "outputs": outputs if output.startswith("..") else outputs[0],
            "inputs": [entry(p) for p in inputs], "state": [entry(p) for p in state],
            "changedPropIds": [changed]}
    headers = {"Origin": HOST, **({"Accept-Encoding": encoding} if encoding else {})}
    return client.post("/_dash-update-component", json=body, headers=headers)


def map_update(client, encoding: str | None):
    """The map recolouring callback (indicator, year, classes → Patch, legend, table …)."""
    first = f"..{ids.MAP_GRAPH}.figure...{ids.MAP_LEGEND}.children"
    output = next(k for k in client.callbacks if k.startswith(first))
    inputs = [((ids.FILTER_INDICATOR, "value"), "rasio_merah"), ((ids.FILTER_YEAR, "value"), 2021),
              ((ids.FILTER_SCHEME, "value"), "quantiles"), ((ids.FILTER_CLASSES, "value"), 5),
              ((ids.FILTER_KECAMATAN, "value"), None), ((ids.MAP_LAYER, "value"), "indikator")]
    state = [((ids.STORE_DATASET, "data"), "sumedang"), ((ids.STORE_LANG, "data"), "id")]
    return post(client, output, inputs, state, encoding, f"{ids.FILTER_INDICATOR}.value")


def quality_report(client, button: str, encoding: str):
    """The data-quality report download (CSV or XLSX) of the embedded dataset."""
    output = next(k for k in client.callbacks if k.startswith(f"{ids.QUALITY_DOWNLOAD}.data"))
    inputs = [((b, "n_clicks"), 1 if b == button else None) for b in (ids.QUALITY_CSV, ids.QUALITY_XLSX)]
    state = [((ids.STORE_DATASET, "data"), "sumedang"), ((ids.STORE_LANG, "data"), "id")]
    response = post(client, output, inputs, state, encoding, f"{button}.n_clicks")
    assert response.status_code == 200
    return response


def test_callback_answer_is_gzip_when_asked_and_plain_when_not(client):
    plain = map_update(client, None)
    packed = map_update(client, "gzip")
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert json.loads(gzip.decompress(packed.data)) == json.loads(plain.data)
    assert len(packed.data) < len(plain.data) / 3  # hover texts and table rows repeat a lot
    for header in SECURITY:  # the guard's headers are kept, unchanged
        assert packed.headers[header] == plain.headers[header]


def test_brotli_preferred_when_the_browser_accepts_it(client):
    packed = map_update(client, "gzip, deflate, br, zstd")  # what Chromium sends
    assert packed.headers["Content-Encoding"] == "br"
    assert json.loads(brotli.decompress(packed.data)) == json.loads(map_update(client, None).data)


@pytest.mark.parametrize("path", ["/_dash-layout", "/_dash-dependencies", "/"])
def test_page_layout_and_dependencies_compressed(client, path):
    plain = client.get(path)
    packed = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    end_id = re.compile(rb'"end_id":"[^"]*"')  # the page's per-request token
    assert end_id.sub(b"", gzip.decompress(packed.data)) == end_id.sub(b"", plain.data)
    assert packed.headers["Content-Security-Policy"] == plain.headers["Content-Security-Policy"]


def test_assets_compressed_once_and_served_again_identical(client):
    plain = client.get("/assets/lokus.css")
    first = client.get("/assets/lokus.css", headers={"Accept-Encoding": "gzip"})
    again = client.get("/assets/lokus.css", headers={"Accept-Encoding": "gzip"})
    assert first.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(first.data) == plain.data
    assert again.data == first.data
    assert int(first.headers["Content-Length"]) == len(first.data)


def test_xlsx_download_not_compressed_again(client):
    response = quality_report(client, ids.QUALITY_XLSX, "gzip, br")
    assert "Content-Encoding" not in response.headers  # its bytes are a zip already
    assert "Accept-Encoding" in response.headers["Vary"]
    download = json.loads(response.data)["response"][ids.QUALITY_DOWNLOAD]["data"]
    assert download["filename"].endswith(".xlsx") and download["base64"] is True
    assert zipfile.is_zipfile(BytesIO(base64.b64decode(download["content"])))


def test_csv_download_still_compressed(client):
    response = quality_report(client, ids.QUALITY_CSV, "gzip")
    body = gzip.decompress(response.data) if response.headers.get("Content-Encoding") else response.data
    download = json.loads(body)["response"][ids.QUALITY_DOWNLOAD]["data"]
    assert download["filename"].endswith(".csv")
    if len(body) >= 500:  # smaller answers are not worth compressing (COMPRESS_MIN_SIZE)
        assert response.headers["Content-Encoding"] == "gzip"


def test_download_detection():
    class Reply:
        is_streamed, direct_passthrough, mimetype = False, False, "application/json"

        def __init__(self, body: bytes):
            self.body = body

        def get_data(self) -> bytes:
            return self.body

    def reply(name: str) -> Reply:
        return Reply(json.dumps({"response": {"d": {"data": {
            "content": "UEsDBA==", "filename": name, "type": None, "base64": True}}}}).encode())

    for name in ("peta.png", "Peta Lokus.PDF", "hasil.xlsx", "paket.zip"):
        assert carries_compressed_download(reply(name))
    assert not carries_compressed_download(reply("mutu.csv"))
    assert not carries_compressed_download(Reply(b'{"filename": "x.png"}'))  # no download


def test_index_page_does_not_carry_the_map_geometry(client):
    page = client.get("/").data
    layout = client.get("/_dash-layout").data
    assert b'"coordinates"' in layout  # the map geometry goes once: in the layout
    assert b'"coordinates"' not in page
    assert len(page) < len(layout) / 3
