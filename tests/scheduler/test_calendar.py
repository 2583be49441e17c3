"""The rhythm's triggers follow the platform settings and behave across daylight-saving changes."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

from pial.models import Platform
from pial.scheduler.calendar import fire_times, job_timings, latest_fire_time

PARIS = ZoneInfo("Europe/Paris")


def _platform(**values: object) -> Platform:
    settings = {
        "territory_name": "Comminges",
        "timezone": "Europe/Paris",
        "delivery_weekdays": "1,4",
        "availability_deadline_weekday": 4,
        "availability_deadline_time": dt.time(12, 0),
        "order_deadline_weekday": 4,
        "order_deadline_time": dt.time(18, 0),
        "publish_fallback_weekday": 5,
        "publish_fallback_time": dt.time(12, 0),
    }
    settings.update(values)
    return Platform(**settings)


def _local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(PARIS)


def test_triggers_follow_the_deadlines_set_by_the_lead() -> None:
    timings = {t.job_id: t for t in job_timings(_platform())}
    monday = dt.datetime(2026, 11, 23, tzinfo=PARIS)
    week = (monday, monday + dt.timedelta(days=7))

    def local_times(job_id: str) -> list[tuple[int, str]]:
        return [(_local(t).isoweekday(), f"{_local(t):%H:%M}")
                for t in fire_times(timings[job_id].trigger, *week)]  # fmt: skip

    assert local_times("close_and_allocate") == [(4, "18:00")]
    assert local_times("remind_offers") == [(3, "09:00")]  # the day before the deadline
    assert local_times("publish_fallback") == [(5, "12:00")]
    assert local_times("open_next_week") == [(1, "06:00")]
    assert local_times("delivery_day_reminder") == [(1, "06:00"), (4, "06:00")]


def _count_per_local_day(trigger: object, start: dt.datetime, end: dt.datetime) -> Counter[dt.date]:
    return Counter(_local(t).date() for t in fire_times(trigger, start, end))  # type: ignore[arg-type]


def test_spring_forward_no_run_in_the_missing_hour_and_one_run_a_day() -> None:
    # 28 March 2027: in Paris, 02:00 jumps to 03:00. Deadlines set inside the missing hour.
    platform = _platform(order_deadline_weekday=7, order_deadline_time=dt.time(2, 30))
    timings = {t.job_id: t for t in job_timings(platform)}
    start = dt.datetime(2027, 3, 25, tzinfo=dt.UTC)
    end = dt.datetime(2027, 4, 1, tzinfo=dt.UTC)
    for timing in timings.values():
        for moment in fire_times(timing.trigger, start, end):
            local = _local(moment)
            # The wall time shown exists: converting it back gives the same instant.
            assert local.replace(tzinfo=None).replace(tzinfo=PARIS) == local
            assert not (local.date() == dt.date(2027, 3, 28) and local.hour == 2), timing.job_id
    sunday_close = [
        _local(t) for t in fire_times(timings["close_and_allocate"].trigger, start, end)
    ]
    assert [f"{t:%Y-%m-%d %H:%M}" for t in sunday_close] == ["2027-03-28 03:30"]
    backups = _count_per_local_day(timings["nightly_backup"].trigger, start, end)
    assert set(backups.values()) == {1}


def test_fall_back_the_repeated_hour_does_not_run_a_job_twice() -> None:
    # 25 October 2026: in Paris, 03:00 goes back to 02:00; 02:30 happens twice.
    platform = _platform(order_deadline_weekday=7, order_deadline_time=dt.time(2, 30))
    timings = {t.job_id: t for t in job_timings(platform)}
    start = dt.datetime(2026, 10, 22, tzinfo=dt.UTC)
    end = dt.datetime(2026, 10, 29, tzinfo=dt.UTC)
    runs = list(fire_times(timings["close_and_allocate"].trigger, start, end))
    assert len(runs) == 1 and _local(runs[0]).date() == dt.date(2026, 10, 25)
    assert set(_count_per_local_day(timings["nightly_backup"].trigger, start, end).values()) == {1}


def test_latest_fire_time_respects_the_grace() -> None:
    timing = {t.job_id: t for t in job_timings(_platform())}["close_and_allocate"]
    thursday_six_pm = dt.datetime(2026, 11, 26, 18, 0, tzinfo=PARIS)
    after = thursday_six_pm + dt.timedelta(hours=3)
    assert latest_fire_time(timing.trigger, after, dt.timedelta(hours=4)) == thursday_six_pm
    assert latest_fire_time(timing.trigger, after, dt.timedelta(hours=2)) is None
