"""Glyphs for text on the offline map (village names, lokus numbers).

MapLibre draws text from signed-distance-field glyph files (``{fontstack}/{range}.pbf``) that
it fetches from the style's ``glyphs`` URL; plotly's default points to a font server on the
internet, which an offline app cannot reach. This module writes the Latin range (0–255: every
letter of Indonesian village names, digits, punctuation) from the DejaVu Sans fonts that ship
with matplotlib (free licence, ``LICENSE_DEJAVU``) into ``layouts/assets/glyphs``, served by
Dash with the other assets. Run ``python -m layouts.mapglyphs`` to rebuild the files.

The format is the Mapbox/MapLibre glyph protobuf (fields: stacks → name, range, glyphs → id,
bitmap, width, height, left, top, advance), written by hand; each bitmap is the SDF of the
glyph rendered at 24 px with a 3 px border (MapLibre's constants), 0.75 at the outline.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
from PIL import Image, ImageDraw, ImageFont
from scipy.ndimage import distance_transform_edt

#: Font stacks the map asks for (plotly's default family and a bold one) → DejaVu file.
STACKS = {"Open Sans Regular": "DejaVuSans.ttf", "Open Sans Bold": "DejaVuSans-Bold.ttf"}
GLYPH_DIR = Path(__file__).parent / "assets" / "glyphs"
_SIZE, _BORDER, _RADIUS, _CUTOFF = 24, 3, 8.0, 0.25


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _field(number: int, payload: bytes | int, *, signed: bool = False) -> bytes:
    """One protobuf field: length-delimited for bytes, varint (zigzag when signed) for ints."""
    if isinstance(payload, bytes):
        return _varint(number << 3 | 2) + _varint(len(payload)) + payload
    value = (payload << 1) ^ (payload >> 63) if signed else payload
    return _varint(number << 3) + _varint(value)


def _sdf(mask: np.ndarray) -> bytes:
    """Signed distance field bytes of a glyph mask (255 deep inside, 191 on the outline)."""
    outside = distance_transform_edt(~mask)
    inside = distance_transform_edt(mask)
    signed = outside - inside
    values = np.clip(np.round(255 - 255 * (signed / _RADIUS + _CUTOFF)), 0, 255)
    return values.astype(np.uint8).tobytes()


def glyph(font: ImageFont.FreeTypeFont, code: int) -> bytes:
    """The protobuf ``glyph`` message of one character."""
    char = chr(code)
    advance = round(font.getlength(char))
    left, top, right, bottom = font.getbbox(char)
    width, height = max(right - left, 0), max(bottom - top, 0)
    msg = _field(1, code)
    if width and height:
        canvas = Image.new("L", (width + 2 * _BORDER, height + 2 * _BORDER), 0)
        ImageDraw.Draw(canvas).text((_BORDER - left, _BORDER - top), char, font=font, fill=255)
        msg += _field(2, _sdf(np.asarray(canvas) > 127))
    # top as node-fontnik writes it: bitmap top above the baseline minus the ascender, i.e.
    # minus the bbox top PIL measures from the ascender line
    msg += _field(3, width) + _field(4, height) + _field(5, left, signed=True)
    msg += _field(6, -top, signed=True)
    return msg + _field(7, advance)


def write_glyphs(folder: Path = GLYPH_DIR) -> list[Path]:
    """Write ``<stack>/0-255.pbf`` for every font stack; returns the files written."""
    fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    written = []
    for stack, file in STACKS.items():
        font = ImageFont.truetype(str(fonts / file), _SIZE)
        glyphs = b"".join(_field(3, glyph(font, code)) for code in range(32, 256)
                          if code < 127 or code > 159)  # no control characters
        data = _field(1, _field(1, stack.encode()) + _field(2, b"0-255") + glyphs)
        path = folder / stack / "0-255.pbf"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in write_glyphs():
        print(written_path)
