"""Accounts in the database (geo/store/accounts.py): hashing, the store, sign-in and its rate
limit, the migration; on SQLite and (marked pg) PostgreSQL."""

from __future__ import annotations

import base64
import hashlib
import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect

from geo.core.access import Role
from geo.core.errors import InputError
from geo.store.accounts import AccountStore, SignInLimits, SignInRefused, hash_password, verify_password
from tests.conftest_db import db_url, empty_store, pg_database, store  # noqa: F401 (fixtures)

PASSWORD = "kata-sandi-panjang"
T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@pytest.fixture()
def accounts(store) -> AccountStore:  # noqa: F811
    return AccountStore(store.engine)


# --------------------------------------------------------------------------- hashing
def test_hash_is_scrypt_with_salt_and_parameters():
    stored = hash_password(PASSWORD)
    scheme, n, r, p, salt, digest = stored.split("$")
    assert (scheme, n, r, p) == ("scrypt", str(2**15), "8", "1")
    # independent recomputation with the stored parameters
    again = hashlib.scrypt(PASSWORD.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                           maxmem=256 * 1024 * 1024, dklen=32)
    assert again == base64.b64decode(digest) and len(base64.b64decode(salt)) == 16
    assert hash_password(PASSWORD) != stored  # a fresh salt every time
    assert PASSWORD not in stored


def test_verify_password():
    stored = hash_password(PASSWORD, n=2**10)  # parameters come from the hash, not the code
    assert verify_password(PASSWORD, stored)
    assert not verify_password(PASSWORD + "x", stored)
    assert not verify_password("", stored)
    for bad in ("", "plain", "md5$1$2$3$4$5", "scrypt$x$8$1$AA==$AA==", "scrypt$1024$8$1$!!$??"):
        assert not verify_password(PASSWORD, bad)


# --------------------------------------------------------------------------- store
def test_migration_creates_and_drops_the_tables(store):  # noqa: F811
    tables = set(inspect(store.engine).get_table_names())
    assert {"account", "login_attempt"} <= tables
    store.downgrade("0002")
    assert not {"account", "login_attempt"} & set(inspect(store.engine).get_table_names())
    store.upgrade()
    assert AccountStore(store.engine).count() == 0


def test_add_get_list_count(accounts):
    assert accounts.count() == 0 and accounts.list() == []
    made = accounts.add(" Budi ", role="analis", area="3211", password=PASSWORD, display_name=" Budi  S. ")
    assert (made.name, made.role, made.area, made.display_name) == ("budi", Role.ANALIS, "32.11", "Budi S.")
    accounts.add("camat", role="peninjau", area="32.11.01", password=PASSWORD)
    assert accounts.get("BUDI") == made
    assert accounts.get("nobody") is None and accounts.get("bad name") is None
    infos = accounts.list()
    assert [i.account.name for i in infos] == ["budi", "camat"]
    assert infos[0].created_at.tzinfo is not None and infos[0].last_login_at is None
    assert accounts.count() == 2


@pytest.mark.parametrize(("kwargs", "key"), [
    ({"name": "budi"}, "account.error.exists"),
    ({"name": "BUDI"}, "account.error.exists"),
    ({"role": "kepala"}, "account.error.role"),
    ({"area": "32.1"}, "account.error.area"),
    ({"password": "pendek"}, "account.error.password_short"),
    ({"password": "x" * 1025}, "account.error.password_long"),
    ({"display_name": "a\x00b"}, "account.error.display_name"),
    ({"name": "budi santoso"}, "account.error.name"),
])
def test_add_refuses(accounts, kwargs, key):
    accounts.add("budi", role="analis", area="32.11", password=PASSWORD)
    args = {"name": "baru", "role": "analis", "area": "32.11", "password": PASSWORD, **kwargs}
    with pytest.raises(InputError) as err:
        accounts.add(args.pop("name"), **args)
    assert err.value.message.key == key
    assert accounts.count() == 1


