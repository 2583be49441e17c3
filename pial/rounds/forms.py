"""Forms of the rounds pages (Flask-WTF, CSRF-protected)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired
from wtforms.widgets import CheckboxInput, ListWidget

from pial.fields import choices


class MoveLineForm(FlaskForm):
    """Put a line of the day on a vehicle."""

    # The service checks the line and the vehicle: the choices are only the page's menus.
    line_id = SelectField(_l("Ligne"), coerce=int, validators=[DataRequired()],
                          validate_choice=False)
    vehicle_id = SelectField(_l("Véhicule"), coerce=int, validators=[DataRequired()],
                             validate_choice=False)


# The rounds' set-up. Every number and hour is read by pial.rounds.setup, which names each
# wrong field in French: the fields here are plain texts.

WEEKDAY_NAMES = (
    _l("lundi"), _l("mardi"), _l("mercredi"), _l("jeudi"), _l("vendredi"), _l("samedi"),
    _l("dimanche"),
)  # fmt: skip
WEEKDAY_CHOICES = choices(enumerate(WEEKDAY_NAMES, start=1))
HOUR = {"inputmode": "numeric", "placeholder": "HH:MM", "autocomplete": "off"}
DECIMAL = {"inputmode": "decimal", "autocomplete": "off"}
WHOLE = {"inputmode": "numeric", "autocomplete": "off"}


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes (usable without JavaScript)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class MyVanForm(FlaskForm):
    """What a grower sets on their van."""

    capacity_kg = StringField(_l("Capacité (kg)"), render_kw=DECIMAL)
    capacity_crates = StringField(_l("Capacité (caisses)"), render_kw=WHOLE)
    free_from = StringField(_l("Libre à partir de"), render_kw=HOUR,
                            description=_l("Heure au format HH:MM, par exemple 5:00."))
    free_until = StringField(_l("Libre jusqu'à"), render_kw=HOUR,
                             description=_l("Heure au format HH:MM, par exemple 13:00."))
    driver_name = StringField(_l("Chauffeur"))
    driver_phone = StringField(_l("Téléphone du chauffeur"),
                               render_kw={"inputmode": "tel", "autocomplete": "tel"})
    days_off = CheckboxesField(_l("Jours sans tournée"), choices=WEEKDAY_CHOICES,
                               validate_choice=False,
                               description=_l("Cochez les jours où vous ne conduisez pas : "
                                              "vos caisses partent alors avec un autre "
                                              "véhicule."))


class VehicleForm(MyVanForm):
    """A vehicle as the lead sets it: a farm's van or the partner's truck at its depot."""

    name = StringField(_l("Nom"))
    farm_id = SelectField(_l("Ferme"), validate_choice=False,
                          description=_l("Aucune : le camion du partenaire logistique, "
                                         "qui part de son dépôt."))
    depot_lat = StringField(_l("Latitude du dépôt"), render_kw=DECIMAL)
    depot_lon = StringField(_l("Longitude du dépôt"), render_kw=DECIMAL)
    cost_per_km_eur = StringField(_l("Coût par km (€)"), render_kw=DECIMAL)
    cost_per_hour_eur = StringField(_l("Coût par heure (€)"), render_kw=DECIMAL)

    FIELD_ORDER = ("name", "farm_id", "depot_lat", "depot_lon", "capacity_kg",
                   "capacity_crates", "free_from", "free_until", "cost_per_km_eur",
                   "cost_per_hour_eur", "driver_name", "driver_phone", "days_off")


class PointForm(FlaskForm):
    """A collection point: on a farm, or at its coordinates."""

    name = StringField(_l("Nom"))
    farm_id = SelectField(_l("Ferme"), validate_choice=False,
                          description=_l("Aucune : saisissez les coordonnées du lieu."))
    lat = StringField(_l("Latitude"), render_kw=DECIMAL)
    lon = StringField(_l("Longitude"), render_kw=DECIMAL)
    opens = StringField(_l("Ouverture"), render_kw=HOUR)
    handover = StringField(_l("Heure de passage de relais"), render_kw=HOUR,
                           description=_l("Les caisses déposées avant cette heure repartent "
                                          "après elle."))
    closes = StringField(_l("Fermeture"), render_kw=HOUR)
    handling_min = StringField(_l("Manutention (min)"), render_kw=WHOLE)


class WindowForm(FlaskForm):
    """A canteen's delivery window."""

    canteen_id = SelectField(_l("Cantine"), validate_choice=False)
    starts = StringField(_l("Début"), render_kw=HOUR)
    ends = StringField(_l("Fin"), render_kw=HOUR)
    unloading_min = StringField(_l("Déchargement (min)"), render_kw=WHOLE)
    instructions = TextAreaField(_l("Consignes pour le chauffeur"),
                                 description=_l("Quai, code du portail, personne à appeler…"))


class RoadForm(FlaskForm):
    """A road distance between two places."""

    place_a = SelectField(_l("Lieu de départ"), validate_choice=False)
    place_b = SelectField(_l("Lieu d'arrivée"), validate_choice=False)
    distance_km = StringField(_l("Distance (km)"), render_kw=DECIMAL)
    duration_min = StringField(_l("Durée (min)"), render_kw=WHOLE,
                               description=_l("Facultative : sinon, la distance à la vitesse "
                                              "moyenne du jour."))
