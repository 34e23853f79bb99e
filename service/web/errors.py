"""Error pages: a 404, 403, 400 or 500 as a page in the user's language, never a stack trace.
A 500 page gives the reference its error was logged with, for an operator to find; a 503 says
the service's database cannot be used just now (service/schema.py)."""

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..limits import TooManySignIns
from ..problems import ERROR_PAGE, ApiProblem
from ..schema import DatabaseNotReady


def render_error(error: Exception):
    if isinstance(error, TooManySignIns):
        minutes = max(1, -(-error.seconds // 60))
        page = render_template(
            "web/error.html",
            title=_("Too many attempts to sign in"),
            paragraphs=[
                _(
                    "For your security, signing in from this computer is paused. Try again in "
                    "%(minutes)d minute(s).",
                    minutes=minutes,
                )
            ],
            reference=None,
        )
        return page, 429
    if isinstance(error, DatabaseNotReady):
        page = render_template(
            "web/error.html",
            title=_("Gwarchod is not available just now"),
            paragraphs=[
                _("Its database cannot be used just now, so nothing you sent was saved."),
                _("Try again in a few minutes. If this page stays, tell whoever runs Gwarchod."),
            ],
            reference=None,
        )
        return page, 503
    if isinstance(error, CSRFError):
        status = 400
        title = _("This form has expired")
        paragraphs = [
            _("For your security, forms stop working after you sign out or sign in again."),
            _("Go back, reload the page and send the form again."),
        ]
    elif isinstance(error, ApiProblem | HTTPException):
        status = error.status if isinstance(error, ApiProblem) else (error.code or 500)
        title, paragraphs = _texts(status)
        if isinstance(error, ApiProblem) and status not in (404,):
            paragraphs = [error.detail]
    else:
        status = 500
        title, paragraphs = _texts(500)
    reference = getattr(error, "reference", None) if status == 500 else None
    page = render_template(
        "web/error.html", title=title, paragraphs=paragraphs, reference=reference
    )
    return page, status


def _texts(status: int) -> tuple[str, list[str]]:
    if status == 404:
        return _("Page not found"), [
            _("If you typed the web address, check it is correct."),
            _("If you followed a link to a case or task, it may not be one you can see."),
        ]
    if status == 403:
        return _("You cannot do this"), [_("Your roles do not allow it.")]
    if status == 405:
        return _("Page not found"), [_("This page cannot be used that way.")]
    if status == 413:
        return _("What you sent is too large"), [_("Send less, or split it up.")]
    if status >= 500:
        return _("Sorry, there is a problem with Gwarchod"), [
            _("Nothing was half saved: try again in a few minutes.")
        ]
    return _("Something you sent could not be used"), [_("Go back and try again.")]


def register(app: Flask) -> None:
    app.extensions[ERROR_PAGE] = render_error
