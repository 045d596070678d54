"""The access policy (geo/core/access.py), the auth settings and the server caps of a config."""

from __future__ import annotations

import itertools

import pytest

from geo.core.access import (
    LOCAL_ACCOUNT,
    ROLES,
    Account,
    Permission,
    Role,
    allowed,
    check_area,
    check_name,
    check_role,
    permissions_of,
    within,
)
from geo.core.errors import InputError
from geo.core.settings import Settings
from geo.scoring.config import SERVER_LIMITS, ScoringConfig, capped

#: The role table of issue 12, written out independently of geo/core/access.py.
MAY = {
    "admin": {"view", "export", "score", "upload", "delete_dataset", "scenario", "plan", "present",
              "comment", "manage_accounts"},
    "analis": {"view", "export", "score", "upload", "delete_dataset", "scenario", "plan", "present"},
    "peninjau": {"view", "comment"},
    "pemirsa": {"view", "export"},
}


def test_roles_are_the_four_of_the_issue():
    assert set(ROLES) == set(MAY) and ROLES[0] == "admin"


@pytest.mark.parametrize(("role", "permission"), list(itertools.product(MAY, [p.value for p in Permission])))
def test_every_role_and_permission(role, permission):
    account = Account(name="x", role=Role(role))
    assert account.may(permission) is (permission in MAY[role])
    assert (Permission(permission) in permissions_of(role)) is (permission in MAY[role])
    assert allowed(account, permission) is (permission in MAY[role])


def test_only_admin_manages_accounts_and_nobody_else_outranks_analis():
    assert [r for r in ROLES if Account("x", Role(r)).may(Permission.MANAGE_ACCOUNTS)] == ["admin"]
    assert permissions_of("analis") < permissions_of("admin")
    assert permissions_of("pemirsa") < permissions_of("analis")
    assert not Account("x", Role.PEMIRSA).may("upload") and not Account("x", Role.PENINJAU).may("export")


def test_inactive_accounts_and_nobody_may_nothing():
    off = Account(name="x", role=Role.ADMIN, active=False)
    assert not any(off.may(p) for p in Permission)
    assert not any(allowed(None, p) for p in Permission)
    assert permissions_of("kepala") == frozenset()


@pytest.mark.parametrize(("area", "code", "inside"), [
    ("", "32.11.01.2001", True), ("", None, True), ("", "", True),
    ("32", "32.11.01.2001", True), ("32", "32", True), ("32", "33.01", False),
    ("32.11", "32.11.01.2001", True), ("32.11", "32.11", True), ("32.11", "32.110.01", False),
    ("32.11", "32.1", False), ("32.11", "32", False), ("32.11", "32.12.01.2001", False),
    ("32.11.01", "32.11.01.2001", True), ("32.11.01", "32.11.02.2001", False),
    ("32.11.01", "32.11.011.2001", False), ("32.11.01", None, False), ("32.11.01", "", False),
    ("32.11.01.2001", "32.11.01.2001", True), ("32.11.01.2001", "32.11.01.2002", False),
])
def test_within_is_a_whole_part_prefix(area, code, inside):
    assert within(area, code) is inside
    assert Account("x", Role.PENINJAU, area=area).sees(code) is inside


def test_allowed_with_a_code_needs_permission_and_area():
    camat = Account("camat", Role.PENINJAU, area="32.11.01")
    assert allowed(camat, "comment", "32.11.01.2001")
    assert not allowed(camat, "comment", "32.11.02.2001")
    assert not allowed(camat, "export", "32.11.01.2001")


def test_local_account_is_an_admin_of_everything():
    assert LOCAL_ACCOUNT.local and LOCAL_ACCOUNT.role is Role.ADMIN and LOCAL_ACCOUNT.area == ""
    assert all(LOCAL_ACCOUNT.may(p) for p in Permission) and LOCAL_ACCOUNT.sees("99.99")
    assert Account("budi", Role.ANALIS, display_name="Budi S.").label == "Budi S."
    assert Account("budi", Role.ANALIS).label == "budi"


@pytest.mark.parametrize(("text", "area"), [
    ("32", "32"), (" 32.11 ", "32.11"), ("3211", "32.11"), ("321101", "32.11.01"),
    ("32.11.01", "32.11.01"), ("32.11.01.2001", "32.11.01.2001"), ("", ""), (None, ""),
])
def test_check_area_accepts_code_prefixes(text, area):
    assert check_area(text) == area


