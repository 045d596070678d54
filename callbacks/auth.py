"""Sign-in, the guard in front of every request, and the security headers (issue 12).

:func:`install` (called once by ``app.create_app``) adds to the Flask server:

- **Sessions** (Flask-Login): cookie ``lokus_sesi`` HttpOnly, SameSite=Lax, Secure unless the
  process serves loopback only (``Settings.secure_cookies``), signed with ``secret_key``;
  idle timeout ``Settings.session_idle_minutes`` (enforced on the server: Flask refuses an
  older cookie). ``GET/POST /masuk`` signs in, ``/keluar`` signs out.
- **Mode**: sign-in is required when ``Settings.auth_required`` says so (``LOKUS_AUTH``;
  ``auto``: on any non-loopback address, or once an account exists); otherwise every request
  is the local user (admin of the whole area) and the navbar says so.
- **Guard** (``before_request``), in this order for every route:
  1. every POST must come from this origin (``Origin``, else ``Referer``, equal to the
     host; ``null`` and other sites are refused 403); the upload route also refuses the
     content types an HTML form can send (415): a cross-site form or ``text/plain`` POST;
  2. an anonymous visitor gets the sign-in page (302) for a page, 401 for anything else;
     only the sign-in page and its style sheets are public (and, when single sign-on is
     configured, ``/masuk/sso`` and its way back: callbacks/sso.py);
  3. the account's role must hold the permission the request needs: ``VIEW`` for pages
     and reads, ``UPLOAD`` for the upload route (plus the per-user quota of unsaved
     uploads on disk), and for ``/_dash-update-component`` the permission of the callback
     named by the request's ``output`` (:data:`CALLBACK_PERMISSIONS`), else 403.
- **Headers** on every response: Content-Security-Policy (own assets only; the inline
  scripts of Dash are allowed by their hashes), X-Frame-Options DENY, nosniff,
  Referrer-Policy same-origin.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import flask
from dash import Dash
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user

from callbacks.access import G_ACCOUNT, current_account
from callbacks.upload import UPLOAD_ROUTE
from geo.core.access import LOCAL_ACCOUNT, Account, Permission
from geo.core.errors import InputError
from geo.core.i18n import lang_of
from geo.core.settings import Settings
from geo.store.accounts import AccountStore, SignInRefused
from geo.store.scenarios import Store
from layouts import ids
from layouts.signin import SIGNIN_ASSETS, SIGNIN_PATH, SIGNOUT_PATH, SSO_PATH, SSO_RETURN_PATH, signin_page
from layouts.text import t

__all__ = ["CALLBACK_PERMISSIONS", "DASH_UPDATE", "install", "same_origin", "secret_key"]

log = logging.getLogger(__name__)

P = Permission
#: The one table of callbacks that change state or hand out files: an input that triggers the
#: callback (a component id, or the ``type`` of a pattern-matching id) → the permission the
#: account needs. Every other callback only reads: ``VIEW``.
CALLBACK_PERMISSIONS: dict[str, Permission] = {
    ids.UPLOAD_EVENT: P.UPLOAD, ids.UPLOAD_CHECK: P.UPLOAD, ids.MATCH_SAVE: P.UPLOAD,
    ids.UPLOAD_SAVE: P.UPLOAD, ids.TEMPLATE_BUTTON: P.UPLOAD,
    ids.DATASET_DELETE: P.DELETE_DATASET,
    ids.SCN_SAVE_NEW: P.SCENARIO, ids.SCN_UPDATE: P.SCENARIO, ids.SCN_RENAME: P.SCENARIO,
    ids.SCN_DUPLICATE: P.SCENARIO, ids.SCN_DELETE: P.SCENARIO, ids.SCN_UPLOAD_JSON: P.SCENARIO,
    ids.TARGET_SAVE: P.PLAN, ids.PLAN_SAVE: P.PLAN, ids.PLAN_ADD: P.PLAN, ids.PREV_UPLOAD: P.PLAN,
    ids.PRESENT_ADD: P.PRESENT, ids.PRESENT_REMOVE: P.PRESENT, ids.PRESENT_BA_DOWNLOAD: P.PRESENT,
    ids.EXPORT_BUTTON: P.EXPORT, ids.QUALITY_CSV: P.EXPORT, ids.QUALITY_XLSX: P.EXPORT,
    ids.MAP_DOWNLOAD_PNG: P.EXPORT, ids.MAP_DOWNLOAD_PDF: P.EXPORT,
    ids.AN_BUDGET_CSV: P.EXPORT, ids.AN_BUDGET_XLSX: P.EXPORT,
    # the advanced analyses (Monte Carlo, optimisation) are the analyst's work: SCORE
    ids.AN_COST_UPLOAD: P.SCORE, ids.AN_BUDGET_RUN: P.SCORE, ids.AN_SMAA_RUN: P.SCORE,
    ids.AN_SURVEY_RUN: P.SCORE, ids.AN_REVIEW_UPLOAD: P.SCORE, ids.AN_REVIEW_RUN: P.SCORE,
    # the camat review: an analis sends, a peninjau (or an admin) answers
    ids.CAMAT_SEND: P.SCENARIO, ids.CAMAT_ANSWER: P.COMMENT,
}
DASH_UPDATE = "/_dash-update-component"
#: Content types a cross-site HTML form (or a no-preflight fetch) can send.
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"})
_UPLOAD_ID = re.compile(r"^[0-9a-f]{32}$")
_OWNER = ".owner"  # file in an upload folder naming the account that made it
_MODE_TTL = 5.0  # seconds the "are there accounts?" answer is reused


def secret_key(settings: Settings) -> str:
    """``LOKUS_SECRET_KEY``, else a random key made once and kept in ``<state_dir>/secret_key``
    (mode 0600; every worker of the machine reads the same key)."""
    if settings.secret_key:
        return settings.secret_key
    path = Path(settings.state_dir) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):  # another worker may be writing it right now
            key = path.read_text(encoding="ascii").strip()
            if key:
                return key
            time.sleep(0.05)
        raise RuntimeError(f"{path} is empty: delete it and start again") from None
    key = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(key)
    return key


def same_origin(request: flask.Request) -> bool:
    """Whether a request comes from a page of this server (``Origin``, else ``Referer``).

    A request with neither header is not a browser's cross-site request (browsers send
    ``Origin`` with every POST): command-line clients and the test client pass.
    """
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin != "null" and urlsplit(origin).netloc.lower() == request.host.lower()
    referer = request.headers.get("Referer")
    return not referer or urlsplit(referer).netloc.lower() == request.host.lower()


def _safe_next(target: str | None) -> str:
    """A local path to go to after signing in (never another site: no ``//``, no scheme)."""
    target = target or "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return "/"
    return target


def _trigger_names(spec: dict) -> list[str]:
    """Component ids (or pattern ``type``) of a callback's inputs, from the Dash callback map."""
    names = []
    for item in spec.get("inputs", []):
        raw = item.get("id", "")
        if isinstance(raw, str) and raw.startswith("{"):
            try:
                raw = json.loads(raw).get("type", "")
            except ValueError:
                continue
        names.append(raw if isinstance(raw, str) else "")
    return names


class _User(UserMixin):
    """Flask-Login's view of an :class:`Account`."""

    def __init__(self, account: Account) -> None:
        self.account = account

    def get_id(self) -> str:
        return self.account.name


class _Guard:
    """The ``before_request`` / ``after_request`` pair (see the module docstring)."""

    def __init__(self, app: Dash, settings: Settings, accounts: AccountStore, upload_dir: Path) -> None:
        self.app, self.settings, self.accounts, self.upload_dir = app, settings, accounts, upload_dir
        self._mode: tuple[float, bool] = (0.0, False)
        self._callbacks: dict[str, frozenset[Permission]] = {}
        self._csp: str | None = None
        self.sso_name = ""  # the identity provider's label when single sign-on is on (callbacks/sso.py)
        # a callback body carries component values (a scenario file at most): bounded
        self.max_callback_bytes = settings.max_upload_bytes * 4 // 3 + (1 << 20)

    # ------------------------------------------------------------------ who is asking
    def required(self) -> bool:
        """Whether sign-in is required now (the account count is re-read every few seconds)."""
        checked_at, required = self._mode
        if time.monotonic() - checked_at > _MODE_TTL:
            required = self.settings.auth_required(self.settings.auth != "off"
                                                   and self.accounts.count() > 0)
            self._mode = (time.monotonic(), required)
        return required

    def account(self) -> Account | None:
        if not self.required():
            return LOCAL_ACCOUNT
        return current_user.account if current_user.is_authenticated else None

    def needed(self, request: flask.Request) -> frozenset[Permission]:
        """What the request asks to do."""
        if request.path == UPLOAD_ROUTE:
            return frozenset({P.UPLOAD})
        if request.path == DASH_UPDATE and request.method == "POST":
            body = request.get_json(silent=True)
            output = body.get("output") if isinstance(body, dict) else None
            return self.callback_needs(output) if isinstance(output, str) else frozenset({P.VIEW})
        return frozenset({P.VIEW})

    def callback_needs(self, output: str) -> frozenset[Permission]:
        """Permissions of the callback with this ``output`` key (VIEW for a read-only one)."""
        if output not in self._callbacks:
            spec = self.app.callback_map.get(output) or {}
            needs = {CALLBACK_PERMISSIONS[n] for n in _trigger_names(spec) if n in CALLBACK_PERMISSIONS}
            self._callbacks[output] = frozenset(needs or {P.VIEW})
        return self._callbacks[output]

    # ------------------------------------------------------------------ answers
    @staticmethod
    def refuse(status: int, key: str, **params: Any) -> flask.Response:
        lang = lang_of(flask.request.args.get("lang"))
        response = flask.jsonify(error=t(key, lang, **params))
        response.status_code = status
        return response

    def before(self) -> flask.Response | None:
        request = flask.request
        if request.method == "POST" and not same_origin(request):
            log.warning("cross-site %s %s refused (Origin %r, Referer %r)", request.method, request.path,
                        request.headers.get("Origin"), request.headers.get("Referer"))
            return self.refuse(403, "signin.refused.cross_site")
        if request.path == UPLOAD_ROUTE and request.mimetype in FORM_TYPES:
            return self.refuse(415, "signin.refused.content_type")
        if request.path == DASH_UPDATE and (request.content_length or 0) > self.max_callback_bytes:
            return self.refuse(413, "signin.refused.too_large")
        account = self.account()
        setattr(flask.g, G_ACCOUNT, account)
        if request.path in (SIGNIN_PATH, SIGNOUT_PATH, SSO_PATH, SSO_RETURN_PATH, *SIGNIN_ASSETS):
            return None
        if account is None:
            if request.method in ("GET", "HEAD") and not request.path.startswith(("/_", "/assets/")):
                query = {"next": request.full_path.rstrip("?"), "lang": lang_of(request.args.get("lang"))}
                if request.cookies.get(flask.current_app.config["SESSION_COOKIE_NAME"]):
                    query["habis"] = "1"  # a session cookie no longer valid: it timed out
                return flask.redirect(f"{SIGNIN_PATH}?{urlencode(query)}", 302)
            return self.refuse(401, "signin.refused.anonymous")
        missing = [p for p in self.needed(request) if not account.may(p)]
        if missing:
            log.warning("account %s (%s) refused %s on %s", account.name, account.role.value,
                        ", ".join(missing), request.path)
            return self.refuse(403, "signin.refused.forbidden")
        if request.path == UPLOAD_ROUTE:
            return self.upload_quota(account, request)
        return None

    def upload_quota(self, account: Account, request: flask.Request) -> flask.Response | None:
        """403 for another account's upload folder; 429/413 beyond the per-user limits."""
        uid = request.args.get("id") or ""
        folder = self.upload_dir / uid if _UPLOAD_ID.match(uid) else None
        if folder is not None and folder.is_dir():
            owner = folder / _OWNER
            if owner.is_file() and owner.read_text(encoding="utf-8") != account.name:
                return self.refuse(403, "signin.refused.forbidden")
        owned = [f for f in self.upload_dir.glob("*") if (f / _OWNER).is_file()
                 and (f / _OWNER).read_text(encoding="utf-8") == account.name]
        lang = lang_of(request.args.get("lang"))
        if (folder is None or not folder.is_dir()) and len(owned) >= self.settings.max_uploads_per_user:
            error = InputError.of("account.error.upload_count", n=self.settings.max_uploads_per_user)
            return flask.Response(json.dumps({"error": error.render(lang)}), 429, mimetype="application/json")
        used = sum(p.stat().st_size for f in owned for p in f.rglob("*") if p.is_file())
        if used + (request.content_length or 0) > self.settings.max_upload_total_mb * (1 << 20):
            error = InputError.of("account.error.upload_total", mb=int(self.settings.max_upload_total_mb))
            return flask.Response(json.dumps({"error": error.render(lang)}), 413, mimetype="application/json")
        return None

    def after(self, response: flask.Response) -> flask.Response:
        request = flask.request
        if request.path == UPLOAD_ROUTE and response.status_code == 200:
            self.mark_owner(response)
        headers = response.headers
        headers.setdefault("Content-Security-Policy", self.csp())
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if self.required() and request.path != SIGNIN_PATH and not request.path.startswith("/assets/"):
            headers.setdefault("Cache-Control", "no-store")  # nothing of a signed-in page in caches
        return response

    def mark_owner(self, response: flask.Response) -> None:
        account = current_account()
        reply = response.get_json(silent=True) or {}
        uid = reply.get("id") if isinstance(reply, dict) else None
        if account is not None and isinstance(uid, str) and _UPLOAD_ID.match(uid):
            owner = self.upload_dir / uid / _OWNER
            if not owner.exists():
                owner.write_text(account.name, encoding="utf-8")

    def csp(self) -> str:
        """The Content-Security-Policy (built once all callbacks are registered)."""
        if self._csp is None:
            hashes = " ".join(self.app.csp_hashes())
            self._csp = "; ".join([
                "default-src 'self'", f"script-src 'self' {hashes}",
                "style-src 'self' 'unsafe-inline'",  # plotly and React set inline styles
                "img-src 'self' data: blob:", "font-src 'self' data:", "connect-src 'self'",
                "worker-src 'self' blob:",  # MapLibre's workers
                "object-src 'none'", "base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'",
            ])
        return self._csp


def _signin_view(guard: _Guard) -> Callable[[], Any]:
    def view() -> Any:
        request = flask.request
        lang = lang_of(request.values.get("lang") or request.args.get("lang"))
        target = _safe_next(request.values.get("next"))
        if not guard.required() or (request.method == "GET" and current_user.is_authenticated):
            return flask.redirect(target)
        if request.method == "GET":
            notice = (t("signin.signed_out", lang) if request.args.get("keluar")
                      else t("signin.expired", lang) if request.args.get("habis") else "")
            return signin_page(lang, next_url=target, notice=notice, sso_name=guard.sso_name)
        name = (request.form.get("name") or "").strip()[:64]
        address = request.remote_addr or "?"
        try:
            account = guard.accounts.sign_in(name, request.form.get("password") or "", address=address)
        except SignInRefused as refused:
            locked = refused.reason == "locked"
            minutes = int(guard.accounts.limits.window.total_seconds() // 60)
            notice = t("signin.locked", lang, minutes=minutes) if locked else t("signin.invalid", lang)
            page = signin_page(lang, next_url=target, name=name, notice=notice, error=True,
                               sso_name=guard.sso_name)
            return flask.Response(page, 429 if locked else 401, mimetype="text/html")
        flask.session.clear()  # nothing of an earlier session carries over
        login_user(_User(account))
        flask.session.permanent = True  # the idle timeout (PERMANENT_SESSION_LIFETIME) applies
        return flask.redirect(target)
    return view


def _signout_view() -> Any:
    lang = lang_of(flask.request.args.get("lang"))
    if current_user.is_authenticated:
        log.info("account %s signed out", current_user.get_id())
    logout_user()
    flask.session.clear()
    return flask.redirect(f"{SIGNIN_PATH}?{urlencode({'lang': lang, 'keluar': 1})}")


def install(app: Dash, store: Store, settings: Settings) -> AccountStore:
    """Put sign-in, the guard and the security headers in front of ``app`` (after every
    callback is registered); returns the account store it uses."""
    server = app.server
    accounts = AccountStore(store.engine)
    server.secret_key = secret_key(settings)
    server.config.update(
        SESSION_COOKIE_NAME="lokus_sesi", SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.cookie_secure, SESSION_REFRESH_EACH_REQUEST=True,
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=settings.session_idle_minutes),
        MAX_CONTENT_LENGTH=settings.max_upload_bytes + (1 << 20),  # no body, chunked or not, beyond
    )
    manager = LoginManager()
    manager.session_protection = "strong"  # a session moved to another browser or address ends
    manager.init_app(server)

    @manager.user_loader
    def _load(name: str) -> _User | None:
        account = accounts.get(name)
        return _User(account) if account is not None and account.active else None

    guard = _Guard(app, settings, accounts, Path(settings.state_dir) / "uploads")
    server.before_request(guard.before)
    server.after_request(guard.after)
    server.add_url_rule(SIGNIN_PATH, "lokus_signin", _signin_view(guard), methods=["GET", "POST"])
    server.add_url_rule(SIGNOUT_PATH, "lokus_signout", _signout_view, methods=["GET", "POST"])
    from callbacks import sso  # late: callbacks/sso.py builds on this module

    sso.install(server, guard, settings)  # single sign-on (OpenID Connect), when configured
    if settings.auth == "off" and not settings.loopback:
        log.warning("LOKUS_AUTH=off on %s: every visitor is an admin", settings.host)
    log.info("sign-in %s", "required" if guard.required() else "off: every visitor is the local user")
    if guard.required() and accounts.count() == 0:
        log.warning("sign-in required but there is no account yet: "
                    "lokus user add admin --role admin --wilayah <kode>")
    return accounts
