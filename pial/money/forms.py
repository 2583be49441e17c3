"""Forms of the money pages (the lead's entries)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from pial.fields import FrenchDecimalField


class AdvanceForm(FlaskForm):
    """A cash advance granted to a farm."""

    version_id = HiddenField()
    farm_id = SelectField(_l("Ferme"), coerce=int)
    amount_eur = FrenchDecimalField(_l("Montant avancé (€)"), places=2,
                                    validators=[InputRequired(), NumberRange(min=0.01)])
    granted_date = DateField(_l("Accordée le"), validators=[InputRequired()])
    recovery_percent = FrenchDecimalField(
        _l("Retenue sur chaque vente jusqu'au remboursement (%, vide = remboursement à la main)"),
        places=2, validators=[Optional(), NumberRange(min=0.01, max=100)])
    note = TextAreaField(_l("Note (échéancier, objet)"))


class RepaymentForm(FlaskForm):
    """A repayment made outside the sales."""

    repaid_on = DateField(_l("Date"), validators=[InputRequired()])
    amount_eur = FrenchDecimalField(_l("Montant remboursé (€)"), places=2,
                                    validators=[InputRequired(), NumberRange(min=0.01)])
    note = StringField(_l("Note"), validators=[Length(max=500)])


class RateForm(FlaskForm):
    """A fee or fund rate in force from a date."""

    kind = SelectField(_l("Type"))
    percent = FrenchDecimalField(_l("Taux (%)"), places=2,
                                 validators=[InputRequired(), NumberRange(min=0, max=100)])
    valid_from = DateField(_l("En vigueur à partir du"), validators=[InputRequired()])
    contract_id = SelectField(_l("Pour"), coerce=str)
    note = StringField(_l("Note"), validators=[Length(max=500)])


class FundMovementForm(FlaskForm):
    """A spending or an outside contribution of the development fund."""

    movement_date = DateField(_l("Date"), validators=[InputRequired()])
    amount_eur = FrenchDecimalField(_l("Montant (€, négatif pour une dépense)"), places=2,
                                    validators=[InputRequired()])
    label = StringField(_l("Objet"), validators=[DataRequired(), Length(max=200)])
    note = TextAreaField(_l("Note"))