@pytest.mark.parametrize("text", ["3", "32.1", "32.11.1", "3x", "32-11", "32.11.01.201", "32..11", "../32",
                                  "32.11.01.2001.1", "321", "32 11", "32.11.01.9001"])
def test_check_area_refuses_anything_else(text):
    with pytest.raises(InputError) as err:
        check_area(text)
    assert err.value.message.key == "account.error.area"


def test_names_and_roles():
    assert check_name("  Budi.S-1 ") == "budi.s-1"
    assert check_role("ANALIS") is Role.ANALIS
    for bad in ("", "budi santoso", "-budi", "b" * 65, "budi/../x", "büdi", None):
        with pytest.raises(InputError):
            check_name(bad)
    for bad in ("", "boss", None, "admin "):
        if bad == "admin ":
            assert check_role(bad) is Role.ADMIN  # stripped
            continue
        with pytest.raises(InputError):
            check_role(bad)


# --------------------------------------------------------------------------- settings
@pytest.mark.parametrize(("auth", "host", "has_accounts", "required"), [
    ("auto", "127.0.0.1", False, False), ("auto", "localhost", False, False), ("auto", "::1", False, False),
    ("auto", "127.0.0.1", True, True), ("auto", "0.0.0.0", False, True), ("auto", "10.1.2.3", True, True),
    ("required", "127.0.0.1", False, True), ("off", "0.0.0.0", True, False),
])
def test_auth_mode(auth, host, has_accounts, required):
    assert Settings(auth=auth, host=host).auth_required(has_accounts) is required


def test_auth_settings_from_the_environment():
    s = Settings.from_env({"LOKUS_AUTH": "REQUIRED", "LOKUS_SECRET_KEY": " k ",
                           "LOKUS_SESSION_IDLE_MINUTES": "5", "LOKUS_SECURE_COOKIES": "off",
                           "LOKUS_MAX_UPLOADS_PER_USER": "3", "LOKUS_MAX_UPLOAD_TOTAL_MB": "50"})
    assert (s.auth, s.secret_key, s.session_idle_minutes, s.secure_cookies) == ("required", "k", 5.0, "off")
    assert (s.max_uploads_per_user, s.max_upload_total_mb) == (3, 50.0)
    typo = Settings.from_env({"LOKUS_AUTH": "yes", "LOKUS_SECURE_COOKIES": "maybe"})
    assert (typo.auth, typo.secure_cookies) == ("auto", "auto")  # a typo keeps the safe default
    assert Settings(host="0.0.0.0").cookie_secure and not Settings().cookie_secure
    assert Settings(secure_cookies="on").cookie_secure
    assert not Settings(host="0.0.0.0", secure_cookies="off").cookie_secure


# --------------------------------------------------------------------------- server caps
BASE = {"year": 2021, "indicators": ["rasio_merah"], "weights": {"rasio_merah": 1.0}}


def test_a_config_from_outside_is_capped_with_a_note():
    config = ScoringConfig.from_dict({**BASE, "draws": 40_000, "top_n": 10**6, "max_per_kecamatan": 10**5})
    assert (config.draws, config.top_n, config.max_per_kecamatan) == (2000, 10_000, 10_000)
    assert config.notes == ("scoring.engine.capped",)
    assert SERVER_LIMITS["draws"] == 2000


def test_a_config_within_the_limits_is_unchanged():
    config = ScoringConfig.from_dict({**BASE, "draws": 2000, "top_n": 20})
    assert config.draws == 2000 and config.notes == ()
    assert ScoringConfig.from_dict(config.to_dict()) == config  # round trip still exact
    assert ScoringConfig(**{**BASE, "draws": 5000}).draws == 5000  # the CLI builds configs in code


def test_capped_leaves_bad_values_to_the_checks():
    assert capped({"draws": "40000"})["draws"] == "40000"
    assert capped({"draws": True}) == {"draws": True}
    assert capped({"draws": 3000, "notes": ["scoring.engine.capped"]})["notes"] == ["scoring.engine.capped"]
    with pytest.raises(InputError):
        ScoringConfig.from_dict({**BASE, "draws": -5})
