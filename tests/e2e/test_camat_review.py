"""The camat review in a real browser (issue 12), with sign-in required: an analis scores with a
preset, saves a scenario and sends it for review; a peninjau of one kecamatan signs in, sees
only the proposed villages of its kecamatan and answers one keberatan with a reason; the
analis then sees the answer in presenter step 4 and in the Berita Acara PDF."""

from __future__ import annotations

import io
from pathlib import Path

import pypdf
import pytest
from dash.testing.wait import until

from app import create_app
from geo.core.codes import kecamatan_code
from geo.store.accounts import AccountStore
from geo.store.scenarios import Store
from tests.e2e.helpers import TIMEOUT, screenshot, sign_in, sign_out, wait_ready
from tests.e2e.test_decide_page import open_tab
from tests.e2e.test_scoring_page import click, grid_values, pick

pytestmark = pytest.mark.e2e

PASSWORD = "kata-sandi-panjang"
NAME = "Lokus 2027 untuk camat"
OBJECTION = "posyandu desa ini sudah aktif penuh"


def cards(dash_duo) -> list[str]:
    return [c.get_attribute("data-kode") for c in dash_duo.find_elements("#camat-list .camat-village")]


def analis_saves_and_sends(dash_duo) -> None:
    sign_in(dash_duo, "ani", PASSWORD)
    open_tab(dash_duo, "Skoring lokus")
    until(lambda: len(grid_values(dash_duo, "score-grid", "kode")) == 277, timeout=TIMEOUT)
    pick(dash_duo, dash_duo.find_element("#score-preset"), "Perpres 72/2021")
    wait_ready(dash_duo)
    open_tab(dash_duo, "Keputusan & unduh")
    author = dash_duo.driver.find_elements("css selector", "#scn-author")
    if author and author[0].is_displayed():  # the free-text author field may be gone (issue 12)
        author[0].send_keys("Bappeda")
    dash_duo.find_element("#scn-name").send_keys(NAME)
    click(dash_duo, "#scn-save-new")
    dash_duo.wait_for_contains_text("#scn-status", "disimpan", timeout=TIMEOUT)
    open_tab(dash_duo, "Tinjauan camat")
    until(lambda: dash_duo.find_element("#camat-send").is_displayed(), timeout=TIMEOUT)
    click(dash_duo, "#camat-send")
    dash_duo.wait_for_contains_text("#camat-send-status", "dikirim untuk ditinjau camat", timeout=TIMEOUT)
    until(lambda: len(cards(dash_duo)) >= 10, timeout=TIMEOUT)  # the analis sees the whole list


def test_camat_reviews_its_kecamatan_and_the_answer_reaches_the_rembuk(dash_duo, tmp_path):
    url = f"sqlite:///{tmp_path}/e2e.db"
    app = create_app(database_url=url, state_dir=tmp_path, auth="required")
    store = Store(url, data_dir=tmp_path)
    accounts = AccountStore(store.engine)
    accounts.add("ani", role="analis", area="32.11", password=PASSWORD)
    dash_duo.start_server(app, navigate=False)

    analis_saves_and_sends(dash_duo)
    scenario = store.get(store.find("sumedang")[0].id)
    kec = kecamatan_code(scenario.codes[0])
    own = [c for c in scenario.codes if kecamatan_code(c) == kec]
    assert len(own) < len(scenario.codes)  # other kecamatan are on the list too
    accounts.add("camat", role="peninjau", area=kec, password=PASSWORD)
    sign_out(dash_duo)

    # the camat: only the villages of its kecamatan, with why chosen and the profile link
    sign_in(dash_duo, "camat", PASSWORD, "/?page=tinjauan")  # a shared link to the tab
    until(lambda: cards(dash_duo) == own, timeout=TIMEOUT)
    assert not dash_duo.find_element("#camat-send-card").is_displayed()  # may not send
    card = f"#camat-list .camat-village[data-kode='{own[0]}']"
    assert "Alasan terpilih" in dash_duo.find_element(card).text
    dash_duo.driver.execute_script("arguments[0].click()",
                                   dash_duo.find_element(f"{card} input[value='keberatan']"))
    dash_duo.find_element(f"{card} input[type='text']").send_keys(OBJECTION)
    click(dash_duo, f"{card} .btn-primary")
    dash_duo.wait_for_contains_text("#camat-status", "disimpan: keberatan", timeout=TIMEOUT)
    dash_duo.wait_for_contains_text(card, OBJECTION, timeout=TIMEOUT)
    click(dash_duo, f"{card} .camat-profile-link")  # the village profile opens beside the list
    until(lambda: dash_duo.find_element("#profile-panel").is_displayed(), timeout=TIMEOUT)
    village = dash_duo.find_element(f"{card} strong").text
    dash_duo.wait_for_contains_text("#profile-title", village, timeout=TIMEOUT)
    wait_ready(dash_duo)
    screenshot(dash_duo, "tinjauan-camat")
    sign_out(dash_duo)

    # the analis: presenter step 4 marks the village, the Berita Acara lists the objection
    sign_in(dash_duo, "ani", PASSWORD, f"/?scenario={scenario.id}")
    click(dash_duo, "#present-open")
    for n in (2, 3, 4):
        click(dash_duo, "#present-next")
        dash_duo.wait_for_text_to_equal("#present-counter", f"{n} / 5", timeout=TIMEOUT)
    row = f"#present-list tr[data-kode='{own[0]}']"
    dash_duo.wait_for_contains_text(row, f"⚠ keberatan: {OBJECTION}", timeout=TIMEOUT)
    click(dash_duo, "#present-next")
    dash_duo.wait_for_text_to_equal("#present-counter", "5 / 5", timeout=TIMEOUT)
    click(dash_duo, "#present-ba-download")
    dash_duo.wait_for_contains_text("#present-ba-status", ".pdf dibuat", timeout=TIMEOUT)
    folder = Path(dash_duo.download_path)
    until(lambda: any(p.suffix == ".pdf" for p in folder.iterdir()), timeout=TIMEOUT)
    pdf = next(p for p in folder.iterdir() if p.suffix == ".pdf")
    text = " ".join(" ".join(pg.extract_text() for pg in pypdf.PdfReader(io.BytesIO(pdf.read_bytes())).pages)
                    .split())
    assert "Tinjauan camat" in text and OBJECTION in text and "1 keberatan" in text
    store.close()
