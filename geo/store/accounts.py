"""Accounts and sign-in attempts in the scenario database (tables ``account``, ``login_attempt``).

- **Passwords** are hashed with scrypt (:func:`hashlib.scrypt`, memory-hard), a random salt
  per password and the cost parameters stored in the hash string
  (``scrypt$<n>$<r>$<p>$<salt>$<hash>``, base64), so costs can grow later without breaking old
  hashes; comparison is constant-time (:func:`hmac.compare_digest`).
- **Rate limit.** Every sign-in attempt is a row (name as typed, address, ok), in the
  database so that several workers and servers share it. :data:`SignInLimits` failures of one
  account name (since its last success) or of one address within the window lock further
  attempts until the window has passed. Rows older than a day are pruned.
- An unknown name costs the same hashing time as a wrong password (no user enumeration by
  timing), and both give the same answer.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, func, insert, select, update

from geo.core.access import Account, Role, check_area, check_name, check_role
from geo.core.errors import InputError
from geo.store.engine import reading, writing
from geo.store.schema import account_table, login_attempt_table

__all__ = ["PASSWORD_MAX", "PASSWORD_MIN", "AccountInfo", "AccountStore", "SignInLimits", "SignInRefused",
           "hash_password", "verify_password"]

log = logging.getLogger(__name__)

PASSWORD_MIN, PASSWORD_MAX = 10, 1024
#: scrypt cost N = 2^15, r = 8, p = 1: 32 MiB and about 0.1 s per sign-in, bounded memory when
#: many sign-ins arrive at once. Stored in every hash: raising it later breaks no password.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
_MAXMEM = 256 * 1024 * 1024


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    """``scrypt$n$r$p$salt$hash`` of ``password`` with a fresh 16-byte salt."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM, dklen=32)
    return f"scrypt${n}${r}${p}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches the ``stored`` hash (False for a malformed hash)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r),
                             p=int(p), maxmem=_MAXMEM, dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


#: Hash checked against when the name is unknown: the same work as a wrong password.
_DUMMY_HASH = hash_password(secrets.token_hex(16))


def check_password(password: object) -> str:
    """A password long enough and not absurdly long, else an :class:`InputError`."""
    text = password if isinstance(password, str) else ""
    if len(text) < PASSWORD_MIN:
        raise InputError.of("account.error.password_short", min=PASSWORD_MIN)
    if len(text) > PASSWORD_MAX:
        raise InputError.of("account.error.password_long", max=PASSWORD_MAX)
    return text


@dataclass(frozen=True)
class SignInLimits:
    """Failures allowed per account name and per address within ``window`` before a lock."""

    per_account: int = 5
    per_address: int = 20
    window: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class AccountInfo:
    """An account with its times (for ``lokus user list``)."""

    account: Account
    created_at: datetime
    last_login_at: datetime | None


