"""geo/core/sso.py: the single sign-on configuration and the claim → account name rule; the
store's sign-in of an account vouched for by the provider (SQLite and, marked pg, PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from geo.core.access import Role
from geo.core.errors import InputError
from geo.core.settings import Settings
from geo.core.sso import SsoConfig, account_name, check_metadata, sso_config
from geo.store.accounts import AccountStore, SignInRefused
from geo.store.schema import login_attempt_table
from tests.conftest_db import db_url, empty_store, pg_database, store  # noqa: F401 (fixtures)

KEYCLOAK = "https://sso.example.go.id/realms/pemprov"


def config(**changes) -> SsoConfig:
    values = {"issuer": KEYCLOAK, "client_id": "lokus", "client_secret": "rahasia", **changes}
    made = sso_config(**values)
    assert made is not None
    return made


def test_unset_means_no_single_sign_on():
    assert sso_config(issuer="", client_id="", client_secret="") is None
    assert sso_config(issuer="  ", client_id="lokus", client_secret="x") is None


def test_settings_read_the_environment_and_hide_the_secret():
    settings = Settings.from_env({"LOKUS_OIDC_ISSUER": KEYCLOAK, "LOKUS_OIDC_CLIENT_ID": "lokus",
                                  "LOKUS_OIDC_CLIENT_SECRET": "sangat-rahasia",
                                  "LOKUS_OIDC_NAME": "SSO Pemprov",
                                  "LOKUS_OIDC_USERNAME_CLAIM": "nip"})
    assert (settings.oidc_issuer, settings.oidc_client_id, settings.oidc_name,
            settings.oidc_username_claim) == (KEYCLOAK, "lokus", "SSO Pemprov", "nip")
    assert settings.oidc_client_secret == "sangat-rahasia" and "sangat-rahasia" not in repr(settings)
    assert Settings.from_env({}).oidc_issuer == ""


def test_defaults_and_the_discovery_url():
    made = config(issuer=KEYCLOAK + "/.well-known/openid-configuration")
    assert made.issuer == KEYCLOAK
    assert made.discovery_url == KEYCLOAK + "/.well-known/openid-configuration"
    assert (made.name, made.username_claim, made.scope) == ("SSO", "preferred_username", "openid profile")
    assert config(scope="profile email").scope == "openid profile email"  # openid always asked for


@pytest.mark.parametrize("changes", [
    {"client_id": ""}, {"client_secret": " "},
    {"issuer": "http://sso.example.go.id/realms/pemprov"},  # plain http to another machine
    {"issuer": "sso.example.go.id"}, {"issuer": KEYCLOAK + "?x=1"},
    {"redirect_uri": "http://lokus.example.go.id/masuk/sso/kembali"},
])
def test_half_made_or_unsafe_configuration_is_refused(changes):
    with pytest.raises(ValueError):
        config(**changes)


def test_plain_http_allowed_to_this_machine_only():
    assert config(issuer="http://127.0.0.1:8080/realms/uji").issuer == "http://127.0.0.1:8080/realms/uji"


def test_metadata_must_name_the_configured_issuer():
    good = {"issuer": KEYCLOAK, "authorization_endpoint": "a", "token_endpoint": "t", "jwks_uri": "j",
            "code_challenge_methods_supported": ["plain", "S256"]}
    check_metadata(config(), good)
    for wrong in ({**good, "issuer": "https://evil.example/realms/pemprov"}, {**good, "jwks_uri": ""},
                  {**good, "code_challenge_methods_supported": ["plain"]}):
        with pytest.raises(ValueError):
            check_metadata(config(), wrong)


def test_account_name_from_the_claim():
    assert account_name({"preferred_username": "Budi.Santoso"}) == "budi.santoso"
    assert account_name({"nip": "19800101"}, "nip") == "19800101"
    with pytest.raises(InputError) as missing:
        account_name({"preferred_username": "budi"}, "nip")
    assert "nip" in missing.value.render("en")
    for bad in ("", "budi santoso", "../admin", 42, "x" * 65):
        with pytest.raises(InputError):
            account_name({"preferred_username": bad})


def test_trusted_sign_in_needs_an_existing_active_account(store):  # noqa: F811
    accounts = AccountStore(store.engine)
    accounts.add("budi", role="peninjau", area="32.11.01", password="kata-sandi-panjang")
    accounts.add("lama", role="analis", area="32.11", password="kata-sandi-panjang")
    accounts.set_active("lama", False)
    at = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    account = accounts.sign_in_trusted("Budi", address="10.0.0.7", now=at)
    assert (account.name, account.role, account.area) == ("budi", Role.PENINJAU, "32.11.01")
    for name, reason in (("tamu", "unknown"), ("lama", "disabled")):
        with pytest.raises(SignInRefused) as refused:
            accounts.sign_in_trusted(name, address="10.0.0.7", now=at)
        assert refused.value.reason == reason
    assert accounts.get("tamu") is None and accounts.count() == 1  # nothing created, nothing enabled
    last = {i.account.name: i.last_login_at for i in accounts.list()}
    assert last == {"budi": at, "lama": None}
    with store.engine.connect() as conn:
        rows = conn.execute(select(login_attempt_table.c.name, login_attempt_table.c.ok)
                            .order_by(login_attempt_table.c.id)).all()
    assert [tuple(r) for r in rows] == [("budi", True), ("tamu", False), ("lama", False)]
