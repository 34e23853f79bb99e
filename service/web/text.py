"""Instructions and letters as a page shows them. Diagrams write them in Markdown (``**bold**``,
lists, paragraphs); they are untrusted, so raw HTML, links and images are not rendered, only
their text, and the result carries GOV.UK Frontend's classes."""

from markdown_it import MarkdownIt
from markupsafe import Markup

_markdown = MarkdownIt("commonmark", {"html": False}).disable(
    ["link", "image", "autolink", "html_inline", "html_block"]
)
_CLASSES = {
    "<p>": '<p class="govuk-body">',
    "<ul>": '<ul class="govuk-list govuk-list--bullet">',
    "<ol>": '<ol class="govuk-list govuk-list--number">',
    "<h1>": '<h2 class="govuk-heading-m">',
    "</h1>": "</h2>",
    "<h2>": '<h3 class="govuk-heading-s">',
    "</h2>": "</h3>",
}


def as_html(text: str | None) -> Markup:
    if not text:
        return Markup("")
    rendered = _markdown.render(text)
    for plain, styled in _CLASSES.items():
        rendered = rendered.replace(plain, styled)
    return Markup(rendered)
