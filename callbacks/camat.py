"""The camat review (issue 12): thin glue between the "Tinjauan camat" tab and
:mod:`geo.store.camat_review`.

Every read and write asks :mod:`callbacks.access` who is asking: a peninjau sees and answers
only the proposed villages inside its area (a village code from outside, even one a browser
forges, is refused by :func:`callbacks.access.require` and again by the store); sending needs
``SCENARIO`` (analis, admin), answering ``COMMENT`` (peninjau, admin). The guard of
:mod:`callbacks.auth` checks the same permissions per request (``CALLBACK_PERMISSIONS``).

:func:`markers` gives presenter step 4 its "✓ camat setuju" / "⚠ keberatan: …" notes and
:func:`answers_for` the Berita Acara its answers.
"""

from __future__ import annotations

from collections.abc import Sequence

from dash import ALL, Dash, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from callbacks.access import current_account, require
from callbacks.errors import MESSAGE, alert, input_errors
from geo.core.access import Account, Permission
from geo.core.errors import InputError
from geo.core.i18n import format_date, lang_of
from geo.scoring.explain import explain_village
from geo.scoring.result import saved_reason_text
from geo.store.camat_review import CamatAnswer, CamatReviewStore, ReviewRequest
from geo.store.model import Scenario
from geo.store.scenarios import Store
from geo.view.registry import Registry
from layouts import ids
from layouts.camat import camat_list
from layouts.text import t

__all__ = ["answer_village", "answers_for", "marker", "markers", "register", "review_list",
           "review_options", "send_review"]


def _when(value, lang: str) -> str:
    return f"{format_date(value, lang)} {value.astimezone():%H:%M}"


def _area(account: Account | None) -> str | None:
    """The area an account may see (None: nobody)."""
    return None if account is None or not account.may(Permission.VIEW) else account.area


def answers_for(store: Store, scenario_id: int) -> list[CamatAnswer]:
    """Current answers on a scenario inside the asking account's area (none for nobody)."""
    area = _area(current_account())
    return [] if area is None else CamatReviewStore(store.engine).answers(scenario_id, area=area)


def marker(answers: Sequence[CamatAnswer], lang: str = "id") -> str:
    """The presenter's note on one village: every objection with its reason, else the agreement."""
    objections = [a for a in answers if a.objection]
    if objections:
        return " · ".join(t("camat.marker.keberatan", lang, reason=a.reason) for a in objections)
    return t("camat.marker.setuju", lang) if answers else ""


def markers(store: Store, scenario: Scenario | None, rows: list[dict], lang: str = "id") -> list[dict]:
    """``rows`` (with ``kode``) with a ``camat`` note added where a camat answered."""
    if scenario is None or scenario.id is None:
        return rows
    answers = answers_for(store, scenario.id)
    for row in rows:
        note = marker([a for a in answers if a.kode == row.get("kode")], lang)
        if note:
            row["camat"] = note
    return rows


def review_options(store: Store, dataset_id: str, lang: str = "id") -> list[dict]:
    """Scenarios of the dataset sent for review with at least one village in the asking
    account's area, newest request first."""
    account = current_account()
    if account is None or _area(account) is None:
        return []
    options = []
    for req in CamatReviewStore(store.engine).requests():
        try:
            sc = store.get(req.scenario_id)
        except InputError:
            continue
        if sc.dataset_id == dataset_id and any(account.sees(v.kode) for v in sc.chosen):
            options.append({"label": t("camat.scenario.option", lang, name=sc.name, version=req.version,
                                       when=_when(req.sent_at, lang), who=req.sent_by), "value": sc.id})
    return options


def _village_row(registry: Registry, sc: Scenario, code: str, reason: str, answers: list[CamatAnswer],
                 account: Account, lang: str) -> dict:
    result = registry.score(sc.dataset_id, sc.config.to_dict())
    table = result.table.set_index("kode")
    mine = next((a for a in answers if a.who == account.name), None)
    return {"kode": code, "nama": table.at[code, "nama"], "kecamatan": table.at[code, "nama_kec"],
            "alasan": saved_reason_text(result, code, reason, lang),
            "why": explain_village(result, code, lang).sentence,
            "answers": [{"who": a.who, "answer": a.answer, "reason": a.reason, "when": _when(a.at, lang)}
                        for a in answers],
            "mine": {"answer": mine.answer, "reason": mine.reason} if mine else None}


def review_list(registry: Registry, store: Store, scenario_id: int | None, lang: str = "id") -> list:
    """The tab's list: the proposed villages of the scenario inside the account's area."""
    account = current_account()
    if account is None or not account.may(Permission.VIEW):
        raise InputError.of("account.error.forbidden")
    review = CamatReviewStore(store.engine)
    req: ReviewRequest | None = review.request(scenario_id) if scenario_id else None
    if req is None:
        return camat_list([], t("camat.list.none", lang), lang, may_answer=False)
    sc = store.get(req.scenario_id)
    answers = review.answers(req.scenario_id, area=account.area)
    rows = [_village_row(registry, sc, v.kode, v.alasan, [a for a in answers if a.kode == v.kode],
                         account, lang) for v in sc.chosen if account.sees(v.kode)]
    header = t("camat.list.header", lang, count=len(rows), who=req.sent_by, when=_when(req.sent_at, lang))
    body = camat_list(rows, header, lang, may_answer=account.may(Permission.COMMENT))
    if sc.version != req.version:
        body.insert(0, alert(t("camat.list.changed", lang, sent=req.version, version=sc.version), "warning"))
    return body


