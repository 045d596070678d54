"""The camat's review of a proposed list (issue 12), in the scenario database.

An analis *sends* a saved scenario for review (table ``camat_request``: the scenario version
sent, who, when). Each peninjau (a camat: its account's area is a kecamatan ``32.11.01``)
then answers, per proposed village of its area, ``setuju`` or ``keberatan`` with a reason
(required for ``keberatan``). Table ``camat_answer`` keeps **one current answer per village
per account**; every answer (and every sending) is also an audit row of the scenario
(actions ``review_sent`` / ``review_answer``, :mod:`geo.store.audit`), so a changed mind is
still on record. Answers and requests cascade with their scenario.

The area rule is enforced here too, not only in the page: a village outside the answering
account's area, or not on the scenario's list, is refused. Audit reasons written by the
store are stored rendered in Bahasa Indonesia (``camat.audit.*``), like
:mod:`geo.store.audit`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, delete, func, insert, select

from geo.core.access import within
from geo.core.codes import kecamatan_code, normalise_code
from geo.core.errors import InputError
from geo.core.i18n import t
from geo.store.audit import insert_audit
from geo.store.engine import reading, writing
from geo.store.model import clean_text
from geo.store.rows import scenario_of, scenario_row
from geo.store.schema import camat_answer_table, camat_request_table

__all__ = ["ANSWERS", "REASON_MAX", "CamatAnswer", "CamatReviewStore", "ReviewRequest", "by_kecamatan"]

#: The two answers a camat may give.
ANSWERS = ("setuju", "keberatan")
#: Longest reason.
REASON_MAX = 1000


@dataclass(frozen=True)
class ReviewRequest:
    """A scenario version sent for the camat's review."""

    scenario_id: int
    version: int
    sent_by: str
    sent_at: datetime


@dataclass(frozen=True)
class CamatAnswer:
    """One account's current answer on one village of a scenario."""

    scenario_id: int
    version: int
    kode: str
    kecamatan: str
    who: str
    answer: str
    reason: str
    at: datetime

    @property
    def objection(self) -> bool:
        """Whether this answer is a ``keberatan``."""
        return self.answer == "keberatan"


def _now() -> datetime:
    return datetime.now(UTC)


def _request(row: Any) -> ReviewRequest:
    return ReviewRequest(scenario_id=row.scenario_id, version=row.version, sent_by=row.sent_by,
                         sent_at=row.sent_at)


def _answer(row: Any) -> CamatAnswer:
    return CamatAnswer(scenario_id=row.scenario_id, version=row.version, kode=row.kode,
                       kecamatan=row.kecamatan, who=row.who, answer=row.answer, reason=row.reason,
                       at=row.at)


def check_answer(answer: object, reason: object) -> tuple[str, str]:
    """``(answer, reason)`` cleaned: a known answer; a reason required for ``keberatan``."""
    choice = str(answer or "").strip().lower()
    if choice not in ANSWERS:
        raise InputError.of("camat.error.answer", options=", ".join(ANSWERS))
    text = clean_text(reason, "reason", REASON_MAX, required=False)
    if choice == "keberatan" and not text:
        raise InputError.of("camat.error.reason_required")
    return choice, text


def by_kecamatan(answers: Sequence[CamatAnswer]) -> dict[str, list[CamatAnswer]]:
    """Answers grouped by kecamatan code (sorted), each group by village code then account."""
    groups: dict[str, list[CamatAnswer]] = {}
    for a in sorted(answers, key=lambda a: (a.kecamatan, a.kode, a.who)):
        groups.setdefault(a.kecamatan, []).append(a)
    return groups


