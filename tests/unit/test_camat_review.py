"""The camat review in the scenario database (geo/store/camat_review.py): requests, one answer
per village per account, the area rule, the audit rows, the migration; on SQLite and (marked
pg) PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, inspect, select

from geo.core.errors import InputError
from geo.scoring.config import ScoringConfig
from geo.store.camat_review import CamatReviewStore, by_kecamatan
from geo.store.schema import camat_answer_table
from tests.conftest_db import db_url, empty_store, pg_database, store  # noqa: F401 (fixtures)

KEC_A, KEC_B = "32.11.01", "32.11.02"
A1, A2, B1 = f"{KEC_A}.2001", f"{KEC_A}.2002", f"{KEC_B}.2001"
T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def _scenario(store):  # noqa: F811
    config = ScoringConfig(year=2021, indicators=("rasio_merah",), weights={"rasio_merah": 1.0}, top_n=3)
    return store.save_new("Lokus 2027", "sumedang", config,
                          [(A1, "peringkat 1"), (B1, "peringkat 2"), (A2, "peringkat 3")], author="ani")


@pytest.fixture()
def review(store) -> CamatReviewStore:  # noqa: F811
    return CamatReviewStore(store.engine)


def test_send_records_the_version_once_and_audits(store, review):  # noqa: F811
    sc = _scenario(store)
    assert review.request(sc.id) is None and review.requests() == []
    sent = review.send(sc.id, who="ani", now=T0)
    assert (sent.scenario_id, sent.version, sent.sent_by, sent.sent_at) == (sc.id, sc.version, "ani", T0)
    assert review.send(sc.id, who="budi") == sent  # the same version is sent once
    assert review.request(sc.id) == sent and review.requests() == [sent]
    audit = [e for e in store.audit(sc.id) if e.action == "review_sent"]
    assert len(audit) == 1 and audit[0].who == "ani" and audit[0].detail["versi"] == sc.version
    # a later version is a new request
    sc2 = store.set_notes(sc.id, "revisi", author="ani")
    assert review.send(sc.id, who="ani").version == sc2.version == sc.version + 1
    assert review.requests()[0].version == sc2.version


def test_answer_inside_area_replaces_the_previous_one(store, review):  # noqa: F811
    sc = _scenario(store)
    review.send(sc.id, who="ani")
    first = review.answer(sc.id, A1, "setuju", who="camat1", area=KEC_A, now=T0)
    assert (first.kecamatan, first.answer, first.reason) == (KEC_A, "setuju", "")
    second = review.answer(sc.id, A1, "keberatan", "  posyandu sudah aktif ", who="camat1", area=KEC_A)
    assert second.reason == "posyandu sudah aktif" and second.objection
    assert review.answers(sc.id) == [second]  # one current answer per village per account
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(camat_answer_table)).scalar_one() == 1
    # both answers stay in the audit log, the typed reason as the audit reason
    rows = [e for e in store.audit(sc.id) if e.action == "review_answer"]
    assert [(e.code, e.detail["jawaban"]) for e in rows] == [(A1, "setuju"), (A1, "keberatan")]
    assert rows[1].reason == "posyandu sudah aktif" and rows[0].who == "camat1"
    # another account answers the same village separately
    review.answer(sc.id, A1, "setuju", who="admin", area="")
    assert [a.who for a in review.answers(sc.id)] == ["admin", "camat1"]


def test_refusals(store, review):  # noqa: F811
    sc = _scenario(store)
    with pytest.raises(InputError) as err:
        review.answer(sc.id, A1, "setuju", who="camat1", area=KEC_A)
    assert err.value.message.key == "camat.error.not_sent"
    review.send(sc.id, who="ani")
    cases = [((B1, "setuju", ""), "camat.error.outside"),  # kecamatan B from an account of A
             (("32.11.01.2009", "setuju", ""), "camat.error.not_listed"),
             ((A1, "keberatan", "   "), "camat.error.reason_required"),
             ((A1, "mungkin", "x"), "camat.error.answer"),
             (("bukan-kode", "setuju", ""), "camat.error.outside")]
    for (code, answer, reason), key in cases:
        with pytest.raises(InputError) as err:
            review.answer(sc.id, code, answer, reason, who="camat1", area=KEC_A)
        assert err.value.message.key == key, (code, answer)
    assert review.answers(sc.id) == []


def test_area_filter_grouping_and_cascade(store, review):  # noqa: F811
    sc = _scenario(store)
    review.send(sc.id, who="ani")
    review.answer(sc.id, A2, "setuju", who="camat1", area=KEC_A)
    review.answer(sc.id, A1, "keberatan", "sudah ODF", who="camat1", area=KEC_A)
    review.answer(sc.id, B1, "setuju", who="camat2", area=KEC_B)
    assert [a.kode for a in review.answers(sc.id, area=KEC_A)] == [A1, A2]
    assert [a.kode for a in review.answers(sc.id, area=KEC_B)] == [B1]
    groups = by_kecamatan(review.answers(sc.id))
    assert list(groups) == [KEC_A, KEC_B] and [a.kode for a in groups[KEC_A]] == [A1, A2]
    store.delete(sc.id, author="ani")
    assert review.answers(sc.id) == [] and review.request(sc.id) is None


def test_migration_0004_up_and_down(store):  # noqa: F811
    tables = {"camat_request", "camat_answer"}
    assert tables <= set(inspect(store.engine).get_table_names())
    store.downgrade("0003")
    assert not tables & set(inspect(store.engine).get_table_names())
    store.upgrade()
    assert tables <= set(inspect(store.engine).get_table_names())
