"""The outbox delivers through a real SMTP server, retries through an outage, never doubles."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from pial.models import OutboxMessage, OutboxStatus
from pial.notifications import deliver_outbox
from pial.notifications.outbox import MAX_ATTEMPTS, enqueue_email
from tests.conftest import SettableClock, SmtpServer, read_maildir

START = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)


def _queue(db: Any, key: str = "k1", to: str = "anne@exemple.fr") -> None:
    enqueue_email(
        to_address=to,
        subject="Planning publié : semaine 48",
        body_text="Bonjour Anne,\nvoici votre liste de récolte.",
        body_html="<p>Bonjour Anne,</p>",
        kind="planning_published",
        dedup_key=key,
    )
    db.commit()


def test_a_queued_message_reaches_the_smtp_server(
    app: Any, db: Any, smtp_server: SmtpServer
) -> None:
    _queue(db)
    report = deliver_outbox()
    assert len(report.sent) == 1
    received = smtp_server.messages()
    assert len(received) == 1
    assert received[0]["To"] == "anne@exemple.fr"
    assert received[0]["Subject"] == "Planning publié : semaine 48"
    assert received[0].is_multipart()
    message = db.scalar(select(OutboxMessage))
    assert message.status == OutboxStatus.SENT and message.sent_dt is not None


def test_the_same_notice_is_queued_once(app: Any, db: Any) -> None:
    _queue(db, key="published:2026-W48:v1:u7")
    _queue(db, key="published:2026-W48:v1:u7")
    assert db.scalar(select(func.count(OutboxMessage.id))) == 1


def test_an_outage_delays_but_loses_nothing(app: Any, db: Any, tmp_path: Any) -> None:
    from tests.conftest import _free_port, start_smtp_server

    clock = SettableClock(START)
    app.config["PIAL_CLOCK"] = clock
    port = _free_port()
    app.config.update({"SMTP_HOST": "127.0.0.1", "SMTP_PORT": port})
    _queue(db, key="a")
    _queue(db, key="b", to="paul@exemple.fr")

    # Nobody listens on the port: both attempts fail and are scheduled again.
    report = deliver_outbox()
    assert sorted(report.retried) == sorted(m.id for m in db.scalars(select(OutboxMessage)))
    db.expire_all()
    pending = db.scalars(select(OutboxMessage)).all()
    assert all(m.status == OutboxStatus.PENDING and m.attempts == 1 for m in pending)
    assert all("Connection refused" in (m.last_error or "") or m.last_error for m in pending)

    # Too early for the retry: nothing is attempted.
    clock.moment = START + dt.timedelta(seconds=30)
    assert deliver_outbox().retried == []

    process = start_smtp_server(tmp_path / "maildir", port)
    try:
        clock.moment = START + dt.timedelta(minutes=2)
        report = deliver_outbox()
        assert len(report.sent) == 2
        # A second pass finds nothing more to send: no doubles.
        assert deliver_outbox().sent == []
    finally:
        process.terminate()
        process.wait(timeout=10)
    received = read_maildir(tmp_path / "maildir")
    assert sorted(message["To"] for message in received) == ["anne@exemple.fr", "paul@exemple.fr"]


def test_a_message_fails_for_good_after_the_last_attempt(app: Any, db: Any) -> None:
    from tests.conftest import _free_port

    clock = SettableClock(START)
    app.config["PIAL_CLOCK"] = clock
    app.config.update({"SMTP_HOST": "127.0.0.1", "SMTP_PORT": _free_port()})
    _queue(db)
    for _attempt in range(MAX_ATTEMPTS):
        deliver_outbox()
        clock.moment += dt.timedelta(hours=7)
    db.expire_all()
    message = db.scalar(select(OutboxMessage))
    assert message.status == OutboxStatus.FAILED
    assert message.attempts == MAX_ATTEMPTS
    assert message.last_error
