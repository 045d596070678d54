"""One way for a callback to show a problem: bad input as its own message in the page's
language, anything unexpected as a generic message (logged with its traceback, never shown).
The app keeps running either way.

>>> from dash import no_update
>>> @input_errors(no_update, MESSAGE)
... def _save(_n, name, lang):
...     if not name:
...         raise InputError.of("upload.error.need_name")
...     return name, alert("ok", "success")
>>> _save(1, "", "en")[1].children
'enter a dataset name first'
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

import dash_bootstrap_components as dbc
import flask
from dash import ctx, set_props
from dash.exceptions import PreventUpdate

from geo.core.errors import InputError
from geo.core.i18n import lang_of
from layouts import ids
from layouts.text import t

__all__ = ["MESSAGE", "UNEXPECTED", "alert", "callback_raised", "guarded", "input_errors",
           "problem_text"]

log = logging.getLogger(__name__)

#: Marks where the message goes among a callback's outputs on error.
MESSAGE = object()
#: Catalogue key shown for an unexpected failure.
UNEXPECTED = "shell.error.unexpected"

F = TypeVar("F", bound=Callable[..., Any])


def alert(text: str, colour: str = "danger") -> dbc.Alert:
    """The page's status alert (red for a problem, ``"success"`` for a done action)."""
    return dbc.Alert(text, color=colour, className="py-1 small mb-1")


def problem_text(exc: Exception, lang: str | None, unexpected: str = UNEXPECTED) -> str:
    """What the page says about ``exc``: an :class:`InputError`'s own message, else the generic
    ``unexpected`` message (the traceback goes to the log, never to the browser)."""
    if isinstance(exc, InputError):
        return exc.render(lang_of(lang))
    log.error("callback failed", exc_info=exc)
    return t(unexpected, lang_of(lang))


def guarded(action: Callable[[], Any], lang: str | None = "id", *,
            show: Callable[[str], Any] = alert, unexpected: str = UNEXPECTED) -> Any:
    """``action()``, or on failure the problem shown with ``show`` (for a part of a callback;
    a whole callback uses :func:`input_errors`)."""
    try:
        return action()
    except PreventUpdate:
        raise
    except Exception as exc:  # the running app must keep working on any input
        return show(problem_text(exc, lang, unexpected))


def input_errors(*outputs: Any, show: Callable[[str], Any] = alert,
                 unexpected: str = UNEXPECTED) -> Callable[[F], F]:
    """Decorate a callback (with a ``lang`` argument) so a failure is shown, not raised.

    ``outputs`` are what the callback returns on failure, :data:`MESSAGE` where the problem
    goes (as ``show(text)``); none: the callback has a single output, the message.
    ``PreventUpdate`` passes through.
    """
    template = outputs or (MESSAGE,)

    def decorate(callback: F) -> F:
        signature = inspect.signature(callback)
        if "lang" not in signature.parameters:
            raise TypeError(f"{callback.__name__}: input_errors needs a 'lang' argument")

        @functools.wraps(callback)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return callback(*args, **kwargs)
            except PreventUpdate:
                raise
            except Exception as exc:  # the running app must keep working on any input
                lang = signature.bind_partial(*args, **kwargs).arguments.get("lang")
                shown = show(problem_text(exc, lang, unexpected))
            values = tuple(shown if o is MESSAGE else o for o in template)
            return values if len(values) > 1 else values[0]

        return wrapper  # type: ignore[return-value]

    return decorate



#: The log line of :func:`callback_raised` (the browser tests fail on it).
RAISED = "callback raised"


def callback_raised(exc: Exception) -> None:
    """The app's last word on a callback that raised (``Dash(on_error=...)``): the traceback
    to the log, the generic message in the page's alert in the page's language, every output
    left as it was. The browser gets no 500 and never a traceback; the app keeps running."""
    log.error("%s: %s", RAISED, ctx.triggered_id, exc_info=exc)
    page = urlsplit(flask.request.referrer or "").query if flask.has_request_context() else ""
    lang = lang_of((parse_qs(page).get("lang") or [None])[0])
    set_props(ids.ALERT, {"children": alert(t(UNEXPECTED, lang))})
