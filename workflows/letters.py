"""Letters and notices to victims, written in the victim's own language.

A process owner keeps each letter as one Jinja template per language, ``letters/<name>.en.md``
and ``letters/<name>.cy.md``. A user task that sends a letter names it with the
``letterTemplate`` property: the task shows the letter rendered from the case data in the
victim's recorded language (``victim_language``), and completing the task records the letter
as sent, word for word, in the case's ``letters_sent``. The Welsh letter is produced the same
way and at the same moment as the English one, never later and never shorter.
"""

import json
from dataclasses import dataclass
from typing import Any

from . import clock
from .instructions import check_template, render_instructions
from .languages import LANGUAGES
from .problems import Problem, words
from .readable import ChoiceTitles

LETTER_PROPERTY = "letterTemplate"
LETTERS_FOLDER = "letters/"
LETTER_SUFFIX = ".md"
LANGUAGE_FIELD = "victim_language"
SENT_FIELD = "letters_sent"
MAX_TEMPLATE_BYTES = 100_000


@dataclass(frozen=True)
class Letter:
    template: str
    language: str
    text: str


def load_letters(files: dict[str, bytes]) -> tuple[dict[str, dict[str, str]], list[Problem]]:
    """Every letter template by name and language, and the problems found in them."""
    letters: dict[str, dict[str, str]] = {}
    problems = []
    for path in sorted(p for p in files if p.startswith(LETTERS_FOLDER)):
        stem = path.removeprefix(LETTERS_FOLDER).removesuffix(LETTER_SUFFIX)
        name, _, language = stem.rpartition(".")
        if not path.endswith(LETTER_SUFFIX) or not name or language not in LANGUAGES:
            problems.append(Problem(path, None, words("letter_file_name")))
            continue
        if len(files[path]) > MAX_TEMPLATE_BYTES:
            problems.append(Problem(path, None, words("letter_too_large")))
            continue
        try:
            text = files[path].decode("utf-8")
        except UnicodeDecodeError:
            problems.append(Problem(path, None, words("letter_not_utf8")))
            continue
        problems.extend(
            Problem(path, None, words("letter_template", detail=message))
            for message in check_template(text)
        )
        letters.setdefault(name, {})[language] = text
    for name, versions in sorted(letters.items()):
        for language in LANGUAGES:
            if language not in versions:
                missing = f"{LETTERS_FOLDER}{name}.{language}{LETTER_SUFFIX}"
                found = words("letter_language_missing", name=name, language=language)
                problems.append(Problem(missing, None, found))
    return letters, problems


def letter_language(data: dict[str, Any]) -> str:
    return "cy" if data.get(LANGUAGE_FIELD) == "cy" else "en"


def render_letter(
    letters: dict[str, dict[str, str]],
    name: str,
    data: dict[str, Any],
    choices: ChoiceTitles | None = None,
) -> Letter:
    """The letter ``name`` rendered from ``data`` in the victim's language: its dates, and the
    choices of ``choices`` (by their titles), read in that language too."""
    language = letter_language(data)
    text = render_instructions(letters[name][language], data, language, choices)
    return Letter(name, language, text)


def record_sent(letter: Letter, data: dict[str, Any], submitted: dict[str, Any]) -> list[dict]:
    """The case's list of letters sent, with this one added as the officer sends it."""
    entry = {
        "recorded_at": clock.now().isoformat(),
        "letter": letter.template,
        "language": letter.language,
        "text": letter.text,
        # A letter task records when and how it was sent; a contact task, when the victim was
        # told and how (the letter goes with that contact).
        "sent_at": submitted.get("letter_sent_at") or submitted.get("victim_contacted_at"),
        "method": submitted.get("letter_method") or submitted.get("victim_contact_method"),
    }
    return [*(data.get(SENT_FIELD) or []), entry]


def merged_log(logs: list[list[dict]]) -> list[dict]:
    """One log of the letters sent from the logs of several branches, each letter once, in the
    order they were recorded."""
    seen, merged = set(), []
    for log in logs:
        for entry in log:
            key = json.dumps(entry, sort_keys=True)
            if key not in seen:
                seen.add(key)
                merged.append(entry)
    return sorted(merged, key=lambda entry: entry.get("recorded_at") or "")
