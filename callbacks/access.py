"""The account of the current request, for callbacks, routes and page layouts (issue 12).

The guard of :mod:`callbacks.auth` puts the signed-in account (or the local user, when no
sign-in is required) on :data:`flask.g` before any route or callback runs. Callbacks ask:

- :func:`current_account` — who is asking (outside a request, e.g. a callback called in a
  unit test, the local user);
- :func:`require` — the account when it may do a permission (on a code), else an
  :class:`~geo.core.errors.InputError` the ``@input_errors`` decorator shows;
- :func:`visible` — the codes of a list inside the account's area;
- :func:`author` — the account name an audit entry records.
"""

from __future__ import annotations

from collections.abc import Iterable

import flask

from geo.core.access import LOCAL_ACCOUNT, Account, Permission, allowed
from geo.core.errors import InputError

__all__ = ["G_ACCOUNT", "author", "current_account", "require", "visible"]

#: Attribute of :data:`flask.g` holding the request's account (None: anonymous).
G_ACCOUNT = "lokus_account"


def current_account() -> Account | None:
    """The account of this request: the signed-in one, the local user when sign-in is off,
    None for an anonymous visitor of a server that requires sign-in (the guard answers
    those before any callback runs)."""
    if not flask.has_request_context() or not hasattr(flask.g, G_ACCOUNT):
        return LOCAL_ACCOUNT  # no guard installed (tests, tools): the local process user
    return getattr(flask.g, G_ACCOUNT)


def require(permission: Permission | str, code: str | None = None) -> Account:
    """The current account when it may do ``permission`` (on ``code``); else an InputError
    (``account.error.forbidden``)."""
    account = current_account()
    if account is None or not allowed(account, permission, code):
        raise InputError.of("account.error.forbidden")
    return account


def author() -> str:
    """The name an audit entry records for this request: the account name (never free text)."""
    account = current_account()
    return account.name if account is not None else ""


def visible(codes: Iterable[str]) -> list[str]:
    """The codes inside the current account's area, in their order."""
    account = current_account()
    return [] if account is None else [c for c in codes if account.sees(c)]
