"""A scheduler process killed (SIGKILL) in the middle of each kind of job (issue 20).

The demo's first week and a half is replayed on an injected clock, every 15 minutes, as the
fortnight test does. The first time each kind of job reaches its pause point (after its main
service did its work, before the job's end is recorded), the job runs instead in a separate
scheduler process, which is killed with SIGKILL right there. The replay goes on: the dead
claim's lease expires, the next heartbeat takes the run over and runs it again. In the end
every occurrence succeeded exactly once, the killed ones on their second attempt, the weeks
moved to allocated, published and delivered once each, and no e-mail was queued twice.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from pial.db import get_database, get_session
from tests.conftest import SettableClock, make_app

PARIS = ZoneInfo("Europe/Paris")
START = dt.datetime(2026, 11, 23, 0, 0, tzinfo=PARIS)
END = dt.datetime(2026, 12, 1, 12, 0, tzinfo=PARIS)
STEP = dt.timedelta(minutes=15)
LEASE_SECONDS = 60

#: Per job kind: the name the job calls in ``pial.scheduler.jobs``, and whether the pause
#: comes after that call (its work committed, or pending in the job's transaction) or before.
PAUSE_POINTS = {
    "open_next_week": ("open_week", "after"),
    "remind_offers": ("remind_missing_offers", "after"),
    "remind_orders": ("remind_missing_orders", "after"),
    "remind_coordinators": ("remind_coordinator", "after"),
    # The alert finds no week to alert about when it fires before the week closes: pause
    # after its first read instead.
    "alert_unconfirmed_coordinators": ("_weeks", "after"),
    "close_and_allocate": ("allocate_week", "after"),
    "publish_fallback": ("publish_week", "after"),
    "delivery_day_reminder": ("remind_delivery_day", "after"),
    "mark_delivered": ("accrue_week", "before"),
    "contract_alerts": ("list_contracts", "after"),
    "nightly_backup": ("backup_database", "after"),
    "overdue_invoices": ("remind_overdue_invoices", "after"),
}

WORKER = textwrap.dedent(
    """
    import datetime as dt, os, sys, time
    from pial.app import create_app
    from pial.scheduler import jobs, runner

    url, instance, job_id, scheduled, name, when, marker = sys.argv[1:8]
    moment = dt.datetime.fromisoformat(scheduled)
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": instance, "SECRET_KEY": "x",
                      "SCHEDULER_ENABLED": False, "PIAL_CLOCK": lambda: moment,
                      "PIAL_JOB_LEASE_SECONDS": LEASE_SECONDS})
    real = getattr(jobs, name)

    def pause():
        open(marker, "w").close()
        time.sleep(600)  # killed here

    def paused(*args, **kwargs):
        if when == "before":
            pause()
        result = real(*args, **kwargs)
        pause()
        return result

    setattr(jobs, name, paused)
    with app.app_context():
        outcome = runner.run_once(job_id, moment)
    print(outcome.status)
    """
).replace("LEASE_SECONDS", str(LEASE_SECONDS))


def _kill_mid_job(url: str, tmp_path: Path, job_id: str, moment: dt.datetime) -> bool:
    """Run one occurrence in a scheduler process; SIGKILL it at the pause point if reached."""
    name, when = PAUSE_POINTS[job_id]
    marker = tmp_path / f"{job_id}.paused"
    env = dict(os.environ)
    env.pop("PIAL_DATABASE_URL", None)
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, url, str(tmp_path / f"instance-{job_id}"), job_id,
         moment.isoformat(), name, when, str(marker)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 300
    while not marker.exists():
        if worker.poll() is not None:
            _out, err = worker.communicate()
            assert worker.returncode == 0, err.decode()[-3000:]
            return False  # the job had nothing to do at this fire time: it ran to its end
        assert time.monotonic() < deadline, "the worker never reached its pause point"
        time.sleep(0.05)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)
    worker.communicate()
    assert worker.returncode == -signal.SIGKILL
    return True


@pytest.mark.slow
def test_each_job_killed_mid_run_completes_once_after_restart(
    fresh_url: str, tmp_path: Path
) -> None:
    from pial.demo import seed_demo
    from pial.models import (
        AllocationRun,
        DeliveryWeek,
        JobRun,
        JobStatus,
        OutboxMessage,
        WeekState,
    )
    from pial.scheduler.runner import current_timings, due_fire_times, run_once

    clock = SettableClock(START.astimezone(dt.UTC))
    app = make_app(fresh_url, tmp_path / "instance", PIAL_CLOCK=clock,
                   PIAL_JOB_LEASE_SECONDS=LEASE_SECONDS)  # fmt: skip
    killed: dict[str, dt.datetime] = {}
    try:
        with app.app_context():
            seed_demo(weeks_back=1)
            get_session().commit()
            while clock.moment <= END:
                now = clock.moment
                pending = sorted(
                    (scheduled, timing.job_id)
                    for timing in current_timings()
                    for scheduled in due_fire_times(timing, now)
                )
                for scheduled, job_id in pending:
                    if job_id not in killed:
                        if _kill_mid_job(fresh_url, tmp_path, job_id, scheduled):
                            killed[job_id] = scheduled
                            continue  # the restarted scheduler takes it over next time
                        get_session().expire_all()
                        continue
                    run_once(job_id, scheduled)
                clock.moment = now + STEP
            get_session().expire_all()

            assert set(killed) == set(PAUSE_POINTS), "every kind of job was killed once"
            runs = get_session().scalars(select(JobRun)).all()
            failures = [(r.job_id, r.scheduled_dt, r.error) for r in runs
                        if r.status != JobStatus.SUCCEEDED]  # fmt: skip
            assert failures == []
            assert set(Counter((r.job_id, r.scheduled_dt) for r in runs).values()) == {1}
            for job_id, scheduled in killed.items():
                run = next(r for r in runs if (r.job_id, r.scheduled_dt) == (job_id, scheduled))
                assert run.attempts == 2, job_id  # killed once, taken over once

            states = {w.iso_week: w.state for w in get_session().scalars(select(DeliveryWeek))}
            assert states["2026-W48"] == WeekState.DELIVERED
            assert states["2026-W49"] == WeekState.PUBLISHED
            session = get_session()
            for iso_week in ("2026-W48", "2026-W49"):
                week = session.scalar(select(DeliveryWeek).where(DeliveryWeek.iso_week == iso_week))
                assert week is not None
                published = session.scalars(
                    select(AllocationRun.published_version).where(
                        AllocationRun.week_id == week.id,
                        AllocationRun.published_version.is_not(None),
                    )
                ).all()
                assert published == [1], iso_week  # published once, never re-published
            keys = session.scalars(
                select(OutboxMessage.dedup_key).where(OutboxMessage.dedup_key.is_not(None))
            ).all()
            assert len(keys) == len(set(keys))
            kinds = Counter(session.scalars(select(OutboxMessage.kind)).all())
            assert kinds["coordinator_review"] >= 1 and kinds["planning_published"] >= 1
    finally:
        get_database(app).engine.dispose()