class CamatReviewStore:
    """Review requests and answers on the engine of a :class:`geo.store.scenarios.Store`
    (``CamatReviewStore(store.engine)``); the tables come with ``store.upgrade()``."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine


    # ------------------------------------------------------------------ requests
    def send(self, scenario_id: int, *, who: str, now: datetime | None = None) -> ReviewRequest:
        """Send the scenario's current version for review (again: the same version is sent once,
        a later version is a new request). Audit: one ``review_sent`` row."""
        now, who = now or _now(), clean_text(who, "user_name", 120)
        r = camat_request_table
        with writing(self._engine) as conn:
            scenario = scenario_of(scenario_row(conn, scenario_id, lock=True))
            assert scenario.id is not None
            found = conn.execute(select(r).where(r.c.scenario_id == scenario.id,
                                                 r.c.version == scenario.version)).first()
            if found is not None:
                return _request(found)
            conn.execute(insert(r).values(scenario_id=scenario.id, version=scenario.version,
                                          sent_by=who, sent_at=now))
            insert_audit(conn, scenario.id, now, who, ("review_sent", None, t("camat.audit.sent", "id"), {
                "versi": scenario.version, "jumlah_desa": len(scenario.chosen)}))
        return ReviewRequest(scenario.id, scenario.version, who, now)

    def request(self, scenario_id: int) -> ReviewRequest | None:
        """The latest review request of a scenario (None: never sent)."""
        r = camat_request_table
        with reading(self._engine) as conn:
            row = conn.execute(select(r).where(r.c.scenario_id == int(scenario_id))
                               .order_by(r.c.version.desc()).limit(1)).first()
        return None if row is None else _request(row)

    def requests(self) -> list[ReviewRequest]:
        """The latest request of every scenario sent for review, newest first."""
        r = camat_request_table
        latest = (select(r.c.scenario_id, func.max(r.c.version).label("v"))
                  .group_by(r.c.scenario_id).subquery())
        with reading(self._engine) as conn:
            rows = conn.execute(select(r).join(latest, (r.c.scenario_id == latest.c.scenario_id)
                                               & (r.c.version == latest.c.v))
                                .order_by(r.c.sent_at.desc(), r.c.id.desc())).all()
        return [_request(row) for row in rows]

    # ------------------------------------------------------------------ answers
    def answer(self, scenario_id: int, code: str, answer: str, reason: str = "", *, who: str,
               area: str, now: datetime | None = None) -> CamatAnswer:
        """Record (or replace) ``who``'s answer on village ``code`` of a scenario sent for review.

        Raises
        ------
        InputError
            Not sent for review; the village is not on the scenario's list or lies outside
            ``area`` (the answering account's area); an unknown answer; ``keberatan``
            without a reason.
        """
        now, who = now or _now(), clean_text(who, "user_name", 120)
        choice, text = check_answer(answer, reason)
        kode = normalise_code(code)
        if kode is None or not within(area, kode):
            raise InputError.of("camat.error.outside", code=str(code)[:20])
        a, r = camat_answer_table, camat_request_table
        with writing(self._engine) as conn:
            scenario = scenario_of(scenario_row(conn, scenario_id, lock=True))
            sent = conn.execute(select(func.max(r.c.version))
                                .where(r.c.scenario_id == scenario.id)).scalar_one()
            if sent is None:
                raise InputError.of("camat.error.not_sent", name=scenario.name)
            if kode not in {v.kode for v in scenario.chosen}:
                raise InputError.of("camat.error.not_listed", code=kode)
            conn.execute(delete(a).where(a.c.scenario_id == scenario.id, a.c.kode == kode, a.c.who == who))
            saved = CamatAnswer(scenario_id=int(scenario_id), version=int(sent), kode=kode,
                                kecamatan=kecamatan_code(kode), who=who, answer=choice, reason=text, at=now)
            conn.execute(insert(a).values(**asdict(saved)))
            insert_audit(conn, scenario.id, now, who, ("review_answer", kode,
                                                       text or t(f"camat.audit.{choice}", "id"),
                                                       {"jawaban": choice, "versi": int(sent)}))
        return saved

    def answers(self, scenario_id: int, *, area: str = "") -> list[CamatAnswer]:
        """Current answers on a scenario's villages inside ``area`` (``""``: all), by village."""
        a = camat_answer_table
        with reading(self._engine) as conn:
            rows = conn.execute(select(a).where(a.c.scenario_id == int(scenario_id))
                                .order_by(a.c.kode, a.c.who)).all()
        return [x for x in map(_answer, rows) if within(area, x.kode)]
