"""Justifications: the reasons, rationales and explanations the policy makes a person give.

A justification must hold words. One rule decides it wherever it is asked: a form field marked
``"justification": true`` (``workflows.forms``) is refused without them, and the performance
report counts a stored reason as given only when it holds them.
"""

KEYWORD = "justification"
MIN_LETTERS = 3


def holds_words(text: object, min_length: int = 1) -> bool:
    """Whether ``text`` holds words: after trimming the spaces at either end, at least
    ``min_length`` characters, and at least three letters of any alphabet (so ŵ and ŷ count;
    spaces, figures and punctuation do not)."""
    if not isinstance(text, str):
        return False
    words = text.strip()
    return len(words) >= min_length and sum(c.isalpha() for c in words) >= MIN_LETTERS


def minimum_length(field_schema: dict) -> int:
    """The fewest characters a justification field's schema asks for: its ``minLength``."""
    return field_schema.get("minLength", 1)
