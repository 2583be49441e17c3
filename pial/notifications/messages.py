"""What PIAL tells people by e-mail, each message queued in the outbox of the current transaction.

Every function here only *queues* messages (the caller's service commits); each message has a
dedup key naming its cause and recipient, so running a job or a service twice never sends a
notice twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from flask import current_app, has_request_context, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import exists, select

from pial.allocation.events import PlanPublished
from pial.allocation.review import replan_contract_shortfalls
from pial.db import get_session
from pial.deliveries.services import delivery_notes_of, pick_list_of
from pial.i18n import format_day, format_iso_week, format_number, unit_label
from pial.models import (
    AllocationRun,
    AvailabilityLine,
    DeliveryWeek,
    Farm,
    OrderLine,
    Role,
    User,
)
from pial.notifications.outbox import enqueue_email
from pial.published.plan import PublishedPlan, plan_of
from pial.rotation.services import coordinator_farm_ids, week_assignment
from pial.weeks.calendar import coordinator_of

PREFERENCE_REMINDERS = "email_reminders"


def N_(text: str) -> str:
    """Mark a subject for translation; it is translated when rendered for its recipient."""
    return text


PREFERENCE_PLANNING = "email_planning"
PREFERENCE_ALERTS = "email_alerts"


def queue_for_user(
    user: User,
    *,
    kind: str,
    dedup_key: str,
    subject: str,
    template: str,
    preference: str | None,
    **context: Any,
) -> bool:
    """Render ``emails/<template>.txt|.html`` in the user's language and queue it.

    Returns False when the user opted out (or is inactive) or the notice was already queued.
    """
    if not user.is_active or (preference and not getattr(user, preference)):
        return False
    with force_locale(user.locale or "fr"):
        context = {"user": user, "base_url": public_base_url(), **context}
        text = render_template(f"emails/{template}.txt", **context)
        html = render_template(f"emails/{template}.html", **context)
        # Values may be callables so that dates and weeks are formatted in the user's language.
        values = {
            key: value() if callable(value) else value
            for key, value in context.get("subject_values", {}).items()
        }
        translated_subject = _(subject, **values)
    message = enqueue_email(
        to_address=user.email,
        subject=translated_subject,
        body_text=text,
        body_html=html,
        kind=kind,
        user_id=user.id,
        dedup_key=f"{dedup_key}:u{user.id}",
    )
    return message is not None


def public_base_url() -> str:
    """Return the address links in e-mails start with, without a trailing slash.

    PIAL_BASE_URL when it is set; else the host of the request being answered; else the
    address the server was started on (``pial serve``/``pial demo`` record it).
    """
    config = current_app.config
    if not config.get("PIAL_BASE_URL_SET") and has_request_context():
        return str(request.host_url).rstrip("/")
    return str(config["PIAL_BASE_URL"]).rstrip("/")


def _users(*conditions: Any) -> Sequence[User]:
    return get_session().scalars(select(User).where(User.is_active.is_(True), *conditions)).all()


def _remind(week: DeliveryWeek, recipients: Sequence[User], kind: str, subject: str) -> int:
    """Queue the ``kind`` reminder of ``week`` (template of the same name) to each recipient."""
    return sum(
        queue_for_user(
            user,
            kind=kind,
            dedup_key=f"{kind}:{week.iso_week}",
            subject=subject,
            template=kind,
            preference=PREFERENCE_REMINDERS,
            week=week,
            subject_values={"week": lambda: _week_label(week)},
        )
        for user in recipients
    )


def remind_missing_offers(week: DeliveryWeek) -> int:
    """Remind the growers whose farm has declared nothing for ``week``; return how many."""
    has_offer = exists().where(
        AvailabilityLine.week_id == week.id, AvailabilityLine.farm_id == User.farm_id
    )
    growers = _users(User.role == Role.GROWER, ~has_offer)
    subject = N_("Rappel : vos disponibilités pour la %(week)s")
    return _remind(week, growers, "availability_reminder", subject)


def remind_missing_orders(week: DeliveryWeek) -> int:
    """Remind the canteen managers whose canteen has ordered nothing for ``week``."""
    has_order = exists().where(
        OrderLine.week_id == week.id, OrderLine.canteen_id == User.canteen_id
    )
    managers = _users(User.role == Role.CANTEEN, ~has_order)
    return _remind(week, managers, "order_reminder", N_("Rappel : votre commande pour la %(week)s"))


def announce_planning(event: PlanPublished) -> int:
    """Send each grower their pick list and each canteen its delivery notes for a published run.

    Handles :class:`~pial.allocation.events.PlanPublished`: the plan is read once, and a
    re-plan only goes to those whose deliveries changed.
    """
    run, replan = event.run, event.replan
    plan = plan_of(run)
    week = plan.week
    farm_ids = {line.farm_id for line in plan.lines}
    canteen_ids = {line.canteen_id for line in plan.lines}
    kind = "replan" if replan else "planning_published"
    subject = (
        N_("Planning modifié (version %(version)s) : %(week)s")
        if replan
        else N_("Planning publié : %(week)s")
    )
    values = {"week": lambda: _week_label(week), "version": plan.version}

    def announce(user: User, template: str, changed: bool, **content: Any) -> int:
        if replan and not changed:
            return 0  # a re-plan only concerns those whose deliveries changed
        return int(queue_for_user(
            user, kind=kind, dedup_key=f"{kind}:{week.iso_week}:v{plan.version}",
            subject=subject, template=template, preference=PREFERENCE_PLANNING, week=week,
            run=run, replan=replan, subject_values=values, **content,
        ))  # fmt: skip

    count = 0
    for user in _users(User.role == Role.GROWER, User.farm_id.in_(farm_ids)):
        picks = pick_list_of(plan, _farm_of(plan, user.farm_id))
        count += announce(user, "pick_list", bool(picks.changes), picks=picks)
    for user in _users(User.role == Role.CANTEEN, User.canteen_id.in_(canteen_ids)):
        notes = delivery_notes_of(plan, user.canteen_id or 0)
        count += announce(user, "delivery_notes", any(note.changes for note in notes),
                          notes=notes)
    return count


def _farm_of(plan: PublishedPlan, farm_id: int | None) -> Farm:
    """Return the farm of a plan's lines (a grower is picked for the plan's farms only)."""
    return next(line.farm for line in plan.lines if line.farm_id == farm_id)


def ask_coordinator_to_review(run: AllocationRun) -> int:
    """Tell the growers of the week's coordinating farm that a planning awaits their review."""
    week = run.week
    farm = coordinator_of(week.iso_week)
    recipients: Iterable[User] = (
        _users(User.role == Role.GROWER, User.farm_id == farm.id)
        if farm is not None
        else _users(User.role == Role.LEAD)
    )
    return sum(
        queue_for_user(
            user,
            kind="coordinator_review",
            dedup_key=f"coordinator-review:{week.iso_week}:run{run.id}",
            subject=N_("À relire et publier : la répartition de la %(week)s"),
            template="coordinator_review",
            preference=None,  # the coordinator's duty of the week: not optional
            week=week,
            run=run,
            subject_values={"week": lambda: _week_label(week)},
        )
        for user in recipients
    )


