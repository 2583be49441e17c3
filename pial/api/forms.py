"""Form of the token page (Flask-WTF, CSRF-protected)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class TokenForm(FlaskForm):
    """A name for the new token and an optional validity in days."""

    name = StringField(_l("Nom du jeton"), validators=[DataRequired(), Length(max=100)])
    valid_days = IntegerField(
        _l("Valable (jours, vide = sans limite)"),
        validators=[Optional(), NumberRange(min=1, max=3660)],
    )
