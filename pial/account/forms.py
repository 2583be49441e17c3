"""The preferences form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField

from pial.fields import choices

#: Each language named in itself, so that anyone can find theirs.
LANGUAGE_NAMES = (("fr", "Français"), ("en", "English"))


class LocaleForm(FlaskForm):
    """Choose the interface language."""

    locale = RadioField(_l("Langue de l'interface"), choices=choices(LANGUAGE_NAMES))
