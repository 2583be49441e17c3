"""Forms of the week pages: CSRF and the version token; quantity grids are parsed by name."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length


class GridForm(FlaskForm):
    """A grid of quantities (fields ``q-…`` read from the request) and its version token."""

    version = HiddenField()


class ActionForm(FlaskForm):
    """A button that changes something (CSRF only)."""


class NewWeekForm(FlaskForm):
    """The ISO week the lead wants to open."""

    iso_week = StringField(
        _l("Semaine à ouvrir (ex. 2026-W48)"), validators=[DataRequired(), Length(max=10)]
    )
