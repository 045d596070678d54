"""Controls a role may not use are disabled in the page it gets, with the reason (issue 12):
the guard refuses the request anyway; the page must not let a click fail in silence."""

from __future__ import annotations

import flask
import pytest

from app import create_app
from callbacks.access import G_ACCOUNT
from callbacks.auth import CALLBACK_PERMISSIONS
from geo.core.access import LOCAL_ACCOUNT, Account, Permission, Role
from layouts.text import t


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("roles")
    return create_app(database_url=f"sqlite:///{folder}/x.db", state_dir=folder)


def page_for(app, account, lang="id"):
    with app.server.test_request_context(f"/?lang={lang}"):
        setattr(flask.g, G_ACCOUNT, account)
        return app.layout()


def controls(page):
    """(permission needed, the clickable control) of every guarded control with a disabled
    state in the page (a confirm dialog's control is its button)."""
    for component in page._traverse():
        key = getattr(component, "id", None)
        key = key.get("type") if isinstance(key, dict) else key
        need = CALLBACK_PERMISSIONS.get(key) if isinstance(key, str) else None
        if type(component).__name__ == "ConfirmDialogProvider":
            component = component.children
        if need is not None and "disabled" in component.available_properties:
            yield need, component


@pytest.mark.parametrize("role", list(Role))
def test_each_role_gets_exactly_its_forbidden_controls_disabled(app, role):
    account = Account("uji", role, "32.11")
    found = list(controls(page_for(app, account)))
    assert len(found) >= 20  # the page's write and download controls are all there
    for need, control in found:
        assert bool(getattr(control, "disabled", False)) == (not account.may(need)), (role, need)
    locked = [c for need, c in found if not account.may(need)]
    assert (role in (Role.ADMIN, Role.ANALIS)) == (not locked)
    role_word = t(f"account.role.{role.value}", "id")
    assert all(role_word in c.title for c in locked if "title" in c.available_properties)


def test_the_reason_names_the_action_in_the_page_language(app):
    page = page_for(app, Account("uji", Role.PEMIRSA, "32.11"), lang="en")
    save = next(c for c in page._traverse() if getattr(c, "id", None) == "scn-save-new")
    assert save.disabled and save.title == t("account.locked", "en", role=t("account.role.pemirsa", "en"),
                                             action=t("account.action.scenario", "en"))
    assert save.title == "Your role (viewer) may not save or change scenarios."
    export = [c for c in page._traverse() if isinstance(getattr(c, "id", None), dict)
              and c.id.get("type") == "export"]
    assert export and not any(getattr(c, "disabled", False) for c in export)  # pemirsa exports
    assert CALLBACK_PERMISSIONS["export"] is Permission.EXPORT


def test_the_local_user_has_nothing_locked(app):
    page = page_for(app, LOCAL_ACCOUNT)
    assert not any(getattr(c, "disabled", False) for _need, c in controls(page))
