"""The caseworker's pages: server-rendered Jinja with GOV.UK Frontend, in English and Welsh.

One place wires what every page needs: the session secret, Flask-Babel for the interface's
words (``translations/``), Flask-WTF's CSRF check on every POST, the GOV.UK Frontend Jinja
macros, and the security headers. The pages build the same commands and read the same models
as the API (``service.commands``, ``service.inbox``): there is no second path to the database.
"""

import os
import secrets
from pathlib import Path

from flask import Flask
from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

from workflows.diagram_functions import london_time

from .language import page_language
from .text import as_html

TRANSLATIONS = Path(__file__).parent / "translations"
csrf = CSRFProtect()
# The force's identity provider, when signing in with it is on (service.web.oidc).
OIDC_EXTENSION = "gwarchod.oidc"


def register_web(app: Flask) -> None:
    # The caseworker's pages are modules of the pages' blueprint; each other workspace is a
    # blueprint of its own, nested in it.
    from . import (  # noqa: F401
        auditor,
        case_pages,
        errors,
        oidc,
        process_owner,
        reports,
        routes,
        start_pages,
        task_pages,
        team_pages,
    )

    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(Path(app.instance_path))
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # The pages check the CSRF token themselves (routes.protect), so the API, which
        # takes bearer tokens and no cookies, is not asked for one.
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
    )
    Babel(
        app,
        locale_selector=page_language,
        default_translation_directories=str(TRANSLATIONS),
    )
    csrf.init_app(app)
    app.jinja_loader = ChoiceLoader(
        [
            app.jinja_loader,
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]
    )
    app.jinja_env.filters["markdown"] = as_html
    app.jinja_env.filters["london"] = lambda moment: london_time(moment, page_language())
    app.jinja_env.filters["letter"] = lambda text: as_html(text, letter=True)
    app.register_blueprint(routes.web)
    oidc.register_oidc(app)
    errors.register(app)


def _secret_key(instance: Path) -> str:
    """The key that signs session cookies: kept in the instance folder, made on first start,
    so that every worker and every restart shares it (``GWARCHOD_SECRET_KEY`` overrides it).
    Made aside and linked into place, so two workers starting at once agree on one key."""
    path = instance / "secret_key"
    if not path.exists():
        made = instance / f"secret_key.{os.getpid()}"
        made.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        made.chmod(0o600)
        try:
            os.link(made, path)
        except FileExistsError:
            pass  # another worker's key is the one
        finally:
            made.unlink()
    return path.read_text(encoding="utf-8").strip()
