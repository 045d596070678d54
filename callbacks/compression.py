"""Compressed responses (issue 13): brotli or gzip, whichever the browser accepts.

:func:`install` (called once by ``app.create_app``, before any other ``after_request`` hook,
so that compression runs last, on the final body and headers) compresses:

- the page, ``/_dash-layout``, ``/_dash-dependencies`` and every callback response (JSON);
- the JS and CSS of Dash and of ``assets/``: compressed once per worker and kept (they
  never change while the process runs; plotly.js alone takes ~0.2 s to compress).

Not compressed: images, fonts in binary formats, and callback responses that carry an
already-compressed download (PNG, PDF, XLSX, zip… travel base64 inside the JSON of
``dcc.Download``): compressing them again costs server time for little gain.
"""

from __future__ import annotations

import re

import flask
from flask_compress import Compress

__all__ = ["ALGORITHMS", "STATIC_PREFIXES", "carries_compressed_download", "install"]

#: Preferred first when the browser accepts several (brotli: ~5 % smaller than gzip here).
ALGORITHMS = ["br", "gzip"]
STATIC_PREFIXES = ("/_dash-component-suites/", "/assets/")
#: Downloads whose bytes are compressed already (Office files and GeoPackages are zip/SQLite
#: containers with compressed parts; images and PDF streams are deflated).
_COMPRESSED_DOWNLOAD = re.compile(
    rb'"filename":\s*"[^"]*\.(?:png|jpe?g|pdf|xlsx|docx|pptx|zip|gz|gpkg)"', re.IGNORECASE)


class _BoundedCache:
    """Compressed static files of one worker (a bounded number: query strings vary)."""

    def __init__(self, max_entries: int = 256) -> None:
        self.data: dict[str, bytes] = {}
        self.max_entries = max_entries

    def get(self, key: str) -> bytes | None:
        return self.data.get(key)

    def set(self, key: str, value: bytes) -> None:
        if key in self.data or len(self.data) < self.max_entries:
            self.data[key] = value


def carries_compressed_download(response: flask.Response) -> bool:
    """Whether a callback response carries a base64 download of an already-compressed file."""
    if response.is_streamed or response.direct_passthrough or response.mimetype != "application/json":
        return False
    body = response.get_data()
    return b'"base64"' in body and _COMPRESSED_DOWNLOAD.search(body) is not None


def install(server: flask.Flask) -> None:
    """Compress the responses of ``server`` (see the module docstring)."""
    server.config.update(COMPRESS_REGISTER=False, COMPRESS_ALGORITHM=ALGORITHMS,
                         COMPRESS_ALGORITHM_STREAMING=ALGORITHMS, COMPRESS_LEVEL=6,
                         COMPRESS_BR_LEVEL=4, COMPRESS_MIN_SIZE=500)
    dynamic = Compress()
    dynamic.init_app(server)
    static = Compress()
    static.init_app(server)
    static.cache = _BoundedCache()
    static.cache_key = lambda request: request.full_path

    def compress(response: flask.Response) -> flask.Response:
        request = flask.request
        if request.method == "GET" and request.path.startswith(STATIC_PREFIXES) \
                and response.status_code == 200:
            response.direct_passthrough = False  # a file sent by Flask: read it, compress once
            response.make_sequence()
            response.close()  # the file: its bytes are read
            return static.after_request(response)
        if carries_compressed_download(response):
            response.vary.add("Accept-Encoding")
            return response
        return dynamic.after_request(response)

    server.after_request(compress)
