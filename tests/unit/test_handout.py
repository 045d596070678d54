"""The hand-out map: a real PNG of A4 landscape size and a one-page PDF with its legend,
numbered lokus, north arrow, scale bar, source line, date and SINTETIS."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import numpy as np
import pypdf
import pytest
from PIL import Image

from geo.export.handout import A4_LANDSCAPE, HandoutLegend, HandoutMap, css_colour, render_handout

pytestmark = pytest.mark.slow  # draws 277 polygons (a second or two each)


@pytest.fixture(scope="module")
def spec(sumedang_dataset):
    villages = sumedang_dataset.villages
    n = len(villages)
    index = np.arange(n) % 3
    index[:5] = -1  # five villages without data
    colours = ["rgb(255, 238, 162)", "#fd8d3c", "#bd0026"]
    legend = HandoutLegend("Rasio skrining merah (%), 2021", "Arah: makin tinggi makin buruk",
                           [(c, f"kelas {i + 1}", int((index == i).sum())) for i, c in enumerate(colours)],
                           ("#cfcfcf", "Tanpa data", 5),
                           "Nilai yang sama (mis. 0) di 139 desa: 4 kelas, bukan 5.")
    codes = villages["kode"].tolist()
    return HandoutMap(dataset=sumedang_dataset, class_index=index, colours=colours, legend=legend,
                      title="Rasio skrining merah 2021 — Kabupaten Sumedang",
                      lokus={codes[10]: 1, codes[20]: 2}, named=codes[:3], synthetic=True,
                      bubbles=np.arange(n, dtype=float),
                      bubble_title="Gelembung = anak merah",
                      created_at=datetime(2026, 2, 10, tzinfo=UTC))


def test_png_is_a_real_a4_landscape_image(spec):
    data = render_handout(spec, "png", dpi=100)
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    assert image.size == (int(A4_LANDSCAPE[0] * 100), int(A4_LANDSCAPE[1] * 100))
    pixels = np.asarray(image.convert("RGB"))
    # the third class colour is on the map (villages are drawn, not only the frame)
    assert (np.abs(pixels.astype(int) - [0xbd, 0x00, 0x26]).sum(axis=2) < 30).sum() > 1000


def test_pdf_is_one_page_with_the_legend_and_frame_texts(spec):
    reader = pypdf.PdfReader(io.BytesIO(render_handout(spec, "pdf")))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert width == pytest.approx(A4_LANDSCAPE[0] * 72, abs=1) and width > height  # landscape A4
    text = page.extract_text()
    for expected in ("Rasio skrining merah 2021 — Kabupaten Sumedang", "kelas 1", "Tanpa data",
                     "(5 desa)", "4 kelas, bukan 5", "SINTETIS", "10 Februari 2026",
                     "Desa lokus (2; angka = peringkat)", "Batas kecamatan", "km", "Sumber:"):
        assert expected in text, expected
    names = spec.dataset.villages["nama"].tolist()
    assert f"1. {names[10]}" in text and f"2. {names[20]}" in text  # the lokus list, by rank
    assert "\n1\n2\n" in text  # and their numbers on the map


def test_english_frame_and_no_sintetis_for_real_data(spec):
    from dataclasses import replace

    text = pypdf.PdfReader(io.BytesIO(render_handout(replace(spec, synthetic=False, lokus={}),
                                                     "pdf", lang="en"))).pages[0].extract_text()
    assert "10 February 2026" in text and "Source:" in text and "SINTETIS" not in text
    assert "Priority villages" not in text


def test_css_colours_become_hex():
    assert css_colour("rgb(255, 238, 162)") == "#ffeea2"
    assert css_colour("#cfcfcf") == "#cfcfcf"
    with pytest.raises(ValueError):
        render_handout(HandoutMap(dataset=None, class_index=np.array([]), colours=[],  # type: ignore[arg-type]
                                  legend=HandoutLegend(""), title=""), "svg")
