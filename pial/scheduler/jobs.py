"""The jobs of the weekly rhythm. Each is thin: find its week, call one service, report.

Every job receives its nominal fire time (``scheduled``, aware UTC) and returns a one-line
French summary for the lead's page. Services own their transactions; nothing here holds a
transaction open while the solver runs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from pial.allocation.runs import latest_run, published_run
from pial.allocation.services import allocate_week, publish_week
from pial.clock import PARIS, iso_week_label
from pial.contracts.services import contract_progress, list_contracts
from pial.db import get_session, transaction
from pial.deliveries.services import mark_week_delivered
from pial.i18n import format_number
from pial.invoices.services import remind_overdue_invoices
from pial.maintenance import default_backup_path
from pial.maintenance.backups import backup_database
from pial.models import AllocationRun, DeliveryWeek, RunTrigger, WeekState
from pial.money.accrual import accrue_week
from pial.notifications.messages import (
    alert_leads,
    alert_unconfirmed_coordination,
    ask_coordinator_to_review,
    remind_coordinator,
    remind_delivery_day,
    remind_missing_offers,
    remind_missing_orders,
)
from pial.weeks.calendar import get_or_create_week
from pial.weeks.opening import close_due_weeks, open_week

BACKUPS_KEPT = 14

Job = Callable[[dt.datetime], str]


def _paris_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(PARIS).date()


def _weeks(state: WeekState) -> list[DeliveryWeek]:
    return list(
        get_session().scalars(
            select(DeliveryWeek)
            .where(DeliveryWeek.state == state)
            .order_by(DeliveryWeek.monday_date)
        )
    )


def open_next_week(scheduled: dt.datetime) -> str:
    """Open next week to offers and orders (standing orders are applied)."""
    iso_week = iso_week_label(_paris_date(scheduled) + dt.timedelta(days=7))
    week = get_or_create_week(iso_week)
    if week.state != WeekState.DRAFT:
        return f"{iso_week} déjà {week.state.value}"
    open_week(iso_week)
    return f"{iso_week} ouverte"


def _remind(
    scheduled: dt.datetime,
    deadline_of: Callable[[DeliveryWeek], dt.datetime],
    send: Callable[[DeliveryWeek], int],
) -> str:
    """Remind, for each open week whose deadline falls in the next two days."""
    horizon = scheduled + dt.timedelta(days=2)
    sent = []
    with transaction():
        for week in _weeks(WeekState.OPEN):
            if scheduled < deadline_of(week) <= horizon:
                sent.append(f"{week.iso_week} : {send(week)} rappel(s)")
    return " ; ".join(sent) or "aucune échéance proche"


def remind_offers(scheduled: dt.datetime) -> str:
    """Remind the growers who have not declared what they can supply."""
    return _remind(scheduled, lambda week: week.availability_deadline_dt, remind_missing_offers)


def remind_orders(scheduled: dt.datetime) -> str:
    """Remind the canteens that have not ordered."""
    return _remind(scheduled, lambda week: week.order_deadline_dt, remind_missing_orders)


def remind_coordinators(scheduled: dt.datetime) -> str:
    """Remind each open week's coordinator (and backup) the day before its deadline."""
    return _remind(scheduled, lambda week: week.order_deadline_dt, remind_coordinator)


def alert_unconfirmed_coordinators(scheduled: dt.datetime) -> str:
    """Alert the leads about weeks past their deadline that no coordinator confirmed."""
    alerted = []
    with transaction():
        for week in _weeks(WeekState.CLOSED) + _weeks(WeekState.ALLOCATED):
            if week.order_deadline_dt <= scheduled and alert_unconfirmed_coordination(week):
                alerted.append(week.iso_week)
    return ("alerte : " + ", ".join(alerted)) if alerted else "toutes les semaines confirmées"


def close_and_allocate(scheduled: dt.datetime) -> str:
    """Close the weeks past their deadlines, allocate them, and call in the coordinator."""
    close_due_weeks()
    outcomes = []
    for week in _weeks(WeekState.CLOSED):
        run = allocate_week(week.iso_week, None, trigger="scheduler")
        with transaction():
            ask_coordinator_to_review(run)
        outcomes.append(f"{week.iso_week} répartie (n°{run.sequence}, {run.status.value})")
    # A run cut short after the allocation was saved: the call to review is made now (the
    # message's dedup key, per run, keeps it to one).
    for week in _weeks(WeekState.ALLOCATED):
        latest = latest_run(week)
        if latest is not None and latest.trigger == RunTrigger.SCHEDULER:
            with transaction():
                ask_coordinator_to_review(latest)
    return " ; ".join(outcomes) or "aucune semaine à répartir"


