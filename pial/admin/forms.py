"""Forms of the project lead's administration pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from pial.fields import FrenchDecimalField, FrenchFloatField, choices

MONTH_NAMES = (
    _l("janvier"), _l("février"), _l("mars"), _l("avril"), _l("mai"), _l("juin"),
    _l("juillet"), _l("août"), _l("septembre"), _l("octobre"), _l("novembre"), _l("décembre"),
)  # fmt: skip
WEEKDAY_NAMES = (
    _l("lundi"), _l("mardi"), _l("mercredi"), _l("jeudi"), _l("vendredi"), _l("samedi"),
    _l("dimanche"),
)  # fmt: skip
# Lazy labels: translated when a form is rendered, in the language of that request.
WEEKDAY_CHOICES = choices(enumerate(WEEKDAY_NAMES, start=1))


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes (usable without JavaScript)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class VersionedForm(FlaskForm):
    """A form carrying the version of the record it edits (optimistic concurrency)."""

    version_id = HiddenField()


SIRET_LABEL = _l("SIRET (14 chiffres)")


class PlatformForm(VersionedForm):
    """Platform settings: territory, the group as a seller, rhythm of the week, solver, fees."""

    territory_name = StringField(_l("Territoire"), validators=[DataRequired(), Length(max=200)])
    legal_name = StringField(
        _l("Raison sociale du groupement (factures)"), validators=[Length(max=200)]
    )
    siret = StringField(SIRET_LABEL, validators=[Length(max=20)])
    address = TextAreaField(_l("Adresse du siège"), validators=[Length(max=500)])
    vat_number = StringField(_l("N° de TVA intracommunautaire"), validators=[Length(max=20)])
    organic_body = StringField(
        _l("Organisme certificateur bio du groupement"), validators=[Length(max=100)]
    )
    organic_number = StringField(
        _l("N° de certificat bio du groupement"), validators=[Length(max=64)]
    )
    delivery_weekdays = CheckboxesField(_l("Jours de livraison"), choices=WEEKDAY_CHOICES)
    availability_deadline_weekday = SelectField(
        _l("Offres des producteurs : jour limite"), choices=WEEKDAY_CHOICES, coerce=int
    )
    availability_deadline_time = TimeField(_l("Offres : heure limite"))
    order_deadline_weekday = SelectField(
        _l("Commandes des cantines : jour limite"), choices=WEEKDAY_CHOICES, coerce=int
    )
    order_deadline_time = TimeField(_l("Commandes : heure limite"))
    publish_fallback_weekday = SelectField(
        _l("Publication automatique si personne ne l'a faite : jour"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
    )
    publish_fallback_time = TimeField(_l("Publication automatique : heure"))
    max_km = FrenchFloatField(
        _l("Distance maximale producteur–cantine (km, vide = sans limite)"),
        validators=[Optional(), NumberRange(min=1, max=1000)],
    )
    road_factor = FrenchFloatField(
        _l("Facteur route / vol d'oiseau"), validators=[InputRequired(), NumberRange(1, 3)]
    )
    max_growers_per_line = IntegerField(
        _l("Producteurs au plus par ligne de commande (vide = sans limite)"),
        validators=[Optional(), NumberRange(min=1, max=50)],
    )
    ledger_catch_up = FrenchFloatField(
        _l("Rattrapage du solde d'équité (0 à 1)"), validators=[InputRequired(), NumberRange(0, 1)]
    )
    weight_distance = FrenchFloatField(
        _l("Poids : distance (kg·km)"), validators=[NumberRange(min=0)]
    )
    weight_fairness = FrenchFloatField(_l("Poids : équité (€)"), validators=[NumberRange(min=0)])
    weight_deliveries = FrenchFloatField(_l("Poids : tournées"), validators=[NumberRange(min=0)])
    weight_stability = FrenchFloatField(_l("Poids : stabilité"), validators=[NumberRange(min=0)])
    time_limit_s = FrenchFloatField(
        _l("Temps de calcul maximal (s)"), validators=[InputRequired(), NumberRange(1, 600)]
    )
    default_fee_rate = FrenchDecimalField(
        _l("Frais d'intermédiation (fraction, 0,05 = 5 %)"),
        places=4,
        validators=[InputRequired(), NumberRange(0, 1)],
    )
    default_fund_rate = FrenchDecimalField(
        _l("Fonds de développement (fraction)"),
        places=4,
        validators=[InputRequired(), NumberRange(0, 1)],
    )
    local_radius_km = IntegerField(
        _l("EGalim : achat « local » jusqu'à (km par la route)"),
        validators=[InputRequired(), NumberRange(1, 1000)],
    )


class FarmForm(VersionedForm):
    """A farm of the group."""

    name = StringField(_l("Nom de la ferme"), validators=[DataRequired(), Length(max=200)])
    commune = StringField(_l("Commune"), validators=[DataRequired(), Length(max=200)])
    lat = FrenchFloatField(_l("Latitude"), validators=[InputRequired(), NumberRange(-90, 90)])
    lon = FrenchFloatField(_l("Longitude"), validators=[InputRequired(), NumberRange(-180, 180)])
    address = TextAreaField(_l("Adresse"), validators=[Length(max=500)])
    siret = StringField(SIRET_LABEL, validators=[Length(max=20)])
    target_share = FrenchDecimalField(
        _l("Part cible convenue (fraction, vide = au prorata de l'offre)"),
        places=4,
        validators=[Optional(), NumberRange(0, 1)],
    )
    contact_phone = StringField(_l("Téléphone"), validators=[Length(max=32)])
    contact_email = StringField(_l("E-mail de contact"), validators=[Length(max=254)])
    is_active = BooleanField(_l("Active"))


class CanteenForm(VersionedForm):
    """A canteen supplied by the group."""

    name = StringField(_l("Nom"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Type d'établissement"))
    commune = StringField(_l("Commune"), validators=[DataRequired(), Length(max=200)])
    lat = FrenchFloatField(_l("Latitude"), validators=[InputRequired(), NumberRange(-90, 90)])
    lon = FrenchFloatField(_l("Longitude"), validators=[InputRequired(), NumberRange(-180, 180)])
    meals_per_day = IntegerField(
        _l("Repas par jour"), validators=[Optional(), NumberRange(min=0, max=20000)]
    )
    address = TextAreaField(_l("Adresse"), validators=[Length(max=500)])
    siret = StringField(SIRET_LABEL, validators=[Length(max=20)])
    delivery_weekdays = CheckboxesField(_l("Jours de livraison"), choices=WEEKDAY_CHOICES)
    delivery_note = TextAreaField(_l("Consignes de livraison"), validators=[Length(max=2000)])
    contact_phone = StringField(_l("Téléphone"), validators=[Length(max=32)])
    contact_email = StringField(_l("E-mail de contact"), validators=[Length(max=254)])
    # Checked by the service (one of the canteen's groups), which names the field when refused.
    invoiced_group_id = SelectField(
        _l("Facturé à"), validate_choice=False,
        description=_l("Le payeur des factures du mois : la cantine, ou un groupement dont elle "
                       "est membre (par exemple la commune de ses écoles)."),
    )
    is_active = BooleanField(_l("Active"))


class CanteenGroupForm(FlaskForm):
    """A group of canteens, which may be the buyer invoiced for its member canteens."""

    name = StringField(_l("Nom du groupement"), validators=[DataRequired(), Length(max=200)])
    siret = StringField(SIRET_LABEL, validators=[Length(max=20)])
    address = TextAreaField(_l("Adresse de facturation"), validators=[Length(max=500)])
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])
    # Checked by the service (existing canteens), which names the field when refused.
    canteen_ids = CheckboxesField(_l("Cantines membres"), validate_choice=False)
    # When the group was last saved, as read by the form (the group has no version_id column).
    seen = HiddenField()


class CertificateForm(FlaskForm):
    """A farm's certificate for a quality label (organic first of all)."""

    label = SelectField(_l("Label"))
    body = StringField(
        _l("Organisme certificateur"), validators=[DataRequired(), Length(max=100)]
    )
    number = StringField(_l("N° de certificat"), validators=[DataRequired(), Length(max=64)])
    valid_from = DateField(_l("Valable du"), validators=[InputRequired()])
    valid_until = DateField(_l("au (vide = date de fin pas encore saisie)"),
                            validators=[Optional()])
    in_conversion = BooleanField(_l("En conversion (ne vaut pas label)"))


