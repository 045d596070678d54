"""The presenter on a 1024×768 projector: every step's title on one line and unclipped, at least
five lokus per screen on step 4, legends in words ("rendah / sedang / tinggi" with the numbers
beside), nothing overflowing at 1024×768, 1366×768 and 1920×1080; a screenshot of every step
at 1024×768 (``artifacts/presenter-1024-step-<n>.png``)."""

from __future__ import annotations

import contextlib
import re
import time

import pytest
from dash.testing import errors as dash_errors
from dash.testing.wait import until

from app import create_app
from tests.e2e.helpers import LAPTOP, PROJECTOR, TIMEOUT, screenshot, set_size, wait_idle, wait_ready

pytestmark = pytest.mark.e2e

FULL_HD = (1920, 1080)
TITLES = ("Analisis situasi", "Sebaran per kecamatan", "Desa kandidat", "Usulan desa lokus",
          "disepakati")
#: On step 4 a projector shows at least this many villages without scrolling.
MIN_ROWS = 5

TITLE_BOX = """
const el = document.getElementById('present-title');
const r = el.getBoundingClientRect(), style = getComputedStyle(el);
return {height: r.height, line: parseFloat(style.lineHeight), font: parseFloat(style.fontSize),
        scroll: el.scrollWidth, client: el.clientWidth, right: r.right, text: el.textContent};
"""

#: Elements sticking out to the right of the page or of the scrolling panel that holds them.
OVERFLOWS = """
const out = [], width = innerWidth;
const overlay = document.getElementById('present-overlay'), frame = overlay.getBoundingClientRect();
// the overlay is the whole window (the page behind it does not scroll while presenting)
if (Math.abs(frame.width - width) > 1 || Math.abs(frame.height - innerHeight) > 1) out.push('overlay frame');
if (overlay.scrollWidth > overlay.clientWidth + 1) out.push('overlay ' + overlay.scrollWidth);
const parts = '.present-head > *, .present-body, .present-side, .present-map-col';
for (const el of overlay.querySelectorAll(parts)) {
  const r = el.getBoundingClientRect();
  if (r.width === 0) continue;  // hidden on this step
  if (r.right > width + 1 || r.left < -1) out.push(`${el.id || el.className} at ${r.left}-${r.right}`);
  if (el.scrollWidth > el.clientWidth + 1) out.push(`${el.id || el.className} scrolls ${el.scrollWidth}`);
}
const legend = document.getElementById('present-legend'), col = legend.parentElement.getBoundingClientRect();
const lr = legend.getBoundingClientRect();
if (lr.width && (lr.right > col.right + 1 || lr.top < col.top - 1)) out.push('legend outside the map');
return out;
"""

#: Rows of the lokus list wholly visible: inside the window and inside the scrolling body.
VISIBLE_ROWS = """
const body = document.getElementById('present-body').getBoundingClientRect();
return [...document.querySelectorAll('#present-list tbody tr')].filter(tr => {
  const r = tr.getBoundingClientRect();
  return r.height > 0 && r.top >= Math.max(0, body.top) - 1
    && r.bottom <= Math.min(innerHeight, body.bottom) + 1;
}).length;
"""


def js(dash_duo, script: str):
    return dash_duo.driver.execute_script(script)


def go_to(dash_duo, n: int) -> None:
    button = "#present-open" if n == 1 else "#present-next"
    js(dash_duo, f"document.querySelector('{button}').click()")
    dash_duo.wait_for_text_to_equal("#present-counter", f"{n} / 5", timeout=TIMEOUT)
    dash_duo.wait_for_contains_text("#present-title", TITLES[n - 1], timeout=TIMEOUT)
    {1: lambda: dash_duo.wait_for_contains_text("#present-legend", "Tanpa data", timeout=TIMEOUT),
     2: lambda: until(lambda: dash_duo.find_elements("#present-body .js-plotly-plot"), timeout=TIMEOUT),
     3: lambda: dash_duo.wait_for_contains_text("#present-legend", "Skor prioritas", timeout=TIMEOUT),
     4: lambda: until(lambda: len(dash_duo.find_elements("#present-list tbody tr")) == 20, timeout=TIMEOUT),
     5: lambda: dash_duo.wait_for_contains_text("#present-changes", "rembuk", timeout=TIMEOUT)}[n]()
    wait_idle(dash_duo)


