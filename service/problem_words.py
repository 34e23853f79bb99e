"""A problem in process owners' files, said in the reader's language: the problem carries its
kind and parameters (workflows.problems), and its English words are looked up in the pages'
catalogue here, at the edge, where Flask-Babel is."""

from flask_babel import force_locale, gettext

from workflows.problems import Problem


def problem_message(problem: Problem, language: str | None = None) -> str:
    """The problem's message in ``language`` (by default the page's own)."""
    if language is None:
        return problem.words.say(gettext)
    with force_locale(language):
        return problem.words.say(gettext)
