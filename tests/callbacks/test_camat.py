"""The camat review glue (callbacks/camat.py) as plain functions in a request of a given
account, on a real SQLite store with the embedded Sumedang data: a peninjau sees and answers
only the proposed villages of its kecamatan; presenter step 4 and the Berita Acara show the
answers."""

from __future__ import annotations

import io
from contextlib import contextmanager

import flask
import pypdf
import pytest

from callbacks.access import G_ACCOUNT
from callbacks.camat import answer_village, marker, review_list, review_options, send_review
from callbacks.present import berita_acara, step_body
from geo.core.access import Account, Role
from geo.core.codes import kecamatan_code
from geo.core.errors import InputError
from geo.export.berita_acara import Meeting
from geo.scoring.presets import preset_config
from geo.store.camat_review import CamatReviewStore
from geo.store.model import chosen_from_result

ANALIS = Account(name="ani", role=Role.ANALIS, area="32.11")


def texts(component) -> str:
    """All text in a component tree."""
    if isinstance(component, (list, tuple)):
        return " ".join(texts(c) for c in component)
    if isinstance(component, (str, int, float)):
        return str(component)
    children = getattr(component, "children", None)
    return "" if children is None else texts(children)


def card_codes(component) -> list[str]:
    """``data-kode`` of every village card in a component tree."""
    if isinstance(component, (list, tuple)):
        return [c for item in component for c in card_codes(item)]
    found = [getattr(component, "data-kode")] if "camat-village" in str(getattr(component, "className", "")) \
        else []
    children = getattr(component, "children", None)
    return found + ([] if children is None else card_codes(children))


@contextmanager
def as_account(account: Account | None):
    app = flask.Flask(__name__)
    with app.test_request_context("/"):
        setattr(flask.g, G_ACCOUNT, account)
        yield


@pytest.fixture()
def sent(registry, store):
    """A saved scenario of the prevalence preset, sent for review; (scenario, kec A, kec B)."""
    config = preset_config(registry.get("sumedang"), "prevalensi_kasus", 2021)
    result = registry.score("sumedang", config.to_dict())
    sc = store.save_new("Lokus 2027", "sumedang", result.config, chosen_from_result(result), author="ani")
    with as_account(ANALIS):
        message = send_review(store, {"id": sc.id, "version": sc.version}, "id")
    assert "Lokus 2027" in message and f"versi {sc.version}" in message
    by_kec: dict[str, list[str]] = {}
    for code in sc.codes:
        by_kec.setdefault(kecamatan_code(code), []).append(code)
    kec_a, kec_b = sorted(by_kec, key=lambda k: (-len(by_kec[k]), k))[:2]
    return sc, (kec_a, by_kec[kec_a]), (kec_b, by_kec[kec_b])


def camat(area: str) -> Account:
    return Account(name=f"camat-{area.replace('.', '')}", role=Role.PENINJAU, area=area)


def test_peninjau_sees_only_its_kecamatan(registry, store, sent):
    sc, (kec_a, codes_a), _b = sent
    with as_account(camat(kec_a)):
        body = review_list(registry, store, sc.id, "id")
        options = review_options(store, "sumedang", "id")
    assert card_codes(body) == codes_a  # its villages, in list order, nothing else
    assert all(kecamatan_code(c) == kec_a for c in card_codes(body))
    assert [o["value"] for o in options] == [sc.id]
    assert "profil desa" in texts(body) and "Alasan terpilih" in texts(body)
    # a kecamatan without proposed villages has nothing to review
    with as_account(camat("32.11.99")):
        assert review_options(store, "sumedang", "id") == []
    # the analis (kabupaten) sees the whole list
    with as_account(ANALIS):
        assert card_codes(review_list(registry, store, sc.id, "id")) == list(sc.codes)


