"""Single sign-on through OpenID Connect (issue 12): the Flask/Authlib glue.

Only when ``LOKUS_OIDC_ISSUER`` is set (:func:`geo.core.sso.sso_config`): :func:`install`
(called by ``callbacks.auth.install``) registers the provider with Authlib's Flask client and
adds two routes, both GET only and passed by the guard as sign-in routes:

- ``/masuk/sso`` sends the browser to the provider: authorization code flow with PKCE (S256),
  a random ``state`` and ``nonce`` kept in the signed session cookie;
- ``/masuk/sso/kembali`` is where the provider sends it back: Authlib checks ``state``,
  exchanges the code (with the client secret and the PKCE verifier) and validates the ID
  token: signature against the provider's JWKS, ``iss`` = the configured issuer, ``aud`` =
  our client id, ``nonce``, expiry. Then the **existing, active** local account named by the
  token's ``preferred_username`` (or the configured claim) is signed in, exactly as a
  password sign-in (session renewed, last login recorded). Nothing is created and no role is
  given: roles and areas stay managed in Lokus (``lokus user add``).

Every failure (the provider's ``error=access_denied``, a wrong ``state``, a bad token, an
unknown or disabled account, an unreachable provider) is logged and answered with the sign-in
page and a clear message, never a traceback.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

import flask
import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask_login import current_user, login_user
from joserfc.errors import JoseError

from callbacks.auth import _Guard, _safe_next, _User
from geo.core.errors import InputError
from geo.core.i18n import lang_of
from geo.core.settings import Settings
from geo.core.sso import SsoConfig, account_name, check_metadata, sso_config
from geo.store.accounts import SignInRefused
from layouts.signin import SSO_PATH, SSO_RETURN_PATH, signin_page
from layouts.text import t

__all__ = ["install"]

log = logging.getLogger(__name__)

CLIENT_NAME = "lokus_sso"
TIMEOUT = 10  # seconds for each call to the provider: a hung provider must not hold a worker
_SESSION_KEY = "lokus_sso"  # where the next page and the language wait during the round trip
_ERROR_CODE = re.compile(r"[^a-z0-9_.-]")


class _Refused(Exception):
    """A single sign-on refused: ``key`` of the message, HTTP ``status``, message ``params``."""

    def __init__(self, key: str, status: int, **params: Any) -> None:
        super().__init__(key)
        self.key, self.status, self.params = key, status, params


def install(server: flask.Flask, guard: _Guard, settings: Settings) -> SsoConfig | None:
    """Add single sign-on to ``server`` when the settings configure it (else its two paths
    answer 404 and None is returned).

    Raises
    ------
    ValueError
        A half-made configuration (see :func:`geo.core.sso.sso_config`).
    """
    config = sso_config(issuer=settings.oidc_issuer, client_id=settings.oidc_client_id,
                        client_secret=settings.oidc_client_secret, name=settings.oidc_name,
                        username_claim=settings.oidc_username_claim, scope=settings.oidc_scope,
                        redirect_uri=settings.oidc_redirect_uri)
    if config is None:  # the paths stay reserved: not found, rather than the Dash page
        for path, endpoint in ((SSO_PATH, "lokus_sso"), (SSO_RETURN_PATH, "lokus_sso_return")):
            server.add_url_rule(path, endpoint, _not_configured, methods=["GET"])
        return None
    oauth = OAuth(server)
    client = oauth.register(
        CLIENT_NAME, client_id=config.client_id, client_secret=config.client_secret,
        server_metadata_url=config.discovery_url,
        client_kwargs={"scope": config.scope, "code_challenge_method": "S256",
                       "token_endpoint_auth_method": "client_secret_basic", "default_timeout": TIMEOUT},
    )
    guard.sso_name = config.name
    server.add_url_rule(SSO_PATH, "lokus_sso", _start_view(guard, client, config), methods=["GET"])
    server.add_url_rule(SSO_RETURN_PATH, "lokus_sso_return", _return_view(guard, client, config),
                        methods=["GET"])
    log.info("single sign-on through %s (%s), account name from claim %r", config.name, config.issuer,
             config.username_claim)
    return config


def _not_configured() -> Any:
    flask.abort(404)


def _metadata(client: Any, config: SsoConfig) -> dict:
    """The provider's discovery document (fetched once, then cached by Authlib), checked."""
    try:
        metadata = client.load_server_metadata()
    except (requests.RequestException, ValueError) as failure:
        log.error("single sign-on: discovery document %s unreadable: %s", config.discovery_url, failure)
        raise _Refused("sso.refused.unreachable", 502) from failure
    try:
        check_metadata(config, metadata)
    except ValueError as wrong:
        log.error("single sign-on: %s", wrong)
        raise _Refused("sso.refused.setup", 502) from wrong
    return metadata


