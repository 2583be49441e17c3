"""At least once, with a stable Message-ID: a process killed between the SMTP server's 250 and
its commit sends the message again after its claim lease, under the same Message-ID (issue 20).
"""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from typing import Any

import pytest
from flask import current_app
from sqlalchemy import select

from pial.models import OutboxMessage, OutboxStatus
from pial.notifications import deliver_outbox
from pial.notifications.mailer import SmtpSettings, smtp_sender
from pial.notifications.outbox import CLAIM_LEASE, deliver_due_messages, enqueue_email
from tests.conftest import SettableClock, SmtpServer

START = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)


class ProcessKilled(BaseException):
    """Stands for SIGKILL: no ``except Exception`` catches it, nothing after it runs."""


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(START)


@pytest.fixture
def app_config(clock: SettableClock) -> dict[str, Any]:
    return {"PIAL_CLOCK": clock, "MAIL_FROM": "PIAL Comminges <pial@comminges.example>"}


def test_a_message_resent_after_a_kill_keeps_its_message_id(
    app: Any, db: Any, smtp_server: SmtpServer, clock: SettableClock
) -> None:
    for key in ("first", "second"):
        enqueue_email(to_address="anne@exemple.fr", subject=f"Planning {key}",
                      body_text="Bonjour", kind="planning_published", dedup_key=key)  # fmt: skip
    db.commit()
    settings = SmtpSettings.from_config(current_app.config)
    real_send = smtp_sender(settings)

    def send_then_die(message: EmailMessage) -> None:
        real_send(message)  # the server said 250 OK…
        raise ProcessKilled  # …and the process dies before recording it

    with pytest.raises(ProcessKilled):
        deliver_due_messages(send_then_die, settings.sender)
    db.rollback()
    first = db.scalar(select(OutboxMessage).where(OutboxMessage.dedup_key == "first"))
    assert first.status == OutboxStatus.PENDING and first.attempts == 1  # claimed, not marked

    clock.moment = START + dt.timedelta(minutes=1)
    assert deliver_outbox().sent == [db.scalar(
        select(OutboxMessage.id).where(OutboxMessage.dedup_key == "second"))]  # fmt: skip
    clock.moment = START + CLAIM_LEASE + dt.timedelta(minutes=1)  # the dead claim's lease ends
    assert deliver_outbox().sent == [first.id]

    received = smtp_server.messages()
    by_subject: dict[str, list[str]] = {}
    for message in received:
        by_subject.setdefault(message["Subject"], []).append(message["Message-ID"])
    assert len(by_subject["Planning first"]) == 2  # at least once: sent twice…
    assert len(set(by_subject["Planning first"])) == 1  # …under one Message-ID
    assert by_subject["Planning first"][0] == f"<pial-outbox-{first.id}@comminges.example>"
    assert by_subject["Planning second"][0] != by_subject["Planning first"][0]
