"""Who may plan a week: the project lead, the system, and the growers of its coordinating farm."""

from __future__ import annotations

from flask_babel import gettext as _

from pial.actors import Actor
from pial.errors import Forbidden
from pial.models import Role
from pial.models.weeks import DeliveryWeek
from pial.rotation.services import is_coordinator
from pial.weeks.opening import close_week


def can_coordinate(actor: Actor, iso_week: str) -> bool:
    """Tell whether ``actor`` may review, lock, run and publish the week (None = the system)."""
    if actor is None or actor.role == Role.LEAD:
        return True
    return actor.role == Role.GROWER and is_coordinator(actor, iso_week)


def require_coordinator(actor: Actor, iso_week: str) -> None:
    """Raise Forbidden unless ``actor`` coordinates the week or leads the project."""
    if not can_coordinate(actor, iso_week):
        raise Forbidden(
            _(
                "Seuls la personne responsable du projet et le coordinateur de la semaine peuvent "
                "faire cela."
            )
        )


def close_coordinated_week(actor: Actor, iso_week: str) -> DeliveryWeek:
    """Close the week's offers and orders, as its coordinator (or the lead) decides."""
    require_coordinator(actor, iso_week)
    return close_week(iso_week, actor, checked=True)
