"""The settings of one Lokus process, read from the environment once, at the edge.

:meth:`Settings.from_env` is the only reader of environment variables; the app factory
(``create_app(settings)``) and the command line (``lokus ... --data-dir ...``) build one
:class:`Settings` and pass its values down as parameters. Nothing else in ``geo`` reads
``os.environ``.

Environment variable → field (default):

- ``DATABASE_URL`` → ``database_url`` (empty: SQLite file ``<state_dir>/lokus.db``)
- ``LOKUS_DATA_DIR`` → ``data_dir`` (the embedded data shipped with Lokus)
- ``LOKUS_STATE_DIR`` → ``state_dir`` (``var/`` in the working directory)
- ``LOKUS_MAX_UPLOAD_MB`` → ``max_upload_mb`` (200)
- ``LOKUS_MAX_UNZIPPED_MB`` → ``max_unzipped_mb`` (1000: a zip archive unpacked, at most)
- ``HOST``, ``PORT`` → ``host``, ``port`` (``127.0.0.1``, 8050)
- ``LOKUS_LANG`` → ``lang`` (``id``, Bahasa Indonesia; or ``en``)

Accounts and sign-in (issue 12; see :mod:`geo.core.access`):

- ``LOKUS_AUTH`` → ``auth``: ``auto`` (default: sign-in required unless the process is bound
  to a loopback host and has no account), ``required`` or ``off`` (every visitor is the local
  user: only for a single machine)
- ``LOKUS_SECRET_KEY`` → ``secret_key`` (signs the session cookie; empty: a random key kept in
  ``<state_dir>/secret_key``, shared by the workers of one machine)
- ``LOKUS_SESSION_IDLE_MINUTES`` → ``session_idle_minutes`` (30): signed out after this long idle
- ``LOKUS_SECURE_COOKIES`` → ``secure_cookies``: ``auto`` (Secure unless bound to loopback),
  ``on`` or ``off`` (plain-http intranet; not recommended)
- ``LOKUS_MAX_UPLOADS_PER_USER`` → ``max_uploads_per_user`` (20 unsaved uploads on disk)
- ``LOKUS_MAX_UPLOAD_TOTAL_MB`` → ``max_upload_total_mb`` (2000 MB of unsaved uploads per user)

Single sign-on through OpenID Connect (optional; see :mod:`geo.core.sso`; unset: none):

- ``LOKUS_OIDC_ISSUER`` → ``oidc_issuer`` (the provider's issuer URL, e.g. a Keycloak realm
  ``https://sso.example.go.id/realms/pemprov``; its ``/.well-known/openid-configuration`` is read)
- ``LOKUS_OIDC_CLIENT_ID``, ``LOKUS_OIDC_CLIENT_SECRET`` → ``oidc_client_id``, ``oidc_client_secret``
- ``LOKUS_OIDC_NAME`` → ``oidc_name`` (the button's label, e.g. ``SSO Pemprov``; default ``SSO``)
- ``LOKUS_OIDC_USERNAME_CLAIM`` → ``oidc_username_claim`` (``preferred_username``): the ID token
  claim holding the Lokus account name
- ``LOKUS_OIDC_SCOPE`` → ``oidc_scope`` (``openid profile``)
- ``LOKUS_OIDC_REDIRECT_URI`` → ``oidc_redirect_uri`` (empty: ``<this server>/masuk/sso/kembali``
  as the browser reached it; set it behind a proxy that terminates https)
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from geo.core.i18n import DEFAULT_LANG, lang_of

__all__ = ["Settings", "embedded_data_dir"]

_MB = 1024 * 1024
#: Host names of the loopback interface (a process bound there serves this machine only).
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
AUTH_MODES = ("auto", "required", "off")
#: The single sign-on settings: ``LOKUS_OIDC_<NAME>`` → ``oidc_<name>``.
_OIDC = ("issuer", "client_id", "client_secret", "name", "username_claim", "scope", "redirect_uri")


def embedded_data_dir() -> Path:
    """The data shipped with Lokus (the Sumedang dataset, region code lists): package
    ``lokus_data``, the repository's ``data/`` folder installed as package data."""
    return Path(str(resources.files("lokus_data")))


def _choice(text: str, options: tuple[str, ...], default: str) -> str:
    """One of ``options`` (case-insensitive); anything else keeps the default."""
    return text.lower() if text.lower() in options else default


