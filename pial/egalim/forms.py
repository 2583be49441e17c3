"""Forms of the EGalim pages: the export period, a month's other purchases, a totals file."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, DateField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Regexp
from wtforms.widgets import TextInput

from pial.fields import FrenchDecimalField


class ExportForm(FlaskForm):
    """The period of a ma-cantine export (inclusive); ``confirm`` after an overlap warning."""

    first_day = DateField(_l("Du"), validators=[InputRequired()])
    last_day = DateField(_l("Au (inclus)"), validators=[InputRequired()])
    confirm = BooleanField(_l("Exporter quand même"))


def _amount(label: Any) -> FrenchDecimalField:
    # A text box, not type="number": browsers refuse « 1 500,50 » in a number input.
    return FrenchDecimalField(label, places=2, widget=TextInput(),
                              render_kw={"inputmode": "decimal", "autocomplete": "off"},
                              validators=[InputRequired(), NumberRange(min=0, max=1e9)])


class OtherPurchasesForm(FlaskForm):
    """A month's purchases made outside PIAL, as totals excluding VAT."""

    month = StringField(_l("Mois (AAAA-MM)"), validators=[
        InputRequired(), Regexp(r"^\d{4}-\d{2}$", message=_l("Format attendu : AAAA-MM."))])
    total_eur = _amount(_l("Total des achats hors PIAL (€ HT)"))
    egalim_eur = _amount(_l("dont sous label EGalim, bio compris (€ HT)"))
    organic_eur = _amount(_l("dont bio (€ HT)"))
    local_eur = _amount(_l("dont local (€ HT)"))
    note = TextAreaField(_l("Note (fournisseurs, source des chiffres)"),
                         validators=[Length(max=500)])


class TotalsUploadForm(FlaskForm):
    """A CSV file of monthly totals."""

    file = FileField(
        _l("Fichier des totaux mensuels (.csv)"),
        validators=[FileRequired(_l("Choisissez un fichier.")),
                    FileAllowed(["csv", "txt"], _l("Seuls les fichiers .csv sont acceptés."))],
    )
