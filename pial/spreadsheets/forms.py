"""The upload form of availability and order files (Flask-WTF, CSRF-protected)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired


class UploadForm(FlaskForm):
    """One ``.xlsx`` file made from a PIAL template."""

    file = FileField(
        _l("Fichier rempli (.xlsx)"),
        validators=[
            FileRequired(_l("Choisissez un fichier.")),
            FileAllowed(["xlsx"], _l("Seuls les classeurs .xlsx sont acceptés.")),
        ],
    )
