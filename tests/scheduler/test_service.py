"""The APScheduler wiring: one cron job per rhythm job, a heartbeat and the mail job."""

from __future__ import annotations

from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from pial.clock import PARIS
from pial.scheduler.jobs import JOBS
from pial.scheduler.service import configure


def test_configure_registers_the_platform_rhythm_without_starting(app: Any, db: Any) -> None:
    from pial.admin.services import get_platform

    platform = get_platform()
    platform.order_deadline_weekday = 5
    db.commit()
    scheduler = BackgroundScheduler(timezone=PARIS)
    configure(scheduler, app)
    try:
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert set(jobs) == {*JOBS, "heartbeat", "mail"}
        close = jobs["close_and_allocate"]
        assert isinstance(close.trigger, CronTrigger)
        assert "day_of_week='fri'" in str(close.trigger)
        assert str(close.trigger.timezone) == "Europe/Paris"
        assert close.misfire_grace_time == 24 * 3600 and close.coalesce
        assert not scheduler.running  # configuring never starts anything
    finally:
        scheduler.remove_all_jobs()
