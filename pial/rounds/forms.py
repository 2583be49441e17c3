"""Forms of the rounds pages (Flask-WTF, CSRF-protected)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import DataRequired


class MoveLineForm(FlaskForm):
    """Put a line of the day on a vehicle."""

    # The service checks the line and the vehicle: the choices are only the page's menus.
    line_id = SelectField(_l("Ligne"), coerce=int, validators=[DataRequired()],
                          validate_choice=False)
    vehicle_id = SelectField(_l("Véhicule"), coerce=int, validators=[DataRequired()],
                             validate_choice=False)