def _page(config: SsoConfig, lang: str, target: str, refused: _Refused) -> flask.Response:
    page = signin_page(lang, next_url=target, notice=t(refused.key, lang, **refused.params), error=True,
                       sso_name=config.name)
    return flask.Response(page, refused.status, mimetype="text/html")


def _start_view(guard: _Guard, client: Any, config: SsoConfig) -> Callable[[], Any]:
    def view() -> Any:
        request = flask.request
        lang, target = lang_of(request.args.get("lang")), _safe_next(request.args.get("next"))
        if not guard.required() or current_user.is_authenticated:
            return flask.redirect(target)
        try:
            _metadata(client, config)
            for key in [k for k in flask.session if k.startswith(f"_state_{CLIENT_NAME}_")]:
                flask.session.pop(key)  # one round trip at a time: abandoned ones do not pile up
            flask.session[_SESSION_KEY] = {"next": target, "lang": lang}
            redirect_uri = config.redirect_uri or flask.url_for("lokus_sso_return", _external=True)
            return client.authorize_redirect(redirect_uri, ui_locales=lang)
        except _Refused as refused:
            return _page(config, lang, target, refused)
    return view


def _return_view(guard: _Guard, client: Any, config: SsoConfig) -> Callable[[], Any]:
    def view() -> Any:
        request = flask.request
        waiting = flask.session.pop(_SESSION_KEY, None) or {}
        lang = lang_of(waiting.get("lang") or request.args.get("lang"))
        target = _safe_next(waiting.get("next"))
        address = request.remote_addr or "?"
        if not guard.required():
            return flask.redirect(target)
        try:
            name = _authenticated_name(client, config, address, lang)
        except _Refused as refused:
            return _page(config, lang, target, refused)
        try:
            account = guard.accounts.sign_in_trusted(name, address=address, via=f"sso {config.name}")
        except SignInRefused as refused:  # unknown or disabled: the provider said who it is
            return _page(config, lang, target, _Refused(f"sso.refused.{refused.reason}", 403, name=name))
        flask.session.clear()  # nothing of the round trip (state, nonce) carries over
        login_user(_User(account))
        flask.session.permanent = True  # the idle timeout applies, as for a password sign-in
        return flask.redirect(target)
    return view


def _authenticated_name(client: Any, config: SsoConfig, address: str, lang: str) -> str:
    """The account name the provider vouches for, from a validated ID token (else _Refused)."""
    args = flask.request.args
    if args.get("error"):
        code = _ERROR_CODE.sub("", args["error"].lower())[:40] or "error"
        log.warning("single sign-on from %s: the provider answered %s (%r)", address, code,
                    (args.get("error_description") or "")[:200])
        raise _Refused("sso.refused.provider", 401, error=code)
    metadata = _metadata(client, config)
    options = {"iss": {"essential": True, "value": metadata["issuer"]},
               "aud": {"essential": True, "value": config.client_id}}
    try:
        token = client.authorize_access_token(claims_options=options)
    except MismatchingStateError as failure:
        log.warning("single sign-on from %s refused: state missing or not this session's", address)
        raise _Refused("sso.refused.state", 400) from failure
    except requests.RequestException as failure:
        log.error("single sign-on: the provider's token endpoint cannot be reached: %s", failure)
        raise _Refused("sso.refused.unreachable", 502) from failure
    except (OAuthError, JoseError, ValueError, KeyError) as failure:
        log.warning("single sign-on from %s refused: %s %s", address, type(failure).__name__, failure)
        raise _Refused("sso.refused.token", 401) from failure
    claims = token.get("userinfo")
    if not claims:
        log.warning("single sign-on from %s refused: the provider sent no ID token", address)
        raise _Refused("sso.refused.token", 401)
    try:
        return account_name(claims, config.username_claim)
    except InputError as bad:
        log.warning("single sign-on from %s refused (subject %r): %s", address, claims.get("sub"), bad)
        raise _Refused("sso.refused.name", 403, provider=config.name,
                       reason=bad.render(lang)) from bad
