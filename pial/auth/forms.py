"""Forms of the sign-in pages (Flask-WTF, CSRF-protected)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    """Email and password."""

    email = EmailField(_l("Adresse e-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Mot de passe"), validators=[DataRequired(), Length(max=256)])
    remember = BooleanField(_l("Rester connecté sur cet appareil"))


class SignInLinkForm(FlaskForm):
    """The password, with the one-time link of an account locked by too many attempts."""

    password = PasswordField(_l("Mot de passe"), validators=[DataRequired(), Length(max=256)])


class AcceptInvitationForm(FlaskForm):
    """Name and a new password, to accept an invitation."""

    display_name = StringField(_l("Votre nom"), validators=[DataRequired(), Length(max=120)])
    password = PasswordField(_l("Mot de passe"), validators=[DataRequired(), Length(max=256)])
    confirm = PasswordField(
        _l("Confirmez le mot de passe"),
        validators=[
            DataRequired(),
            EqualTo("password", message=_l("Les mots de passe diffèrent.")),
        ],
    )


class ChangePasswordForm(FlaskForm):
    """Current password and a new one."""

    current_password = PasswordField(_l("Mot de passe actuel"), validators=[DataRequired()])
    password = PasswordField(
        _l("Nouveau mot de passe"), validators=[DataRequired(), Length(max=256)]
    )
    confirm = PasswordField(
        _l("Confirmez le nouveau mot de passe"),
        validators=[
            DataRequired(),
            EqualTo("password", message=_l("Les mots de passe diffèrent.")),
        ],
    )


class InvitationForm(FlaskForm):
    """What the project lead fills in to invite somebody."""

    email = EmailField(_l("Adresse e-mail"), validators=[DataRequired(), Length(max=254)])
    role = SelectField(_l("Rôle"), validators=[DataRequired()])
    farm_id = SelectField(_l("Ferme (producteur)"), coerce=int, validate_choice=False)
    canteen_id = SelectField(_l("Cantine (gestionnaire)"), coerce=int, validate_choice=False)