def send_review(store: Store, active: dict | None, lang: str = "id") -> str:
    """Send the active scenario for review; the success message."""
    account = require(Permission.SCENARIO)
    if not active or not active.get("id"):
        raise InputError.of("camat.error.no_scenario")
    req = CamatReviewStore(store.engine).send(int(active["id"]), who=account.name)
    sc = store.get(req.scenario_id)
    return t("camat.send.done", lang, name=sc.name, version=req.version)


def answer_village(registry: Registry, store: Store, scenario_id: int | None, code: str, answer: str | None,
                   reason: str | None, lang: str = "id") -> str:
    """Record the asking account's answer on one village; the success message.

    A village outside the account's area is refused here (``account.error.forbidden``)
    before the store refuses it again.
    """
    account = require(Permission.COMMENT, code)
    if not scenario_id:
        raise InputError.of("camat.error.pick")
    sc = store.get(int(scenario_id))  # the gate first: a scenario outside the area is not found
    saved = CamatReviewStore(store.engine).answer(sc.id, code, answer or "", reason or "",
                                                  who=account.name, area=account.area)
    table = registry.score(sc.dataset_id, sc.config.to_dict()).table.set_index("kode")
    name = table.at[saved.kode, "nama"] if saved.kode in table.index else saved.kode
    return t("camat.answer.saved", lang, name=name, answer=t(f"camat.answer.{saved.answer}", lang))


def register(app: Dash, registry: Registry, store: Store) -> None:
    """Wire the "Tinjauan camat" tab."""

    @app.callback(Output(ids.CAMAT_SCENARIO, "options"), Output(ids.CAMAT_SCENARIO, "value"),
                  Output(ids.CAMAT_SEND_CARD, "style"),
                  Input(ids.STORE_DATASET, "data"), Input(ids.CAMAT_REFRESH, "data"),
                  Input(ids.STORE_SCENARIO, "data"), State(ids.CAMAT_SCENARIO, "value"),
                  State(ids.STORE_LANG, "data"))
    def _options(dataset_id, _refresh, active, picked, lang):
        account = current_account()
        options = review_options(store, dataset_id or registry.default_id, lang_of(lang))
        values = [o["value"] for o in options]
        wanted = (active or {}).get("id") if ctx.triggered_id == ids.STORE_SCENARIO else picked
        value = next((v for v in (wanted, picked) if v in values), values[0] if values else None)
        may_send = account is not None and account.may(Permission.SCENARIO)
        return options, value, {} if may_send else {"display": "none"}

    @app.callback(Output(ids.CAMAT_LIST, "children"), Output(ids.CAMAT_STATUS, "children"),
                  Input(ids.CAMAT_SCENARIO, "value"), Input(ids.CAMAT_REFRESH, "data"),
                  State(ids.STORE_LANG, "data"))
    @input_errors(no_update, MESSAGE)
    def _list(scenario_id, _refresh, lang):
        return review_list(registry, store, scenario_id, lang_of(lang)), no_update

    @app.callback(Output(ids.CAMAT_SEND_STATUS, "children"), Output(ids.CAMAT_REFRESH, "data"),
                  Input(ids.CAMAT_SEND, "n_clicks"), State(ids.STORE_SCENARIO, "data"),
                  State(ids.CAMAT_REFRESH, "data"), State(ids.STORE_LANG, "data"),
                  prevent_initial_call=True)
    @input_errors(MESSAGE, no_update)
    def _send(_n, active, refresh, lang):
        return alert(send_review(store, active, lang_of(lang)), "success"), (refresh or 0) + 1

    @app.callback(Output(ids.CAMAT_STATUS, "children", allow_duplicate=True),
                  Output(ids.CAMAT_REFRESH, "data", allow_duplicate=True),
                  Input(ids.camat_item(ids.CAMAT_ANSWER, ALL), "n_clicks"),
                  State(ids.camat_item(ids.CAMAT_CHOICE, ALL), "value"),
                  State(ids.camat_item(ids.CAMAT_REASON, ALL), "value"),
                  State(ids.CAMAT_SCENARIO, "value"), State(ids.CAMAT_REFRESH, "data"),
                  State(ids.STORE_LANG, "data"), prevent_initial_call=True)
    @input_errors(MESSAGE, no_update)
    def _answer(clicks, choices, reasons, scenario_id, refresh, lang):
        trigger = ctx.triggered_id
        if not isinstance(trigger, dict) or not any(clicks or []):
            raise PreventUpdate  # the list was just (re)drawn: nothing clicked
        code = trigger["kode"]
        codes = [item["id"]["kode"] for item in ctx.states_list[0]]
        at = codes.index(code) if code in codes else -1
        answer = choices[at] if at >= 0 else None
        reason = reasons[at] if at >= 0 else None
        message = answer_village(registry, store, scenario_id, code, answer, reason, lang_of(lang))
        return alert(message, "success"), (refresh or 0) + 1

    @app.callback(Output(ids.STORE_SELECTED, "data", allow_duplicate=True),
                  Input(ids.camat_item(ids.CAMAT_PROFILE, ALL), "n_clicks"), prevent_initial_call=True)
    def _profile(clicks):
        trigger = ctx.triggered_id
        if not isinstance(trigger, dict) or not any(clicks or []):
            raise PreventUpdate
        account = current_account()
        if account is None or not account.sees(trigger["kode"]):
            raise PreventUpdate  # a forged code outside the area opens nothing
        return trigger["kode"]
