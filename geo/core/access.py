"""Who may do what, where: roles → permissions and the area (wilayah) test. Pure, no I/O.

Lokus knows four roles (issue 12):

========  ===========================================================================
admin     manage accounts; everything an analis may, in its area
analis    upload and delete datasets, score, save/rename/delete scenarios, plan,
          export, present (the Bappeda planner)
peninjau  see the datasets and scenarios of its area; comment on the proposed villages
          of its kecamatan (the camat or an OPD reviewer)
pemirsa   see and export only
========  ===========================================================================

An account's *area* is a Kemendagri code prefix: a province ``32``, a kabupaten ``32.11``
or a kecamatan ``32.11.01``; an empty area is the whole country. :func:`within` tells
whether a code (a village, a kecamatan, a dataset's wilayah) lies inside an area.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from geo.core.codes import normalise_code
from geo.core.errors import InputError

__all__ = ["LOCAL_ACCOUNT", "NAME_MAX", "PERMISSIONS", "ROLES", "Account", "Permission", "Role",
           "allowed", "check_area", "check_name", "check_role", "permissions_of", "within"]


class Permission(StrEnum):
    """One thing a request may do; a callback or route names the one it needs."""

    VIEW = "view"  # see maps, tables, datasets and scenarios of the area
    EXPORT = "export"  # download tables, PDFs, quality reports
    SCORE = "score"  # run the heavy analyses (simulations, budget optimisation)
    UPLOAD = "upload"  # send data files, check and save a dataset
    DELETE_DATASET = "delete_dataset"
    SCENARIO = "scenario"  # save, rename, duplicate, delete, import scenarios
    PLAN = "plan"  # targets, action plan, previous lokus list
    PRESENT = "present"  # change the list in the meeting, write the Berita Acara
    COMMENT = "comment"  # answer setuju / keberatan on proposed villages
    MANAGE_ACCOUNTS = "manage_accounts"


class Role(StrEnum):
    """The four roles, most powerful first."""

    ADMIN = "admin"
    ANALIS = "analis"
    PENINJAU = "peninjau"
    PEMIRSA = "pemirsa"


ROLES: tuple[str, ...] = tuple(r.value for r in Role)

_ANALIS = frozenset({Permission.VIEW, Permission.EXPORT, Permission.SCORE, Permission.UPLOAD,
                     Permission.DELETE_DATASET, Permission.SCENARIO, Permission.PLAN,
                     Permission.PRESENT})
#: Role → what it may do. The admin holds every permission (comment included: an admin may
#: stand in for a reviewer).
PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.ANALIS: _ANALIS,
    Role.PENINJAU: frozenset({Permission.VIEW, Permission.COMMENT}),
    Role.PEMIRSA: frozenset({Permission.VIEW, Permission.EXPORT}),
}

#: Longest account name.
NAME_MAX = 64
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_AREA_RE = re.compile(r"^[0-9]{2}(\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?)?$")


def check_role(role: object) -> Role:
    """The :class:`Role` named ``role`` (case-insensitive), else an :class:`InputError`."""
    text = str(role or "").strip().lower()
    if text not in ROLES:
        raise InputError.of("account.error.role", role=str(role), options=", ".join(ROLES))
    return Role(text)


def check_name(name: object) -> str:
    """An account name normalised: stripped, lower case; letters, digits, ``. _ -``."""
    text = str(name or "").strip().lower()
    if not text or len(text) > NAME_MAX or not _NAME_RE.match(text):
        raise InputError.of("account.error.name", name=str(name)[:NAME_MAX + 8], max=NAME_MAX)
    return text


def check_area(area: object) -> str:
    """A wilayah code prefix: ``""`` (everywhere), ``32``, ``32.11``, ``32.11.01`` (or a village
    code); plain digits ``3211`` are accepted and dotted. Anything else is an InputError."""
    text = str(area or "").strip()
    if text.isdigit() and len(text) in (4, 6):
        text = ".".join(text[i:i + 2] for i in range(0, len(text), 2))
    village = text.count(".") == 3  # a whole village code: the Kemendagri rules of geo.core.codes
    if text and (not _AREA_RE.match(text) or (village and normalise_code(text) != text)):
        raise InputError.of("account.error.area", area=str(area)[:40])
    return text


def within(area: str, code: str | None) -> bool:
    """Whether ``code`` lies inside ``area`` (a code prefix, whole dotted parts only).

    >>> within("32.11", "32.11.01.2001"), within("32.11", "32.110"), within("", "33")
    (True, False, True)

    A code is inside its own area; an area never contains a wider code (a kecamatan account
    does not see the kabupaten). A missing code is inside only the whole-country area.
    """
    if not area:
        return True
    if not code:
        return False
    return code == area or code.startswith(area + ".")


def permissions_of(role: Role | str) -> frozenset[Permission]:
    """What ``role`` may do (nothing for an unknown role)."""
    try:
        return PERMISSIONS[Role(role)]
    except ValueError:
        return frozenset()


@dataclass(frozen=True)
class Account:
    """A signed-in person as the app sees it (no password hash here).

    ``area`` is the wilayah prefix the account may see; ``local`` marks the single local
    user of a loopback process without accounts.
    """

    name: str
    role: Role
    area: str = ""
    display_name: str = ""
    active: bool = True
    local: bool = False

    @property
    def label(self) -> str:
        """The name shown to people: the display name, else the account name."""
        return self.display_name or self.name

    def may(self, permission: Permission | str) -> bool:
        """Whether this account may do ``permission`` (inactive accounts may do nothing)."""
        return self.active and Permission(permission) in permissions_of(self.role)

    def sees(self, code: str | None) -> bool:
        """Whether ``code`` lies inside this account's area."""
        return within(self.area, code)


#: The one user of a loopback process without accounts: an admin of the whole country.
LOCAL_ACCOUNT = Account(name="lokal", role=Role.ADMIN, area="", display_name="", local=True)


def allowed(account: Account | None, permission: Permission | str, code: str | None = None) -> bool:
    """Whether ``account`` may do ``permission`` (on ``code``, when given: inside its area).

    Nobody (``None``) may do anything.
    """
    if account is None or not account.may(permission):
        return False
    return code is None or account.sees(code)
