"""The caller's language: ?lang=cy or Accept-Language: cy; English otherwise."""

from flask import request

from workflows.languages import LANGUAGES


def request_language() -> str:
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    best = request.accept_languages.best_match(LANGUAGES)
    return best or "en"