class SignInRefused(Exception):
    """A sign-in refused: ``reason`` is ``"invalid"`` (name or password) or ``"locked"``
    (single sign-on: ``"unknown"`` or ``"disabled"``)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _now() -> datetime:
    return datetime.now(UTC)


def _clean_display(text: object) -> str:
    value = " ".join(str(text or "").split())
    if len(value) > 120 or any(ord(c) < 32 for c in value):
        raise InputError.of("account.error.display_name", max=120)
    return value


def _account(row: Any) -> Account:
    return Account(name=row.name, role=Role(row.role), area=row.wilayah, display_name=row.display_name,
                   active=bool(row.active))


class AccountStore:
    """Accounts on the engine of a :class:`geo.store.scenarios.Store` (``AccountStore(store.engine)``).

    The tables come with the store's migrations (``store.upgrade()``).
    """

    def __init__(self, engine: Engine, limits: SignInLimits | None = None) -> None:
        self._engine = engine
        self.limits = limits or SignInLimits()


    # ------------------------------------------------------------------ accounts
    def add(self, name: str, *, role: str, area: str, password: str, display_name: str = "") -> Account:
        """Create an account (the name is stored lower case; an existing name is an InputError)."""
        key, role_ok, area_ok = check_name(name), check_role(role), check_area(area)
        display = _clean_display(display_name)
        hashed = hash_password(check_password(password))
        a = account_table
        with writing(self._engine) as conn:
            if conn.execute(select(a.c.id).where(a.c.name == key)).first() is not None:
                raise InputError.of("account.error.exists", name=key)
            conn.execute(insert(a).values(name=key, display_name=display, role=role_ok.value,
                                          wilayah=area_ok, active=True, password_hash=hashed,
                                          created_at=_now(), last_login_at=None))
        log.info("account %s created (role %s, area %s)", key, role_ok.value, area_ok or "*")
        return Account(name=key, role=role_ok, area=area_ok, display_name=display)

    def get(self, name: str) -> Account | None:
        """The account named ``name`` (active or not), None when there is none."""
        try:
            key = check_name(name)
        except InputError:
            return None
        a = account_table
        with reading(self._engine) as conn:
            row = conn.execute(select(a).where(a.c.name == key)).first()
        return None if row is None else _account(row)

    def list(self) -> list[AccountInfo]:
        """Every account, by name."""
        a = account_table
        with reading(self._engine) as conn:
            rows = conn.execute(select(a).order_by(a.c.name)).all()
        return [AccountInfo(_account(r), r.created_at, r.last_login_at) for r in rows]

    def count(self, *, active_only: bool = True) -> int:
        """Number of (active) accounts: 0 means a loopback process runs as the local user."""
        a = account_table
        query = select(func.count()).select_from(a)
        if active_only:
            query = query.where(a.c.active.is_(True))
        with reading(self._engine) as conn:
            return int(conn.execute(query).scalar_one())

    def _set(self, name: str, **values: Any) -> Account:
        key = check_name(name)
        a = account_table
        with writing(self._engine) as conn:
            if conn.execute(update(a).where(a.c.name == key).values(**values)).rowcount != 1:
                raise InputError.of("account.error.unknown", name=key)
            return _account(conn.execute(select(a).where(a.c.name == key)).one())

    def set_active(self, name: str, active: bool) -> Account:
        """Disable (or enable again) an account; a disabled account cannot sign in."""
        account = self._set(name, active=bool(active))
        log.info("account %s %s", account.name, "enabled" if active else "disabled")
        return account

    def set_password(self, name: str, password: str) -> Account:
        """Replace the password of an account."""
        account = self._set(name, password_hash=hash_password(check_password(password)))
        log.info("password of account %s changed", account.name)
        return account

    # ------------------------------------------------------------------ sign-in
    def locked(self, name: str, address: str, now: datetime | None = None) -> bool:
        """Whether too many recent failures of ``name`` or of ``address`` lock sign-in now."""
        now = now or _now()
        since = now - self.limits.window
        t = login_attempt_table
        key = str(name or "").strip().lower()[:64]
        with reading(self._engine) as conn:
            last_ok = conn.execute(select(func.max(t.c.at)).where(t.c.name == key, t.c.ok.is_(True))
                                   ).scalar_one()
            start = max(since, last_ok) if last_ok is not None else since
            by_name = conn.execute(select(func.count()).select_from(t).where(
                t.c.name == key, t.c.ok.is_(False), t.c.at > start)).scalar_one()
            by_address = conn.execute(select(func.count()).select_from(t).where(
                t.c.address == address[:64], t.c.ok.is_(False), t.c.at > since)).scalar_one()
        return by_name >= self.limits.per_account or by_address >= self.limits.per_address

    def sign_in(self, name: str, password: str, *, address: str, now: datetime | None = None) -> Account:
        """The active account whose password this is; the attempt is recorded.

        Raises
        ------
        SignInRefused
            ``locked`` (too many failures: nothing is checked) or ``invalid`` (unknown or
            disabled name, or a wrong password: one answer for all three).
        """
        now = now or _now()
        key = str(name or "").strip().lower()[:64]
        if self.locked(key, address, now):
            log.warning("sign-in locked for account %r from %s", key, address)
            raise SignInRefused("locked")
        a = account_table
        with reading(self._engine) as conn:
            row = conn.execute(select(a).where(a.c.name == key)).first()
        good = verify_password(str(password or "")[:PASSWORD_MAX], row.password_hash if row else _DUMMY_HASH)
        ok = bool(row is not None and row.active and good)
        with writing(self._engine) as conn:
            t = login_attempt_table
            conn.execute(insert(t).values(at=now, name=key, address=address[:64], ok=ok))
            conn.execute(delete(t).where(t.c.at < now - timedelta(days=1)))
            if ok:
                conn.execute(update(a).where(a.c.name == key).values(last_login_at=now))
        if not ok:
            log.warning("failed sign-in for account %r from %s", key, address)
            raise SignInRefused("invalid")
        log.info("account %s signed in from %s", key, address)
        return _account(row)

    def sign_in_trusted(self, name: str, *, address: str, via: str = "sso",
                        now: datetime | None = None) -> Account:
        """The active account ``name`` whose holder an identity provider has authenticated
        (single sign-on: no password here, nothing created, no role given); the attempt is
        recorded and the last login set, as :meth:`sign_in` does.

        Raises
        ------
        SignInRefused
            ``unknown`` (no such account) or ``disabled``: the provider already said who the
            person is, so the answer may say which.
        """
        now = now or _now()
        key = str(name or "").strip().lower()[:64]
        a, t = account_table, login_attempt_table
        with writing(self._engine) as conn:
            row = conn.execute(select(a).where(a.c.name == key)).first()
            ok = bool(row is not None and row.active)
            conn.execute(insert(t).values(at=now, name=key, address=address[:64], ok=ok))
            if ok:
                conn.execute(update(a).where(a.c.name == key).values(last_login_at=now))
        if row is None or not ok:
            reason = "unknown" if row is None else "disabled"
            log.warning("%s sign-in refused for account %r from %s: %s", via, key, address, reason)
            raise SignInRefused(reason)
        log.info("account %s signed in through %s from %s", key, via, address)
        return _account(row)