def settled_title(dash_duo) -> dict:
    """The title's box once its size has stopped changing (the fit runs after each change)."""
    boxes = [js(dash_duo, TITLE_BOX)]
    for _ in range(50):
        time.sleep(0.1)
        boxes.append(js(dash_duo, TITLE_BOX))
        if boxes[-1] == boxes[-2]:
            break
    return boxes[-1]


def check_fits(dash_duo, n: int, size: tuple[int, int]) -> dict:
    set_size(dash_duo, size)
    assert js(dash_duo, "return [innerWidth, innerHeight]") == list(size)
    box = settled_title(dash_duo)
    where = f"step {n} at {size[0]}×{size[1]}: {box}"
    assert box["height"] == pytest.approx(box["line"], abs=1.5), where  # one line box
    assert box["scroll"] <= box["client"] + 1, where  # the whole title shows, no ellipsis
    assert box["right"] <= size[0], where
    assert box["font"] >= (24 if size[0] >= 1366 else 20), where  # still large on a projector
    # plotly resizes its graphs a moment after the window (debounced): wait for the layout
    # to settle, then nothing may stick out
    with contextlib.suppress(dash_errors.TestingTimeoutError):  # the assertion below says what sticks out
        until(lambda: js(dash_duo, OVERFLOWS) == [], timeout=TIMEOUT, poll=0.2)
    overflows = js(dash_duo, OVERFLOWS)
    assert overflows == [], f"step {n} at {size}: {overflows}"
    return box


def check_legend_words(dash_duo, n: int) -> None:
    rows = [li.text for li in dash_duo.find_elements("#present-legend li")]
    words = [r.split(" (")[0] for r in rows if not r.startswith("Tanpa data")]
    assert words == ["rendah", "sedang", "tinggi"], rows
    assert re.search(r"^tinggi \(≥ \d+(,\d+)?" + (" %" if n == 1 else "") + r"\)", rows[2]), rows
    assert rows[0].startswith("rendah (")
    size = js(dash_duo, "return parseFloat(getComputedStyle("
                        "document.querySelector('#present-legend li')).fontSize)")
    assert size >= 18  # read from the back of the room


def test_presenter_is_readable_on_a_1024x768_projector(dash_duo, tmp_path):
    dash_duo.start_server(create_app(database_url=f"sqlite:///{tmp_path}/e2e.db", state_dir=tmp_path))
    wait_ready(dash_duo)
    # headless Chromium's "screen" is 800×600: refuse fullscreen so the page keeps its size
    js(dash_duo, "document.documentElement.requestFullscreen = () => Promise.reject(new Error('test'));")
    set_size(dash_duo, PROJECTOR)
    for n in range(1, 6):
        go_to(dash_duo, n)
        for size in (LAPTOP, FULL_HD, PROJECTOR):  # ends on the projector for the checks below
            box = check_fits(dash_duo, n, size)
        assert box["text"].startswith(f"{n}. ")
        if n in (1, 3):
            check_legend_words(dash_duo, n)
        if n == 4:
            visible = js(dash_duo, VISIBLE_ROWS)
            assert visible >= MIN_ROWS, f"only {visible} villages visible on step 4"
            # on the projector the explanation is its short form (indicator and value), the
            # kecamatan under the village name; the whole sentence stays on hover
            first = dash_duo.find_element("#present-list tbody tr")
            why = first.find_element("css selector", ".present-why-short")
            assert why.is_displayed() and re.search(r"\d+(,\d+)?%", why.text), why.text
            assert "berada di peringkat 1 dari" in why.get_attribute("title")
            assert not first.find_element("css selector", ".present-why-full").is_displayed()
            assert first.find_element("css selector", ".present-kec").is_displayed()
        time.sleep(0.4)  # let MapLibre finish painting
        screenshot(dash_duo, f"presenter-1024-step-{n}")
    assert dash_duo.get_logs() == []