class ProductForm(VersionedForm):
    """A product of the catalogue."""

    slug = StringField(
        _l("Code (minuscules, sans espace)"), validators=[DataRequired(), Length(max=64)]
    )
    name_fr = StringField(_l("Nom"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Nom en anglais"), validators=[Length(max=200)])
    unit = SelectField(_l("Unité"))
    unit_kg = FrenchDecimalField(
        _l("Poids d'une unité (kg)"), places=3, validators=[InputRequired(), NumberRange(min=0.001)]
    )
    lot_size = FrenchDecimalField(
        _l("Colis : unités par caisse (vide = au détail)"),
        places=3,
        validators=[Optional(), NumberRange(min=0.001)],
    )
    season_months = CheckboxesField(
        _l("Mois de saison"), choices=choices(enumerate(MONTH_NAMES, start=1))
    )
    is_organic = BooleanField(_l("Bio"))
    is_active = BooleanField(_l("Au catalogue"))


class PriceForm(VersionedForm):
    """The group price of a product for a season, built from its components."""

    production_cost_eur = FrenchDecimalField(
        _l("Coût de production (€)"), places=2, validators=[InputRequired(), NumberRange(min=0)]
    )
    margin_eur = FrenchDecimalField(
        _l("Marge (€)"), places=2, validators=[InputRequired(), NumberRange(min=0)]
    )
    intermediation_fee_eur = FrenchDecimalField(
        _l("Frais d'intermédiation (€)"), places=2, validators=[InputRequired(), NumberRange(min=0)]
    )
