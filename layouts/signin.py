"""The sign-in page (plain server-rendered HTML: no script, works with the strictest CSP) and the
account shown in the navbar (issue 12).

Every text comes from ``layouts/i18n/<lang>/signin.json``; every value put into the HTML is
escaped.
"""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

from dash import html

from geo.core.access import Account
from geo.core.i18n import lang_of
from layouts import ids
from layouts.text import t

__all__ = ["SIGNIN_ASSETS", "SIGNIN_PATH", "SIGNOUT_PATH", "SSO_PATH", "SSO_RETURN_PATH", "account_span",
           "signin_page"]

#: Routes of the sign-in form and of signing out (callbacks/auth.py serves them).
SIGNIN_PATH, SIGNOUT_PATH = "/masuk", "/keluar"
#: Single sign-on (callbacks/sso.py, only when configured): start, and the provider's way back.
SSO_PATH, SSO_RETURN_PATH = "/masuk/sso", "/masuk/sso/kembali"
#: The only assets an anonymous visitor may fetch: the sign-in page's style sheets.
SIGNIN_ASSETS = ("/assets/bootstrap.min.css", "/assets/signin.css")


def _other(lang: str) -> str:
    return "en" if lang == "id" else "id"


def signin_page(lang: str = "id", *, next_url: str = "/", name: str = "", notice: str = "",
                error: bool = False, sso_name: str = "") -> str:
    """The whole sign-in page; ``notice`` is an already translated line (an error when ``error``);
    ``sso_name`` (the identity provider's label) adds the single sign-on button."""
    lang = lang_of(lang)
    action = f"{SIGNIN_PATH}?{urlencode({'lang': lang})}"
    switch = f"{SIGNIN_PATH}?{urlencode({'lang': _other(lang), 'next': next_url})}"
    alert = ""
    if notice:
        kind = "danger" if error else "info"
        alert = (f'<div class="alert alert-{kind} py-2 small" role="alert" id="signin-notice">'
                 f'{escape(notice)}</div>')
    css = "".join(f'<link rel="stylesheet" href="{href}">' for href in SIGNIN_ASSETS)
    sso = ""
    if sso_name:
        start = f"{SSO_PATH}?{urlencode({'lang': lang, 'next': next_url})}"
        sso = (f'<a class="btn btn-outline-primary w-100 mb-2" id="signin-sso" href="{escape(start)}">'
               f'{escape(t("sso.button", lang, name=sso_name))}</a>'
               f'<p class="text-muted small text-center mb-2" id="signin-or">{escape(t("sso.or", lang))}</p>')
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(t("signin.title", lang))}</title>{css}</head>
<body class="signin-body">
<main class="signin-card shadow-sm">
<p class="signin-brand">Lokus</p>
<h1 class="h5">{escape(t("signin.heading", lang))}</h1>
<p class="text-muted small">{escape(t("signin.intro", lang))}</p>
{alert}
{sso}
<form method="post" action="{escape(action)}" id="signin-form">
<input type="hidden" name="next" value="{escape(next_url)}">
<label class="form-label" for="signin-name">{escape(t("signin.name", lang))}</label>
<input class="form-control" id="signin-name" name="name" value="{escape(name)}" autocomplete="username"
 autocapitalize="none" spellcheck="false" maxlength="64" required autofocus>
<label class="form-label" for="signin-password">{escape(t("signin.password", lang))}</label>
<input class="form-control" id="signin-password" name="password" type="password"
 autocomplete="current-password" maxlength="1024" required>
<button class="btn btn-primary w-100" type="submit" id="signin-submit">
{escape(t("signin.submit", lang))}</button>
</form>
<a class="signin-lang small" id="signin-lang" href="{escape(switch)}" hreflang="{_other(lang)}"
 lang="{_other(lang)}">{escape(t("signin.lang_switch", lang))}</a>
</main>
</body>
</html>
"""


def account_span(lang: str = "id") -> html.Span:
    """The navbar's account: name and role with a sign-out link, or the local user's note."""
    from callbacks.access import current_account  # late: callbacks import the layouts

    return account_label(current_account(), lang)


def account_label(account: Account | None, lang: str = "id") -> html.Span:
    """:func:`account_span` for a given account (None: nothing to show)."""
    lang = lang_of(lang)
    if account is None:
        return html.Span(id=ids.NAVBAR_ACCOUNT, className="navbar-account me-2")
    if account.local:
        return html.Span(t("signin.nav.local", lang), id=ids.NAVBAR_ACCOUNT,
                         title=t("signin.nav.local_title", lang), className="navbar-account me-2")
    role = t(f"account.role.{account.role.value}", lang)
    area = t("signin.nav.area", lang, area=account.area) if account.area else t("account.whole_area", lang)
    return html.Span([
        html.Span(t("signin.nav.account", lang, name=account.label, role=role), title=area,
                  id=ids.NAVBAR_ACCOUNT_NAME),
        html.A(t("signin.nav.signout", lang), href=f"{SIGNOUT_PATH}?{urlencode({'lang': lang})}",
               id=ids.NAVBAR_SIGNOUT),
    ], id=ids.NAVBAR_ACCOUNT, className="navbar-account me-2")
