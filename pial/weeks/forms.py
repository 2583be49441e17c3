"""Forms of the week pages: CSRF and the version token; quantity grids are parsed by name."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from pial.fields import choices


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


class ClosureForm(FlaskForm):
    """Days a canteen declares itself closed."""

    start_date = DateField(_l("Fermée du"), validators=[DataRequired(_l("Indiquez une date."))])
    end_date = DateField(_l("au (inclus)"), validators=[DataRequired(_l("Indiquez une date."))])
    reason = StringField(
        _l("Raison (sortie scolaire, travaux…)"),
        validators=[DataRequired(_l("Indiquez la raison de la fermeture.")), Length(max=200)],
    )


class SchoolZoneForm(FlaskForm):
    """The school-holiday zone whose holidays close a canteen."""

    zone = SelectField(
        _l("Vacances scolaires suivies"),
        choices=choices(
            [
                ("", _l("Aucune (ouverte pendant les vacances)")),
                ("A", _l("Zone A")),
                ("B", _l("Zone B")),
                ("C", _l("Zone C (Toulouse)")),
            ]
        ),
    )
