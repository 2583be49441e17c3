"""Forms of the allocation pages (Flask-WTF, CSRF-protected)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional


class ActionForm(FlaskForm):
    """A button that changes something (CSRF only)."""


class ConfirmForm(FlaskForm):
    """An irreversible action: the box must be ticked (works without JavaScript)."""

    confirm = BooleanField(validators=[DataRequired()])


class PublishForm(FlaskForm):
    """Publish one run of the week, once the box is ticked."""

    run_id = HiddenField()
    confirm = BooleanField(validators=[DataRequired()])


class LockForm(FlaskForm):
    """Fix one cell of the planning: a farm's quantity of a product for a canteen and day."""

    farm_id = SelectField(_l("Ferme"), coerce=int, validate_choice=False)
    canteen_id = SelectField(_l("Cantine"), coerce=int, validate_choice=False)
    product_id = SelectField(_l("Produit"), coerce=int, validate_choice=False)
    day = DateField(_l("Jour de livraison"), validators=[DataRequired()])
    quantity = StringField(_l("Quantité fixée"), validators=[DataRequired(), Length(max=20)])
    note = StringField(_l("Remarque"), validators=[Optional(), Length(max=500)])


class UnlockForm(FlaskForm):
    """Remove the lock of one cell."""

    farm_id = IntegerField(validators=[DataRequired()])
    canteen_id = IntegerField(validators=[DataRequired()])
    product_id = IntegerField(validators=[DataRequired()])
    day = DateField(validators=[DataRequired()])


class CropFailureForm(FlaskForm):
    """A grower's declaration of a crop loss after publication."""

    product_id = SelectField(_l("Produit touché"), coerce=int, validate_choice=False)
    quantity_lost = StringField(
        _l("Quantité perdue"), validators=[DataRequired(), Length(max=20)]
    )
    note = TextAreaField(_l("Ce qui s'est passé (facultatif)"),
                         validators=[Optional(), Length(max=2000)])
