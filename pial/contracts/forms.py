"""Forms of the contract pages (the lead's upkeep)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange
from wtforms.widgets import CheckboxInput, ListWidget

from pial.fields import FrenchDecimalField, choices


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as checkboxes (usable without JavaScript)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ContractForm(FlaskForm):
    """A contract: buyer, tender reference and lot, dates, frequency, growers."""

    version_id = HiddenField()
    title = StringField(_l("Intitulé"), validators=[DataRequired(), Length(max=300)])
    tender_reference = StringField(_l("Référence de la consultation"),
                                   validators=[Length(max=100)])
    lot_label = StringField(_l("Lot (ex. « Lot 22 »)"), validators=[Length(max=100)])
    buyer = SelectField(_l("Acheteur (cantine ou groupement)"), validators=[DataRequired()])
    start_date = DateField(_l("Début"), validators=[InputRequired()])
    end_date = DateField(_l("Fin (incluse)"), validators=[InputRequired()])
    renewal_of_id = SelectField(_l("Reconduction du contrat"), coerce=str)
    delivery_frequency = StringField(_l("Fréquence de livraison (ex. « lundi et jeudi »)"),
                                     validators=[Length(max=200)])
    growers = CheckboxesField(_l("Fermes qui livrent ce contrat"), coerce=int)
    notes = TextAreaField(_l("Notes"))
    is_active = BooleanField(_l("Contrat actif (ses commandes sont prioritaires)"), default=True)
    invoiced_by = SelectField(
        _l("Facturé par"),
        choices=choices([("group", _l("le groupement (une facture par mois)")),
                         ("grower", _l("chaque ferme, pour ses propres lignes"))]),
        default="group",
    )


class ContractLineForm(FlaskForm):
    """A product of a contract: yearly minimum and price components."""

    version_id = HiddenField()
    product_id = SelectField(_l("Produit"), coerce=int)
    committed_min_quantity_per_year = FrenchDecimalField(
        _l("Volume minimum engagé par an (dans l'unité du produit)"), places=3,
        validators=[InputRequired(), NumberRange(min=0)])
    production_cost_eur = FrenchDecimalField(
        _l("Coût de production (€ par unité)"), places=2,
        validators=[InputRequired(), NumberRange(min=0)])
    margin_eur = FrenchDecimalField(
        _l("Marge (€ par unité)"), places=2, validators=[InputRequired(), NumberRange(min=0)])
    intermediation_fee_eur = FrenchDecimalField(
        _l("Frais d'intermédiation (€ par unité)"), places=2,
        validators=[InputRequired(), NumberRange(min=0)])


class PeriodForm(FlaskForm):
    """A minimum over a date range of a contract line."""

    start_date = DateField(_l("Du"), validators=[InputRequired()])
    end_date = DateField(_l("Au (inclus)"), validators=[InputRequired()])
    min_quantity = FrenchDecimalField(_l("Minimum sur la période"), places=3,
                                      validators=[InputRequired(), NumberRange(min=0)])