def remind_delivery_day(run: AllocationRun, day: dt.date) -> int:
    """Remind the growers who deliver on ``day`` of their round."""
    plan = plan_of(run)
    farms = {line.farm_id: line.farm for line in plan.lines if line.day == day}
    count = 0
    for user in _users(User.role == Role.GROWER, User.farm_id.in_(farms)):
        picks = pick_list_of(plan, farms[user.farm_id or 0])
        today = [pick_day for pick_day in picks.days if pick_day.day == day]
        count += queue_for_user(
            user,
            kind="delivery_day",
            dedup_key=f"delivery-day:{day.isoformat()}",
            subject=N_("Livraisons du jour"),
            template="delivery_day",
            preference=PREFERENCE_REMINDERS,
            week=plan.week,
            days=today,
        )
    return count


def alert_leads(kind: str, dedup_key: str, subject: str, lines: Sequence[str]) -> int:
    """Send an alert (e.g. a contract line falling behind) to the project leads."""
    return sum(
        queue_for_user(
            user,
            kind=kind,
            dedup_key=dedup_key,
            subject=subject,
            template="alert",
            preference=PREFERENCE_ALERTS,
            lines=lines,
        )
        for user in _users(User.role == Role.LEAD)
    )


def alert_contract_shortfalls(event: PlanPublished) -> int:
    """Tell the leads and the week's coordinators which contract lines a re-plan left short.

    Handles :class:`~pial.allocation.events.PlanPublished` for crop-failure re-plans only.
    """
    shortfalls = replan_contract_shortfalls(event.run) if event.replan else []
    if not shortfalls:
        return 0
    week = event.run.week
    coordinating = coordinator_farm_ids(week.iso_week)
    recipients = [
        *_users(User.role == Role.LEAD),
        *(_users(User.role == Role.GROWER, User.farm_id.in_(coordinating)) if coordinating else []),
    ]
    count = 0
    for user in recipients:
        with force_locale(user.locale or "fr"):
            lines = [
                _(
                    "%(day)s, %(canteen)s, %(product)s (contrat) : il manque %(short)s %(unit)s "
                    "sur %(ordered)s commandés.",
                    day=format_day(short.day),
                    canteen=short.canteen.name,
                    product=short.product.name_fr,
                    short=format_number(short.short_now, 3),
                    unit=unit_label(short.product, short.short_now),
                    ordered=format_number(short.ordered, 3),
                )
                for short in shortfalls
            ]
        count += queue_for_user(
            user,
            kind="contract_shortfall",
            dedup_key=f"contract-shortfall:{week.iso_week}:v{event.run.published_version}",
            subject=N_(
                "Perte de récolte : des lignes sous contrat ne sont plus servies (%(week)s)"
            ),
            template="alert",
            preference=None if user.role == Role.GROWER else PREFERENCE_ALERTS,
            lines=lines,
            subject_values={"week": lambda: _week_label(week)},
        )
    return count


