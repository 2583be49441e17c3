"""When each job of the weekly rhythm fires: cron triggers in the platform's time zone.

The triggers are APScheduler ``CronTrigger`` objects built from the platform settings, so the
deadlines the lead sets are the times the jobs run. Fire times are computed here as pure
functions of the trigger and a time window, which lets tests (and catch-up after downtime) ask
"what should have run between these two instants?" without a live scheduler.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from pial.models import Platform, parse_weekdays

CRON_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, slots=True)
class JobTiming:
    """The trigger of one job and how late a missed run may still be made up."""

    job_id: str
    trigger: CronTrigger
    grace: dt.timedelta


def _weekday_name(iso_weekday: int) -> str:
    return CRON_DAY_NAMES[(iso_weekday - 1) % 7]


def _previous_weekday(iso_weekday: int) -> int:
    return 7 if iso_weekday == 1 else iso_weekday - 1


def _weekly(weekday: int, time: dt.time, zone: ZoneInfo) -> CronTrigger:
    return CronTrigger(
        day_of_week=_weekday_name(weekday), hour=time.hour, minute=time.minute, timezone=zone
    )


def job_timings(platform: Platform) -> list[JobTiming]:
    """Return the trigger of every job of the weekly rhythm for the platform's settings."""
    zone = ZoneInfo(platform.timezone or "Europe/Paris")
    delivery_days = ",".join(
        _weekday_name(day) for day in parse_weekdays(platform.delivery_weekdays or "1,4")
    )
    reminder_time = dt.time(9, 0)
    hours = dt.timedelta(hours=1)
    return [
        # Offers and orders for next week open on Monday morning of this week.
        JobTiming("open_next_week", _weekly(1, dt.time(6, 0), zone), 24 * hours),
        # Reminders go out the day before each deadline.
        JobTiming(
            "remind_offers",
            _weekly(_previous_weekday(platform.availability_deadline_weekday), reminder_time, zone),
            6 * hours,
        ),
        JobTiming(
            "remind_orders",
            _weekly(_previous_weekday(platform.order_deadline_weekday), reminder_time, zone),
            6 * hours,
        ),
        JobTiming(
            "remind_coordinators",
            _weekly(_previous_weekday(platform.order_deadline_weekday), reminder_time, zone),
            6 * hours,
        ),
        # At the order deadline the week closes and the allocation runs; the lead hears of a
        # week whose coordinator never confirmed.
        JobTiming(
            "alert_unconfirmed_coordinators",
            _weekly(platform.order_deadline_weekday, platform.order_deadline_time, zone),
            24 * hours,
        ),
        JobTiming(
            "close_and_allocate",
            _weekly(platform.order_deadline_weekday, platform.order_deadline_time, zone),
            24 * hours,
        ),
        JobTiming(
            "publish_fallback",
            _weekly(platform.publish_fallback_weekday, platform.publish_fallback_time, zone),
            24 * hours,
        ),
        JobTiming(
            "delivery_day_reminder",
            CronTrigger(day_of_week=delivery_days, hour=6, minute=0, timezone=zone),
            3 * hours,
        ),
        JobTiming("mark_delivered", _weekly(7, dt.time(21, 0), zone), 48 * hours),
        JobTiming("contract_alerts", _weekly(1, dt.time(7, 0), zone), 24 * hours),
        JobTiming("nightly_backup", CronTrigger(hour=3, minute=30, timezone=zone), 12 * hours),
        # Every morning, unpaid invoices past due are marked overdue and reminded once.
        JobTiming("overdue_invoices", CronTrigger(hour=8, minute=0, timezone=zone), 24 * hours),
    ]


def fire_times(
    trigger: CronTrigger, after: dt.datetime, until: dt.datetime
) -> Iterator[dt.datetime]:
    """Yield the fire times of ``trigger`` in the window ``(after, until]``, in UTC."""
    previous: dt.datetime | None = None
    moment = trigger.get_next_fire_time(None, after + dt.timedelta(microseconds=1))
    while moment is not None and moment <= until:
        if previous is not None and moment <= previous:
            break  # defensive: a trigger must move forward
        yield moment.astimezone(dt.UTC)
        previous = moment
        moment = trigger.get_next_fire_time(moment, moment + dt.timedelta(seconds=1))


def latest_fire_time(
    trigger: CronTrigger, now: dt.datetime, grace: dt.timedelta
) -> dt.datetime | None:
    """Return the last fire time at or before ``now`` within ``grace``, if any."""
    times = list(fire_times(trigger, now - grace, now))
    return times[-1] if times else None
