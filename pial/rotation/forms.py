"""Forms of the rotation page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length


class GenerateForm(FlaskForm):
    """The range of weeks the lead assigns."""

    first_week = StringField(_l("Première semaine"), validators=[DataRequired(), Length(max=10)])
    last_week = StringField(_l("Dernière semaine"), validators=[DataRequired(), Length(max=10)])


class SwapRequestForm(FlaskForm):
    """One of my weeks and the week I would take instead."""

    my_week = HiddenField(validators=[DataRequired()])
    other_week = SelectField(_l("Échanger avec la semaine"), validators=[DataRequired()])


class AnswerForm(FlaskForm):
    """Accept or refuse a swap (the button pressed carries the answer)."""
