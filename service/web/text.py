"""Instructions and letters as a page shows them. Diagrams write them in Markdown (``**bold**``,
lists, paragraphs); they are untrusted, so raw HTML, links and images are not rendered, only
their text, and the result carries GOV.UK Frontend's classes."""

from markdown_it import MarkdownIt
from markupsafe import Markup

_UNRENDERED = ["link", "image", "autolink", "html_inline", "html_block"]
_markdown = MarkdownIt("commonmark", {"html": False}).disable(_UNRENDERED)
# A letter keeps its line breaks, as it was printed: "STORM reference" and "Crime reference"
# stay on lines of their own.
_letter = MarkdownIt("commonmark", {"html": False, "breaks": True}).disable(_UNRENDERED)
_CLASSES = {
    "<p>": '<p class="govuk-body">',
    "<ul>": '<ul class="govuk-list govuk-list--bullet">',
    "<ol>": '<ol class="govuk-list govuk-list--number">',
    "<h1>": '<h2 class="govuk-heading-m">',
    "</h1>": "</h2>",
    "<h2>": '<h3 class="govuk-heading-s">',
    "</h2>": "</h3>",
}


def as_html(text: str | None, letter: bool = False) -> Markup:
    if not text:
        return Markup("")
    rendered = (_letter if letter else _markdown).render(text)
    for plain, styled in _CLASSES.items():
        rendered = rendered.replace(plain, styled)
    return Markup(rendered)
