"""The process owner's pages' own forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.validators import DataRequired, Length


def _stripped(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class NewProcessForm(FlaskForm):
    """A new process: its names, its id and the lane its cases are started in (the lanes'
    choices are the role catalogue's, set by the page)."""

    name = StringField(
        _l("Name"),
        filters=[_stripped],
        validators=[DataRequired(_l("Enter the process's name")), Length(max=200)],
    )
    welsh_name = StringField(
        _l("Welsh name"),
        filters=[_stripped],
        validators=[DataRequired(_l("Enter the process's name in Welsh")), Length(max=200)],
    )
    process_id = StringField(
        _l("Process id"),
        filters=[_stripped],
        validators=[DataRequired(_l("Enter an id for the process"))],
    )
    lane = RadioField(
        _l("Lane the process is started in"),
        validate_choice=False,  # checked by the page, which says why in words
    )