def test_disable_and_new_password(accounts):
    accounts.add("budi", role="analis", area="32.11", password=PASSWORD)
    assert not accounts.set_active("budi", False).active
    assert accounts.count() == 0 and accounts.count(active_only=False) == 1
    with pytest.raises(SignInRefused):
        accounts.sign_in("budi", PASSWORD, address="10.0.0.1")
    accounts.set_active("budi", True)
    accounts.set_password("budi", "sandi-baru-sekali")
    with pytest.raises(SignInRefused):
        accounts.sign_in("budi", PASSWORD, address="10.0.0.1")
    assert accounts.sign_in("budi", "sandi-baru-sekali", address="10.0.0.1").name == "budi"
    with pytest.raises(InputError):
        accounts.set_active("nobody", False)


# --------------------------------------------------------------------------- sign-in
def test_sign_in_records_the_time_and_logs_failures(accounts, caplog):
    accounts.add("budi", role="analis", area="32.11", password=PASSWORD)
    with caplog.at_level(logging.WARNING, logger="geo.store.accounts"):
        for name, password in (("budi", "salah-salah-salah"), ("nobody", PASSWORD)):
            with pytest.raises(SignInRefused) as refused:
                accounts.sign_in(name, password, address="10.0.0.1", now=T0)
            assert refused.value.reason == "invalid"  # the same answer for a wrong name
    assert "failed sign-in" in caplog.text and "salah" not in caplog.text and PASSWORD not in caplog.text
    account = accounts.sign_in("Budi", PASSWORD, address="10.0.0.1", now=T0)
    assert account.name == "budi" and account.area == "32.11"
    assert accounts.list()[0].last_login_at == T0


def test_five_failures_lock_the_account_for_the_window(accounts):
    accounts.add("budi", role="analis", area="32.11", password=PASSWORD)
    for i in range(5):
        with pytest.raises(SignInRefused) as refused:
            accounts.sign_in("budi", "salah-salah-salah", address=f"10.0.0.{i}",
                             now=T0 + timedelta(seconds=i))
        assert refused.value.reason == "invalid"
    # locked: even the right password, from any address, is not checked
    with pytest.raises(SignInRefused) as refused:
        accounts.sign_in("budi", PASSWORD, address="10.9.9.9", now=T0 + timedelta(minutes=1))
    assert refused.value.reason == "locked"
    assert accounts.locked("budi", "10.9.9.9", T0 + timedelta(minutes=14))
    later = T0 + timedelta(minutes=15, seconds=5)
    assert not accounts.locked("budi", "10.9.9.9", later)
    assert accounts.sign_in("budi", PASSWORD, address="10.9.9.9", now=later).name == "budi"


def test_a_success_resets_the_account_count(accounts):
    accounts.add("budi", role="analis", area="32.11", password=PASSWORD)
    for i in range(4):
        with pytest.raises(SignInRefused):
            accounts.sign_in("budi", "salah-salah-salah", address="10.0.0.1", now=T0 + timedelta(seconds=i))
    accounts.sign_in("budi", PASSWORD, address="10.0.0.1", now=T0 + timedelta(seconds=10))
    with pytest.raises(SignInRefused) as refused:
        accounts.sign_in("budi", "salah-salah-salah", address="10.0.0.1", now=T0 + timedelta(seconds=20))
    assert refused.value.reason == "invalid"  # 1 failure since the success, not 5


def test_one_address_trying_many_names_is_locked(store):  # noqa: F811
    accounts = AccountStore(store.engine, SignInLimits(per_account=5, per_address=6))
    accounts.add("budi", role="analis", area="32.11", password=PASSWORD)
    for i in range(6):
        with pytest.raises(SignInRefused):
            accounts.sign_in(f"tebak{i}", "salah-salah-salah", address="10.6.6.6", now=T0)
    with pytest.raises(SignInRefused) as refused:
        accounts.sign_in("budi", PASSWORD, address="10.6.6.6", now=T0)
    assert refused.value.reason == "locked"
    assert accounts.sign_in("budi", PASSWORD, address="10.0.0.2", now=T0).name == "budi"  # other address


def test_old_attempts_are_pruned(accounts):
    from sqlalchemy import func, select

    from geo.store.schema import login_attempt_table

    with pytest.raises(SignInRefused):
        accounts.sign_in("x", "salah-salah-salah", address="10.0.0.1", now=T0)
    with pytest.raises(SignInRefused):
        accounts.sign_in("y", "salah-salah-salah", address="10.0.0.1", now=T0 + timedelta(days=2))
    with accounts._engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(login_attempt_table)).scalar_one() == 1