def publish_fallback(scheduled: dt.datetime) -> str:
    """Publish (and so announce) the latest allocation of weeks nobody published in time."""
    outcomes = []
    for week in _weeks(WeekState.ALLOCATED):
        if week.publish_fallback_dt > scheduled:
            continue
        run = publish_week(week.iso_week, None)
        outcomes.append(f"{week.iso_week} publiée d'office (version {run.published_version})")
    return " ; ".join(outcomes) or "rien à publier"


def delivery_day_reminder(scheduled: dt.datetime) -> str:
    """Remind the growers who deliver today of their round."""
    today = _paris_date(scheduled)
    run = _published_run(iso_week_label(today))
    if run is None:
        return "pas de planning publié"
    with transaction():
        count = remind_delivery_day(run, today)
    return f"{count} rappel(s) de livraison"


def mark_delivered(scheduled: dt.datetime) -> str:
    """Mark this week delivered and accrue its fees, fund and advance recoveries."""
    iso_week = iso_week_label(_paris_date(scheduled))
    week = get_session().scalar(select(DeliveryWeek).where(DeliveryWeek.iso_week == iso_week))
    if week is None or week.state not in (WeekState.PUBLISHED, WeekState.DELIVERED):
        return f"{iso_week} : rien à marquer"
    if week.state == WeekState.PUBLISHED:
        mark_week_delivered(iso_week)
    accrue_week(iso_week)  # idempotent: a run cut short after the marking completes here
    return f"{iso_week} livrée, frais et fonds comptabilisés"


def contract_alerts(scheduled: dt.datetime) -> str:
    """Tell the leads which contract lines lag behind their pro-rata commitment."""
    today = _paris_date(scheduled)
    lines = []
    for contract in list_contracts(None):
        if not contract.is_active or not contract.start_date <= today <= contract.end_date:
            continue
        for progress in contract_progress(contract.id, None, as_of=today).alerts:
            alert = progress.alert
            assert alert is not None  # ``alerts`` lists only lines with one
            lines.append(
                f"{contract.title} — {progress.line.product.name_fr} : "
                f"{format_number(alert.behind_by, 1)} de retard sur le prorata "
                f"({format_number(alert.behind_share * 100, 0)} %) ; à ce rythme, "
                f"{format_number(alert.forecast_gap, 1)} manqueront en fin d'année."
            )
    if not lines:
        return "aucune ligne en retard"
    with transaction():
        sent = alert_leads(
            "contract_alert",
            f"contract-alerts:{iso_week_label(today)}",
            "Contrats : des lignes prennent du retard",
            lines,
        )
    return f"{len(lines)} ligne(s) en retard, {sent} courriel(s)"


def nightly_backup(scheduled: dt.datetime) -> str:
    """Back the database up into the instance folder, keeping the last fortnight."""
    url = current_app.config["DATABASE_URL"]
    target = default_backup_path(current_app.instance_path, url, scheduled.astimezone(PARIS))
    report = backup_database(url, target)
    backups = sorted(Path(target).parent.glob("pial-*"))
    for old in backups[:-BACKUPS_KEPT]:
        old.unlink()
    return f"sauvegarde {report.path.name} ({report.size_bytes} octets)"


def overdue_invoices(scheduled: dt.datetime) -> str:
    """Mark unpaid invoices past their due date overdue and remind their buyers, once each."""
    reminded = remind_overdue_invoices(_paris_date(scheduled))
    return f"{len(reminded)} facture(s) en retard relancée(s)"


def _published_run(iso_week: str) -> AllocationRun | None:
    week = get_session().scalar(select(DeliveryWeek).where(DeliveryWeek.iso_week == iso_week))
    if week is None or week.state != WeekState.PUBLISHED:
        return None
    return published_run(week)


JOBS: dict[str, Job] = {
    "open_next_week": open_next_week,
    "remind_offers": remind_offers,
    "remind_orders": remind_orders,
    "remind_coordinators": remind_coordinators,
    "alert_unconfirmed_coordinators": alert_unconfirmed_coordinators,
    "close_and_allocate": close_and_allocate,
    "publish_fallback": publish_fallback,
    "delivery_day_reminder": delivery_day_reminder,
    "mark_delivered": mark_delivered,
    "contract_alerts": contract_alerts,
    "nightly_backup": nightly_backup,
    "overdue_invoices": overdue_invoices,
}

JOB_LABELS = {
    "open_next_week": "Ouverture de la semaine suivante",
    "remind_offers": "Rappel aux producteurs (offres)",
    "remind_orders": "Rappel aux cantines (commandes)",
    "remind_coordinators": "Rappel au coordinateur de la semaine",
    "alert_unconfirmed_coordinators": "Alerte : coordination non confirmée",
    "close_and_allocate": "Clôture et répartition",
    "publish_fallback": "Publication d'office",
    "delivery_day_reminder": "Rappel des livraisons du jour",
    "mark_delivered": "Semaine livrée et comptabilisée",
    "contract_alerts": "Alertes sur les contrats",
    "nightly_backup": "Sauvegarde de nuit",
    "overdue_invoices": "Relance des factures en retard",
}
