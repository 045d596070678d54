"""The account of the current request, for callbacks, routes and page layouts (issue 12).

The guard of :mod:`callbacks.auth` puts the signed-in account (or the local user, when no
sign-in is required) on :data:`flask.g` before any route or callback runs. Callbacks ask:

- :func:`current_account` — who is asking (outside a request, e.g. a callback called in a
  unit test, the local user);
- :func:`require` — the account when it may do a permission (on a code), else an
  :class:`~geo.core.errors.InputError` the ``@input_errors`` decorator shows;
- :func:`visible` — the codes of a list inside the account's area;
- :func:`author` — the account name an audit entry records;
- :func:`sees_dataset` — whether a dataset (by its wilayah) is inside the account's area.

Area-scoped access is enforced centrally: the app factory gives the registry the gate
:func:`sees_dataset` and the scenario store the gate :func:`scenario_gate`, so a dataset or
a scenario outside the area is *not found* in every callback, download and route that asks
the registry or the store. :func:`allowed_dataset` and :func:`allowed_scenario` say so in
callback code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import flask

from geo.core.access import LOCAL_ACCOUNT, Account, Permission, allowed, within
from geo.core.errors import InputError
from geo.data.wilayah import kabupaten_of

if TYPE_CHECKING:
    from geo.store.model import Scenario
    from geo.store.scenarios import Store
    from geo.view.registry import Registry

__all__ = [
    "G_ACCOUNT",
    "allowed_dataset",
    "allowed_scenario",
    "author",
    "check_upload_area",
    "current_account",
    "dataset_visible_to",
    "lock_forbidden",
    "require",
    "scenario_gate",
    "sees_dataset",
    "visible",
]

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


def dataset_visible_to(account: Account | None, wilayah: str) -> bool:
    """Whether a dataset of ``wilayah`` is visible to ``account``.

    Inside the area: a kabupaten account sees its kabupaten's datasets, a province account
    those of all its kabupaten. A kecamatan-level account (a camat, ``32.11.01``) also sees
    the dataset of its own kabupaten (``32.11``): that is the data it reviews. Nobody sees a
    dataset of another kabupaten, nor an area account a wider (province or national) one.
    """
    if account is None or not account.active:
        return False
    if within(account.area, wilayah):
        return True
    kabupaten = kabupaten_of(account.area)
    return bool(wilayah) and kabupaten != account.area and kabupaten == wilayah


def sees_dataset(wilayah: str) -> bool:
    """The registry's gate: whether the current account sees a dataset of ``wilayah``."""
    return dataset_visible_to(current_account(), wilayah)


def scenario_gate(registry: Registry) -> Callable[[str], bool]:
    """The store's gate: a scenario is visible when its dataset is. A scenario whose dataset
    is gone stays visible only to accounts of the whole country (its area is unknown)."""
    def gate(dataset_id: str) -> bool:
        account = current_account()
        if account is not None and account.active and not account.area:
            return True
        return registry.visible(dataset_id)
    return gate


def allowed_dataset(registry: Registry, dataset_id: str | None) -> str:
    """``dataset_id`` (the default when empty) when the current account sees it, else the
    ``data.error.not_found`` InputError (a dataset outside the area does not exist)."""
    dataset_id = dataset_id or registry.default_id
    if not registry.visible(dataset_id):
        raise InputError.of("data.error.not_found", id=str(dataset_id)[:120])
    return dataset_id


def allowed_scenario(store: Store, scenario_id: int) -> Scenario:
    """The scenario when the current account sees it (its store gate), else the store's
    not-found error — exactly as for an id that does not exist."""
    return store.get(scenario_id)


def check_upload_area(registry: Registry, dataset_id: str) -> None:
    """Refuse a just saved dataset whose villages lie outside the uploader's area (strictly:
    a camat may see its kabupaten's data but not upload it); InputError
    ``area.error.upload_outside``. The caller deletes the folder."""
    account = current_account()
    wilayah = registry.wilayah(dataset_id)
    if account is None or not within(account.area, wilayah):
        raise InputError.of("area.error.upload_outside", wilayah=wilayah or "-",
                            area=account.area if account is not None else "-")


def lock_forbidden(page: Any, permissions: Mapping[str, Permission], account: Account | None,
                   lang: str) -> int:
    """Disable, with a tooltip saying why, every control of ``page`` that triggers a callback
    the account may not run (``permissions``: trigger id or pattern type → permission, the
    guard's table). The guard refuses such a request anyway; this keeps a click from failing
    in silence. Returns how many controls were locked."""
    from layouts.text import t  # late: layouts import this module's callers

    if account is None:
        return 0
    locked = 0
    for component in page._traverse():
        key = getattr(component, "id", None)
        key = key.get("type") if isinstance(key, dict) else key
        need = permissions.get(key) if isinstance(key, str) else None
        if need is None or account.may(need):
            continue
        # a confirm dialog's button is the control; a store (no look) has nothing to lock
        control = getattr(component, "children", None) if type(component).__name__ == \
            "ConfirmDialogProvider" else component
        props = getattr(control, "available_properties", ())
        if "disabled" in props:
            control.disabled = True
        elif "style" in props:
            control.style = {**(getattr(control, "style", None) or {}), "display": "none"}
        else:
            continue
        if "title" not in props:  # an upload zone: looks disabled (no tooltip to carry why)
            control.style = {**(getattr(control, "style", None) or {}), "opacity": 0.5,
                             "cursor": "not-allowed"}
        else:
            control.title = t("account.locked", lang, role=t(f"account.role.{account.role.value}", lang),
                              action=t(f"account.action.{need.value}", lang))
        locked += 1
    return locked
