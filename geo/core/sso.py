"""Single sign-on through OpenID Connect: the configuration and the claim → account rules.
Pure, no I/O (the Flask/Authlib glue is ``callbacks/sso.py``).

Single sign-on only says *who* a person is: the identity provider (a district's Keycloak,
say) authenticates, and Lokus signs in the **existing, active local account** whose name is
the ID token's ``preferred_username`` (or the configured claim). It never creates an account
nor grants a role or an area: those stay managed in Lokus (``lokus user add``), as a
government security review expects.

>>> config = sso_config(issuer="https://sso.example.go.id/realms/pemprov/", client_id="lokus",
...                     client_secret="rahasia", name="SSO Pemprov")
>>> config.issuer, config.discovery_url
('https://sso.example.go.id/realms/pemprov', 'https://sso.example.go.id/realms/pemprov/.well-known/openid-configuration')
>>> account_name({"preferred_username": " Budi.S "}, config.username_claim)
'budi.s'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from geo.core.access import check_name
from geo.core.errors import InputError

__all__ = ["DISCOVERY_SUFFIX", "SsoConfig", "account_name", "check_metadata", "sso_config"]

DISCOVERY_SUFFIX = "/.well-known/openid-configuration"
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True)
class SsoConfig:
    """One OpenID provider: where it is, who Lokus is to it, and what to read from its tokens."""

    issuer: str
    client_id: str
    client_secret: str
    name: str = "SSO"
    username_claim: str = "preferred_username"
    scope: str = "openid profile"
    redirect_uri: str = ""  # empty: this server's /masuk/sso/kembali as the browser reached it

    @property
    def discovery_url(self) -> str:
        """The provider's discovery document (OpenID Connect Discovery 1.0)."""
        return self.issuer + DISCOVERY_SUFFIX


def _https_or_loopback(url: str, what: str) -> str:
    """``url`` if it is https (plain http only to this machine, for tests), else ValueError."""
    parts = urlsplit(url)
    local = parts.scheme == "http" and (parts.hostname or "") in _LOOPBACK
    if not parts.netloc or (parts.scheme != "https" and not local) or parts.query or parts.fragment:
        raise ValueError(f"{what} must be an https:// URL without query, got {url!r}")
    return url


def sso_config(*, issuer: str, client_id: str, client_secret: str, name: str = "",
               username_claim: str = "", scope: str = "", redirect_uri: str = "") -> SsoConfig | None:
    """The single sign-on configuration, or None when ``issuer`` is empty (no single sign-on).

    ``issuer`` may be given with or without the ``/.well-known/openid-configuration`` tail.

    Raises
    ------
    ValueError
        A half-made configuration (an issuer without client id or secret, an http issuer on
        another machine): the process must not start with a sign-in that cannot work.
    """
    issuer = issuer.strip()
    if not issuer:
        return None
    if issuer.endswith(DISCOVERY_SUFFIX):
        issuer = issuer[: -len(DISCOVERY_SUFFIX)]
    issuer = _https_or_loopback(issuer.rstrip("/"), "LOKUS_OIDC_ISSUER")
    if not client_id.strip() or not client_secret.strip():
        raise ValueError("LOKUS_OIDC_ISSUER is set: LOKUS_OIDC_CLIENT_ID and LOKUS_OIDC_CLIENT_SECRET "
                         "are needed too")
    scopes = scope.split() or ["openid", "profile"]
    if "openid" not in scopes:
        scopes.insert(0, "openid")  # an ID token is the whole point
    if redirect_uri.strip():
        _https_or_loopback(redirect_uri.strip(), "LOKUS_OIDC_REDIRECT_URI")
    return SsoConfig(issuer=issuer, client_id=client_id.strip(), client_secret=client_secret.strip(),
                     name=" ".join(name.split())[:60] or "SSO",
                     username_claim=username_claim.strip() or "preferred_username",
                     scope=" ".join(scopes), redirect_uri=redirect_uri.strip())


def check_metadata(config: SsoConfig, metadata: Mapping[str, object]) -> None:
    """The discovery document must name the configured issuer and offer the code flow with
    PKCE S256 and signed ID tokens (OpenID Connect Discovery §4.3), else ValueError.

    >>> config = sso_config(issuer="https://idp.example", client_id="c", client_secret="s")
    >>> check_metadata(config, {"issuer": "https://idp.example/", "authorization_endpoint": "a",
    ...                         "token_endpoint": "t", "jwks_uri": "j"})
    >>> check_metadata(config, {"issuer": "https://evil.example"})
    Traceback (most recent call last):
    ValueError: the provider names issuer 'https://evil.example', not 'https://idp.example'
    """
    named = str(metadata.get("issuer") or "").rstrip("/")
    if named != config.issuer:
        raise ValueError(f"the provider names issuer {named!r}, not {config.issuer!r}")
    missing = [k for k in ("authorization_endpoint", "token_endpoint", "jwks_uri") if not metadata.get(k)]
    if missing:
        raise ValueError(f"the provider's discovery document lacks {', '.join(missing)}")
    methods = metadata.get("code_challenge_methods_supported")
    if isinstance(methods, list) and "S256" not in methods:
        raise ValueError("the provider does not offer PKCE with S256")


def account_name(claims: Mapping[str, object], claim: str = "preferred_username") -> str:
    """The local account name carried by a validated ID token: the ``claim`` value, stripped,
    lower case (as ``lokus user add`` stores names).

    Raises
    ------
    InputError
        ``sso.error.no_name`` when the token has no such claim, ``account.error.name`` when
        its value cannot be an account name.

    >>> account_name({"sub": "x"})
    Traceback (most recent call last):
    geo.core.errors.InputError: token identitas tidak memuat nama akun (klaim preferred_username)
    """
    value = claims.get(claim)
    if not isinstance(value, str) or not value.strip():
        raise InputError.of("sso.error.no_name", claim=claim)
    return check_name(value)
