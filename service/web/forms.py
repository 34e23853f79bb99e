"""The pages' own forms (task forms are built from their JSON Schema instead)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired, Length


class SignInForm(FlaskForm):
    username = StringField(
        _l("Username"),
        validators=[InputRequired(_l("Enter your username")), Length(max=200)],
    )
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(_l("Enter your password")), Length(max=1000)],
    )


class ButtonForm(FlaskForm):
    """A form that is only a button (sign out, claim, unclaim): its CSRF token and nothing else."""
