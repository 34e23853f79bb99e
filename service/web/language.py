"""Which language a page speaks: the one its user chose (kept on their record once signed in, so
that a cookie from an earlier answer cannot undo the choice), else the browser's best, else
English."""

from flask import g, has_request_context, request, session

LANGUAGES = ("en", "cy")


def page_language() -> str:
    if not has_request_context():
        return "en"
    chosen = getattr(g, "chosen_language", None) or session.get("language")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) or "en"