def test_answer_outside_area_and_objection_without_reason_are_refused(registry, store, sent):
    sc, (kec_a, codes_a), (_kec_b, codes_b) = sent
    with as_account(camat(kec_a)):
        with pytest.raises(InputError) as err:  # a forged village code of kecamatan B
            answer_village(registry, store, sc.id, codes_b[0], "keberatan", "bukan wilayah", "id")
        assert err.value.message.key == "account.error.forbidden"
        with pytest.raises(InputError) as err:
            answer_village(registry, store, sc.id, codes_a[0], "keberatan", "  ", "id")
        assert err.value.message.key == "camat.error.reason_required"
    # an analis may not answer, a peninjau may not send
    with as_account(ANALIS), pytest.raises(InputError):
        answer_village(registry, store, sc.id, codes_a[0], "setuju", "", "id")
    with as_account(camat(kec_a)), pytest.raises(InputError):
        send_review(store, {"id": sc.id}, "id")
    assert CamatReviewStore(store.engine).answers(sc.id) == []


def test_answers_reach_analis_presenter_and_berita_acara(registry, store, sent):
    sc, (kec_a, codes_a), (kec_b, codes_b) = sent
    with as_account(camat(kec_a)):
        msg = answer_village(registry, store, sc.id, codes_a[0], "keberatan", "posyandu sudah aktif", "id")
        assert "keberatan" in msg
        if len(codes_a) > 1:
            answer_village(registry, store, sc.id, codes_a[1], "setuju", "", "id")
    with as_account(camat(kec_b)):
        answer_village(registry, store, sc.id, codes_b[0], "setuju", None, "id")
        assert "posyandu sudah aktif" not in texts(review_list(registry, store, sc.id, "id"))
    with as_account(ANALIS):  # the analis sees every answer beside its village
        shown = texts(review_list(registry, store, sc.id, "id"))
        assert "posyandu sudah aktif" in shown and "camat-" + kec_a.replace(".", "") in shown
        step4 = step_body(registry, store, 4, "sumedang", {"id": sc.id, "version": sc.version}, None,
                          None, None, None, "id")
        rows = {r["kode"]: r for r in _rows(step4)}
        assert rows[codes_a[0]]["camat"] == "⚠ keberatan: posyandu sudah aktif"
        assert rows[codes_b[0]]["camat"] == "✓ camat setuju"
        data, _name = berita_acara(registry, store, dataset_id="sumedang",
                                   active={"id": sc.id, "version": sc.version}, config=None, meeting=None,
                                   form=Meeting.from_form("2026-02-10", "Aula", "Sekda", ""))
    pdf = " ".join(" ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages).split())
    assert "Tinjauan camat" in pdf and "posyandu sudah aktif" in pdf
    assert "1 keberatan" in pdf and "camat-" + kec_b.replace(".", "") in pdf


def _rows(step4) -> list[dict]:
    """The village rows the step-4 table was built from (the ``data-kode`` rows and their cells)."""
    from dash import html

    out = []

    def walk(c):
        if isinstance(c, (list, tuple)):
            for x in c:
                walk(x)
            return
        if isinstance(c, html.Tr) and getattr(c, "data-kode", None):
            name_cell = c.children[1]
            spans = [s for s in (name_cell.children if isinstance(name_cell.children, list) else [])
                     if isinstance(s, html.Span) and s.className == "present-camat"]
            out.append({"kode": getattr(c, "data-kode"), "camat": spans[0].children if spans else ""})
            return
        if getattr(c, "children", None) is not None:
            walk(c.children)

    walk(step4)
    return out


def test_marker_objections_win_over_agreements():
    from datetime import UTC, datetime

    from geo.store.camat_review import CamatAnswer

    def one(answer, reason=""):
        return CamatAnswer(1, 1, "32.11.01.2001", "32.11.01", "c", answer, reason, datetime.now(UTC))

    assert marker([], "id") == ""
    assert marker([one("setuju")], "id") == "✓ camat setuju"
    assert marker([one("setuju")], "en") == "✓ camat agrees"
    assert marker([one("setuju"), one("keberatan", "jauh")], "id") == "⚠ keberatan: jauh"