def _number(text: str | None, default: float, minimum: float) -> float:
    """A positive number from the environment; a typo falls back to the default."""
    try:
        value = float(text) if text else default
    except ValueError:
        value = default
    return max(value, minimum)


@dataclass(frozen=True)
class Settings:
    """Everything configurable about one Lokus process.

    >>> Settings.from_env({"PORT": "9000", "LOKUS_MAX_UPLOAD_MB": "5"}).max_upload_bytes
    5242880
    """

    database_url: str = ""
    data_dir: Path = field(default_factory=embedded_data_dir)
    state_dir: Path = field(default_factory=lambda: Path("var"))
    max_upload_mb: float = 200.0
    max_unzipped_mb: float = 1000.0
    host: str = "127.0.0.1"
    port: int = 8050
    lang: str = DEFAULT_LANG
    auth: str = "auto"
    secret_key: str = ""
    session_idle_minutes: float = 30.0
    secure_cookies: str = "auto"
    max_uploads_per_user: int = 20
    max_upload_total_mb: float = 2000.0
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = field(default="", repr=False)
    oidc_name: str = ""
    oidc_username_claim: str = ""
    oidc_scope: str = ""
    oidc_redirect_uri: str = ""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from environment variables (missing or empty ones keep their default);
        ``environ`` defaults to the process environment, the one place Lokus reads it."""
        source = os.environ if environ is None else environ

        def get(name: str) -> str:
            return (source.get(name) or "").strip()

        defaults = cls()
        return cls(
            database_url=get("DATABASE_URL"),
            data_dir=Path(get("LOKUS_DATA_DIR")) if get("LOKUS_DATA_DIR") else defaults.data_dir,
            state_dir=Path(get("LOKUS_STATE_DIR")) if get("LOKUS_STATE_DIR") else defaults.state_dir,
            max_upload_mb=_number(get("LOKUS_MAX_UPLOAD_MB"), defaults.max_upload_mb, 1),
            max_unzipped_mb=_number(get("LOKUS_MAX_UNZIPPED_MB"), defaults.max_unzipped_mb, 1),
            host=get("HOST") or defaults.host,
            port=int(_number(get("PORT"), defaults.port, 1)),
            lang=lang_of(get("LOKUS_LANG") or defaults.lang),
            auth=_choice(get("LOKUS_AUTH"), AUTH_MODES, defaults.auth),
            secret_key=get("LOKUS_SECRET_KEY"),
            session_idle_minutes=_number(get("LOKUS_SESSION_IDLE_MINUTES"), defaults.session_idle_minutes, 1),
            secure_cookies=_choice(get("LOKUS_SECURE_COOKIES"), ("auto", "on", "off"),
                                   defaults.secure_cookies),
            max_uploads_per_user=int(_number(get("LOKUS_MAX_UPLOADS_PER_USER"),
                                             defaults.max_uploads_per_user, 1)),
            max_upload_total_mb=_number(get("LOKUS_MAX_UPLOAD_TOTAL_MB"), defaults.max_upload_total_mb, 1),
            **{f"oidc_{name}": get(f"LOKUS_OIDC_{name.upper()}") for name in _OIDC},
        )

    def override(self, **options: Any) -> Settings:
        """A copy with the command-line options that were given (None = not given)."""
        given = {name: value for name, value in options.items() if value is not None}
        for name in ("data_dir", "state_dir"):
            if name in given:
                given[name] = Path(given[name])
        return dataclasses.replace(self, **given)

    @property
    def loopback(self) -> bool:
        """Whether the process listens on the loopback interface only (this machine)."""
        return self.host.strip().lower() in LOOPBACK_HOSTS

    def auth_required(self, has_accounts: bool) -> bool:
        """Whether every request needs a signed-in account (``auth``; ``auto``: unless bound to
        loopback without accounts, where the one local user needs no password).

        >>> Settings(host="0.0.0.0").auth_required(False), Settings().auth_required(False)
        (True, False)
        """
        if self.auth == "off":
            return False
        return self.auth == "required" or not self.loopback or has_accounts

    @property
    def cookie_secure(self) -> bool:
        """Whether the session cookie is sent over HTTPS only."""
        return self.secure_cookies == "on" or (self.secure_cookies == "auto" and not self.loopback)

    @property
    def max_upload_bytes(self) -> int:
        """Upload size limit in bytes."""
        return int(self.max_upload_mb * _MB)
