"""Forms of the season pages: the plan's choices, proposals, crops, advances, tender lots."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from pial.fields import FrenchDecimalField, choices

CONFIDENCE_CHOICES = (("0.90", "90 %"), ("0.95", "95 %"), ("0.99", "99 %"))
SERVICE_CHOICES = (("0.80", "80 %"), ("0.90", "90 %"), ("0.95", "95 %"), ("0.98", "98 %"))


class PlanForm(FlaskForm):
    """What the lead chooses before solving the season plan."""

    service_level = SelectField(_l("Niveau de service : part des semaines où la demande est "
                                   "couverte"), choices=choices(SERVICE_CHOICES), default="0.95")
    max_share_percent = FrenchDecimalField(
        _l("Part maximale d'une ferme sur un produit que deux fermes ou plus cultivent (%)"),
        places=0, default=60, validators=[InputRequired(), NumberRange(min=20, max=100)])
    advance_percent = FrenchDecimalField(
        _l("Avance de lancement proposée : part de la valeur planifiée (%)"), places=0,
        default=20, validators=[InputRequired(), NumberRange(min=0, max=50)])
    scenarios = IntegerField(_l("Saisons simulées (scénarios de demande et de pertes)"),
                             default=500, validators=[InputRequired(),
                                                      NumberRange(min=50, max=5000)])


class ProposalForm(FlaskForm):
    """A grower's proposed weekly volume of a product over some weeks."""

    product_id = SelectField(_l("Produit"), coerce=int)
    first_day = DateField(_l("De la semaine du"), validators=[InputRequired()])
    last_day = DateField(_l("À la semaine du (incluse)"), validators=[InputRequired()])
    weekly_quantity = FrenchDecimalField(
        _l("Volume par semaine (dans l'unité du produit ; 0 = je ne le cultive pas)"),
        places=3, validators=[InputRequired(), NumberRange(min=0, max=100000)])
    note = StringField(_l("Pourquoi (facultatif)"), validators=[Length(max=500)])


class CropForm(FlaskForm):
    """A crop a farm declares for the season."""

    product_id = SelectField(_l("Produit"), coerce=int)
    max_weekly = FrenchDecimalField(_l("Au plus par semaine (unité du produit, facultatif)"),
                                    places=3, validators=[Optional(), NumberRange(min=0)])
    area_m2 = FrenchDecimalField(_l("Surface (m², facultatif)"), places=1,
                                 validators=[Optional(), NumberRange(min=0.1)])
    yield_per_m2 = FrenchDecimalField(
        _l("Rendement sur la saison (unité du produit par m², avec la surface)"), places=3,
        validators=[Optional(), NumberRange(min=0.001)])
    note = StringField(_l("Note (facultative)"), validators=[Length(max=500)])


class WeeksOffForm(FlaskForm):
    """The weeks a farm cannot deliver in the season."""

    weeks = StringField(_l("Numéros des semaines sans livraison (ex. « 32, 33, 34 »)"),
                        validators=[Length(max=300)])


class GrantForm(FlaskForm):
    """An advance granted from the plan's proposal."""

    amount_eur = FrenchDecimalField(_l("Montant (€)"), places=2,
                                    validators=[InputRequired(), NumberRange(min=0.01)])
    recovery_percent = FrenchDecimalField(
        _l("Retenue sur chaque vente (%, vide = remboursement à la main)"), places=2,
        validators=[Optional(), NumberRange(min=0.01, max=100)])


class LotForm(FlaskForm):
    """A tender lot: buyer, reference, delivery, duration, confidence asked."""

    version_id = HiddenField()
    title = StringField(_l("Intitulé"), validators=[DataRequired(), Length(max=300)])
    tender_reference = StringField(_l("Référence de la consultation"),
                                   validators=[Length(max=100)])
    lot_label = StringField(_l("Lot (ex. « Lot 4 »)"), validators=[Length(max=100)])
    buyer = SelectField(_l("Acheteur (cantine ou groupement)"), validators=[DataRequired()])
    delivery_sites = TextAreaField(_l("Sites de livraison"))
    delivery_weekdays = StringField(
        _l("Jours de livraison (1 = lundi … 7 = dimanche, ex. « 1,4 »)"), default="1,4",
        validators=[DataRequired(), Length(max=20)])
    years = IntegerField(_l("Durée (années)"), default=1,
                         validators=[InputRequired(), NumberRange(min=1, max=10)])
    start_date = DateField(_l("Début"), validators=[InputRequired()])
    confidence = SelectField(_l("Confiance demandée pour l'engagement"),
                             choices=choices(CONFIDENCE_CHOICES), default="0.95")
    lead_farm_id = SelectField(_l("Mandataire du groupement (vide : la ferme de plus grande "
                                  "part)"), coerce=str)
    notes = TextAreaField(_l("Notes"))


class LotLineForm(FlaskForm):
    """A product of a lot: the buyer's yearly estimate and, if wanted, its own prices."""

    version_id = HiddenField()
    product_id = SelectField(_l("Produit"), coerce=int)
    yearly_estimate = FrenchDecimalField(
        _l("Volume annuel estimé par l'acheteur (unité du produit)"), places=3,
        validators=[InputRequired(), NumberRange(min=0.001)])
    production_cost_eur = FrenchDecimalField(
        _l("Coût de production (€ par unité ; vide = prix de la saison)"), places=2,
        validators=[Optional(), NumberRange(min=0)])
    margin_eur = FrenchDecimalField(_l("Marge (€ par unité ; vide = prix de la saison)"),
                                    places=2, validators=[Optional(), NumberRange(min=0)])
    intermediation_fee_eur = FrenchDecimalField(
        _l("Frais d'intermédiation (€ par unité ; vide = prix de la saison)"), places=2,
        validators=[Optional(), NumberRange(min=0)])


class AnswerForm(FlaskForm):
    """The confidence the answer commits at."""

    confidence = SelectField(_l("Confiance de l'engagement"),
                             choices=choices(CONFIDENCE_CHOICES))


class LotImportForm(FlaskForm):
    """A lot filled in the template workbook."""

    workbook = FileField(_l("Classeur du lot (.xlsx, modèle PIAL)"), validators=[FileRequired()])
