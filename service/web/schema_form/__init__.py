"""A task's form on a page: its JSON Schema and UI schema drawn as GOV.UK questions, and the
posted answers read back into the data the schema describes.

Pure presentation: nothing here reads the database or decides anything about a case.

- ``fields``: ``form_fields`` turns the (localized) schema, UI schema, the current values and
  the errors into ``Field`` objects in the order the UI schema gives;
  ``web/_schema_form.html``'s ``schema_fields`` macro draws them with the GOV.UK Frontend
  macros. The two are usable on their own, by any page that shows a form.
- ``submission``: ``parse_submission`` turns the posted form back into JSON data of the
  schema's types. The posted form is untrusted: only names the schema has are read, lists are
  capped at ``MAX_ITEMS`` and nesting at ``MAX_DEPTH``, and nothing is ever evaluated. A value
  that cannot be read (``"abc"`` for a number, 40 November) is kept as its text so that
  validation says what is wrong with it.
- ``errors``: ``errors_by_field`` and ``error_summary_items`` place validation messages beside
  their questions and in the GOV.UK error summary, linked to the input to correct.
- ``lists``: ``add_item`` and ``remove_item`` give a list one item more or less, for the "Add
  another" and "Remove" buttons (posted as ``action=add:<path>`` and
  ``action=remove:<path>.<index>``; ``item_action`` reads one).
- ``schema``: what they share: the limits, the kind of question a schema node asks, the schema
  at a path, and fields' names and ids.

Field names are dotted paths (``caller.name``, ``incident_timeline.0.description``), the same
paths ``workflows.forms.FieldError`` names. A date's parts are posted as ``<name>.day``,
``<name>.month`` and ``<name>.year``, and a date-time's time as ``<name>.time``.
"""

from .errors import error_summary_items, errors_by_field
from .fields import Field, form_fields
from .lists import add_item, item_action, remove_item
from .schema import MAX_DEPTH, MAX_ITEMS, MISSING, field_id
from .submission import parse_submission

__all__ = [
    "MAX_DEPTH",
    "MAX_ITEMS",
    "MISSING",
    "Field",
    "add_item",
    "error_summary_items",
    "errors_by_field",
    "field_id",
    "form_fields",
    "item_action",
    "parse_submission",
    "remove_item",
]