def remind_coordinator(week: DeliveryWeek) -> int:
    """Remind the growers of the week's coordinating and backup farms of their week."""
    assignment = week_assignment(week.iso_week)
    if assignment is None:
        return 0
    farm_ids = coordinator_farm_ids(week.iso_week)
    return sum(
        queue_for_user(
            user,
            kind="coordinator_reminder",
            dedup_key=f"coordinator-reminder:{week.iso_week}",
            subject=N_("Vous coordonnez la %(week)s : échéance demain"),
            template="coordinator_reminder",
            preference=None,  # the coordinator's duty of the week: not optional
            week=week,
            confirmed=assignment.confirmed_dt is not None,
            subject_values={"week": lambda: _week_label(week)},
        )
        for user in _users(User.role == Role.GROWER, User.farm_id.in_(farm_ids))
    )


def alert_unconfirmed_coordination(week: DeliveryWeek) -> int:
    """Tell the leads that nobody confirmed they coordinate ``week`` by its deadline."""
    assignment = week_assignment(week.iso_week)
    if assignment is None or assignment.confirmed_dt is not None:
        return 0
    backup = assignment.backup_farm.name if assignment.backup_farm is not None else None
    return sum(
        queue_for_user(
            user,
            kind="coordination_unconfirmed",
            dedup_key=f"coordination-unconfirmed:{week.iso_week}",
            subject=N_("Personne n'a confirmé la coordination de la %(week)s"),
            template="alert",
            preference=None,  # a week without a coordinator needs the lead: not optional
            lines=[_lines_unconfirmed(user, week, assignment.farm.name, backup)],
            subject_values={"week": lambda: _week_label(week)},
        )
        for user in _users(User.role == Role.LEAD)
    )


def _lines_unconfirmed(user: User, week: DeliveryWeek, farm: str, backup: str | None) -> str:
    with force_locale(user.locale or "fr"):
        text: str = _(
            "%(week)s : la ferme %(farm)s n'a pas confirmé qu'elle coordonne la semaine, "
            "dont les offres et commandes sont closes.",
            week=_week_label(week),
            farm=farm,
        )
        if backup:
            text += " " + _("Son suppléant (%(backup)s) non plus.", backup=backup)
        advice = _("Clôturez, relisez et publiez-la vous-même, ou appelez la ferme.")
        return f"{text} {advice}"


def send_invitation(email: str, link: str, inviter_name: str, invitation_id: int) -> None:
    """Queue the invitation e-mail carrying the one-time link."""
    with force_locale("fr"):
        context = {"link": link, "inviter_name": inviter_name}
        enqueue_email(
            to_address=email,
            subject=_("Invitation à rejoindre PIAL"),
            body_text=render_template("emails/invitation.txt", **context),
            body_html=render_template("emails/invitation.html", **context),
            kind="invitation",
            dedup_key=f"invitation:{invitation_id}",
        )


def send_signin_link(user: User, link: str, link_id: int) -> None:
    """Queue the one-time sign-in link of an account that too many attempts have locked."""
    with force_locale(user.locale or "fr"):
        body = "\n\n".join(
            [
                _("Bonjour %(name)s,", name=user.display_name),
                _(
                    "Votre compte PIAL a reçu beaucoup de tentatives de connexion. Par sécurité, "
                    "votre mot de passe seul ne suffit plus pour le moment. Pour vous connecter, "
                    "ouvrez ce lien (valable une heure, une seule fois) puis saisissez votre mot "
                    "de passe :"
                ),
                link,
                _(
                    "Si ce n'était pas vous, quelqu'un essaie de deviner votre mot de passe : "
                    "choisissez-en un plus long une fois connecté."
                ),
            ]
        )
        enqueue_email(
            to_address=user.email,
            subject=_("Votre lien de connexion à PIAL"),
            body_text=body + "\n",
            kind="signin_link",
            user_id=user.id,
            dedup_key=f"signin_link:{link_id}",
        )


def _week_label(week: DeliveryWeek) -> str:
    return format_iso_week(week.iso_week)
