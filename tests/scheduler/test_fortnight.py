"""A simulated fortnight of the demo territory on an injected clock.

The scheduler's heartbeat is replayed every 15 minutes from Monday 23 November 2026, with one
scheduler outage (Thursday 3 December, 05:00–18:30 in Paris) and one SMTP outage (Friday 27
November 11:00 to Saturday 28 November 10:00). Every job occurrence must run exactly once,
except those whose grace ran out during the outage, and every e-mail must arrive exactly once.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from pial.models import (
    DeliveryWeek,
    JobRun,
    JobStatus,
    OutboxMessage,
    OutboxStatus,
    WeekState,
)
from tests.conftest import SettableClock, _free_port, read_maildir, start_smtp_server

PARIS = ZoneInfo("Europe/Paris")
START = dt.datetime(2026, 11, 23, 0, 0, tzinfo=PARIS)
END = START + dt.timedelta(days=14)
STEP = dt.timedelta(minutes=15)
SCHEDULER_DOWN = (dt.datetime(2026, 12, 3, 5, 0, tzinfo=PARIS),
                  dt.datetime(2026, 12, 3, 18, 30, tzinfo=PARIS))  # fmt: skip
SMTP_DOWN = (dt.datetime(2026, 11, 27, 11, 0, tzinfo=PARIS),
             dt.datetime(2026, 11, 28, 10, 0, tzinfo=PARIS))  # fmt: skip


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(START.astimezone(dt.UTC))


@pytest.fixture
def app_config(clock: SettableClock) -> dict[str, Any]:
    return {"PIAL_CLOCK": clock}


def _during(moment: dt.datetime, window: tuple[dt.datetime, dt.datetime]) -> bool:
    return window[0] <= moment < window[1]


@pytest.mark.slow
def test_a_fortnight_runs_every_job_once_and_delivers_every_email_once(
    app: Any, db: Any, clock: SettableClock, tmp_path: Path
) -> None:
    from pial.demo import seed_demo
    from pial.notifications import deliver_outbox
    from pial.scheduler.calendar import fire_times
    from pial.scheduler.runner import current_timings, run_due_jobs

    seed_demo(weeks_back=1)
    port = _free_port()
    maildir = tmp_path / "maildir"
    app.config.update({"SMTP_HOST": "127.0.0.1", "SMTP_PORT": port})
    smtp = start_smtp_server(maildir, port)
    try:
        while clock.moment <= END:
            now = clock.moment
            smtp_should_run = not _during(now, SMTP_DOWN)
            if smtp_should_run and smtp.poll() is not None:
                smtp = start_smtp_server(maildir, port)
            if not smtp_should_run and smtp.poll() is None:
                smtp.terminate()
                smtp.wait(timeout=10)
            if not _during(now, SCHEDULER_DOWN):
                run_due_jobs(now)
                deliver_outbox()
            clock.moment = now + STEP
    finally:
        smtp.terminate()
        smtp.wait(timeout=10)

    # --- Job runs: what the schedule says, once each; lost only beyond their grace. -------
    expected: set[tuple[str, dt.datetime]] = set()
    lost: set[tuple[str, dt.datetime]] = set()
    for timing in current_timings():
        for moment in fire_times(timing.trigger, START - timing.grace, END):
            back = SCHEDULER_DOWN[1]
            if _during(moment, SCHEDULER_DOWN) and back - moment > timing.grace:
                lost.add((timing.job_id, moment))
            else:
                expected.add((timing.job_id, moment))
    runs = db.scalars(select(JobRun)).all()
    failures = [(run.job_id, run.error) for run in runs if run.status != JobStatus.SUCCEEDED]
    assert failures == []
    done = Counter((run.job_id, run.scheduled_dt) for run in runs)
    assert set(done.values()) == {1}, "a job occurrence ran twice"
    assert set(done) == expected
    # The scheduler outage cost exactly Thursday's 06:00 delivery reminder (3 h grace)...
    thursday_six = dt.datetime(2026, 12, 3, 6, 0, tzinfo=PARIS).astimezone(dt.UTC)
    assert lost == {("delivery_day_reminder", thursday_six)}
    # ...while the 18:00 close was made up when the scheduler came back at 18:30.
    close = next(
        run for run in runs
        if run.job_id == "close_and_allocate"
        and run.scheduled_dt == dt.datetime(2026, 12, 3, 18, 0, tzinfo=PARIS)
    )  # fmt: skip
    assert close.started_dt >= SCHEDULER_DOWN[1]
    assert Counter(run.job_id for run in runs)["nightly_backup"] == 14

    # --- The weeks moved through their states by themselves. -----------------------------
    states = {w.iso_week: w.state for w in db.scalars(select(DeliveryWeek))}
    assert states["2026-W48"] == WeekState.DELIVERED
    assert states["2026-W49"] == WeekState.DELIVERED
    assert states["2026-W50"] == WeekState.PUBLISHED
    # Week 51 opens on Monday 7 December at 06:00, just after the fortnight.
    assert states.get("2026-W51", WeekState.DRAFT) == WeekState.DRAFT

    # --- E-mails: every message queued was received once; none left behind. ---------------
    messages = db.scalars(select(OutboxMessage)).all()
    assert messages, "the fortnight must have produced e-mails"
    assert {m.status for m in messages} == {OutboxStatus.SENT}
    received = read_maildir(maildir)
    assert len(received) == len(messages)
    assert Counter(m["Message-ID"] for m in received).most_common(1)[0][1] == 1
    kinds = Counter(m.kind for m in messages)
    for kind in ("coordinator_review", "planning_published", "delivery_day"):
        assert kinds[kind] > 0, kind
    # The planning of week 49, published on Friday at noon during the SMTP outage, arrived
    # after the server came back, with retries recorded.
    published = [
        m for m in messages
        if m.kind == "planning_published" and ":2026-W49:" in (m.dedup_key or "")
    ]  # fmt: skip
    assert published
    assert all(m.sent_dt is not None and m.sent_dt >= SMTP_DOWN[1] for m in published)
    assert all(m.attempts > 1 for m in published)
