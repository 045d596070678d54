"""Issue 11: the URL's scenario is read on the page's own link and on Back/Forward only, never
re-applied when the URL merely still names the previous scenario."""

from __future__ import annotations

from dash import no_update

from callbacks.url import HANDLED, history_request, scenario_wanted
from layouts import ids


def test_the_page_link_is_read_once():
    assert scenario_wanted(False, None, "?scenario=3", None) == 3  # first defaults: the link
    assert scenario_wanted(False, None, "?scenario=3", {"id": 3}) is None
    assert scenario_wanted(False, None, "", None) is None
    # once read, new weights (Muat of scenario 5 while the URL still says 3) load nothing
    assert scenario_wanted(False, HANDLED, "?scenario=3", {"id": 5}) is None
    assert scenario_wanted(False, {"id": 3}, "?scenario=3", {"id": 5}) is None


def test_back_and_forward_ask_for_the_url_scenario():
    assert history_request("?scenario=3&page=keputusan", {"id": 5}) == {"id": 3}
    assert history_request("?scenario=3", {"id": 3}) is no_update  # already active
    assert history_request("?page=keputusan", {"id": 3}) is no_update
    assert history_request("?scenario=abc", None) is no_update
    assert scenario_wanted(True, {"id": 3}, "?scenario=5", {"id": 5}) == 3  # the request leads
    assert scenario_wanted(True, {"id": 3}, "?scenario=3", {"id": 3}) is None
    assert scenario_wanted(True, HANDLED, "?scenario=3", None) is None


def test_the_request_store_starts_unread_and_the_restore_listens_to_it(app):
    layout = app.layout()
    store = next(c for c in layout._traverse() if getattr(c, "id", None) == ids.STORE_URL_SCENARIO)
    assert store.data is None
    restore = next(c for c in app.callback_map.values() if "callback" in c
                   and c["callback"].__wrapped__.__name__ == "_restore_scenario")
    inputs = {(i["id"], i["property"]) for i in restore["inputs"]}
    assert (ids.STORE_URL_SCENARIO, "data") in inputs and (ids.URL, "search") not in inputs
