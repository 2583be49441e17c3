"""Forms of the delivery pages (Flask-WTF, CSRF-protected)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional


class ReceiptForm(FlaskForm):
    """What the canteen actually received on one line, and how it judged it."""

    received_quantity = StringField(_l("Quantité reçue"),
                                    validators=[DataRequired(), Length(max=20)])
    quality = SelectField(
        _l("Qualité"),
        choices=[SelectChoice("ok", _l("conforme")),
                 SelectChoice("minor", _l("accepté avec remarque")),
                 SelectChoice("rejected", _l("refusé"))],
    )
    note = StringField(_l("Remarque"), validators=[Optional(), Length(max=1000)])
    shortfall_reason = StringField(
        _l("Raison du manque (si moins que prévu)"), validators=[Optional(), Length(max=500)]
    )
