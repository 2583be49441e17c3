"""The preferences form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField

from pial.fields import choices

#: Each language named in itself, so that anyone can find theirs.
LANGUAGE_NAMES = (("fr", "Français"), ("en", "English"))


class LocaleForm(FlaskForm):
    """Choose the interface language."""

    locale = RadioField(_l("Langue de l'interface"), choices=choices(LANGUAGE_NAMES))


class NotificationsForm(FlaskForm):
    """Choose which e-mails to receive."""

    email_reminders = BooleanField(_l("Rappels avant les dates limites et les jours de livraison"))
    email_planning = BooleanField(_l("Planning publié et changements après une perte de récolte"))
    email_alerts = BooleanField(_l("Alertes (contrats en retard, incidents)"))
