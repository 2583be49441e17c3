"""Save a person's preferences on their User row."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _

from pial.actors import Actor
from pial.audit import record_audit
from pial.db import get_session
from pial.errors import InvalidInput, NotFound
from pial.models import User


def _own_account(actor: Actor) -> User:
    """Return the User row of ``actor`` (the system, ``actor`` None, has no account)."""
    user = get_session().get(User, actor.id) if actor is not None else None
    if user is None:
        raise NotFound(_("Compte introuvable."))
    return user


def set_locale(actor: Actor, locale: str) -> User:
    """Save ``locale`` as the interface language of ``actor``."""
    allowed = current_app.config["PIAL_LOCALES"]
    if locale not in allowed:
        raise InvalidInput(
            _("Langue inconnue."),
            field_errors={"locale": [_("Choisissez le français ou l'anglais.")]},
        )
    user = _own_account(actor)
    before = user.locale
    if before != locale:
        user.locale = locale
        record_audit(actor, "account.locale", user, before={"locale": before},
                     after={"locale": locale})
    get_session().commit()
    return user


NOTIFICATION_PREFERENCES = ("email_reminders", "email_planning", "email_alerts")


def set_notification_preferences(actor: Actor, wanted: dict[str, bool]) -> User:
    """Save which e-mails ``actor`` wants: reminders, plannings, alerts."""
    user = _own_account(actor)
    before = {name: getattr(user, name) for name in NOTIFICATION_PREFERENCES}
    after = {name: bool(wanted.get(name, False)) for name in NOTIFICATION_PREFERENCES}
    if before != after:
        for name, value in after.items():
            setattr(user, name, value)
        record_audit(actor, "account.notifications", user, before=before, after=after)
    get_session().commit()
    return user
