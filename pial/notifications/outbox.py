"""The outbox: notifications are written in the same transaction as the change they report,
then delivered by :func:`deliver_due_messages`, so an SMTP outage loses nothing.

Delivery claims each message with a conditional UPDATE before sending, so two scheduler
processes never send the same message; a failed attempt is retried with a growing delay and
shows up as failed after ``MAX_ATTEMPTS``.

The guarantee is *at least once*, honestly: between the SMTP server's « 250 OK » and the commit
that marks the message sent there is a window (one UPDATE, committed right after the send, with
nothing else in between) where a killed process leaves the message claimed but not marked; once
its claim lease ends, it is sent again. Every message carries a stable ``Message-ID`` (derived
from its outbox row, the same on every attempt and every process), so a mail server or client
that deduplicates by Message-ID shows it once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import parseaddr

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from pial import clock
from pial.db import get_session
from pial.models import OutboxMessage, OutboxStatus

# With these delays, 12 attempts span about a day and a half of SMTP outage before giving up.
MAX_ATTEMPTS = 12
CLAIM_LEASE = dt.timedelta(minutes=10)
RETRY_DELAYS = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=15),
    dt.timedelta(hours=1),
    dt.timedelta(hours=3),
    dt.timedelta(hours=6),
)


def retry_delay(attempts: int) -> dt.timedelta:
    """Return how long to wait after the ``attempts``-th failed attempt."""
    return RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]


def enqueue_email(
    *,
    to_address: str,
    subject: str,
    body_text: str,
    body_html: str | None = None,
    kind: str,
    user_id: int | None = None,
    dedup_key: str | None = None,
) -> OutboxMessage | None:
    """Add a message to the current transaction; skip it if ``dedup_key`` was already queued.

    The caller's service commits: the message exists if, and only if, its cause was saved.
    """
    session = get_session()
    if dedup_key is not None:
        exists = session.scalar(
            select(OutboxMessage.id).where(OutboxMessage.dedup_key == dedup_key)
        )
        if exists is not None:
            return None
    message = OutboxMessage(
        to_address=to_address,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        kind=kind,
        user_id=user_id,
        dedup_key=dedup_key,
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_dt=clock.now(),
    )
    try:
        # A concurrent writer may queue the same key: the savepoint keeps our transaction alive.
        with session.begin_nested():
            session.add(message)
    except IntegrityError:
        return None
    return message


@dataclass
class DeliveryReport:
    """What one delivery pass did."""

    sent: list[int] = field(default_factory=list)
    retried: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def _claim(message_id: int, now: dt.datetime) -> bool:
    """Take a message for this process; False when another process took it first."""
    session = get_session()
    claimed = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status == OutboxStatus.PENDING,
            or_(OutboxMessage.next_attempt_dt.is_(None), OutboxMessage.next_attempt_dt <= now),
        )
        .values(next_attempt_dt=now + CLAIM_LEASE, attempts=OutboxMessage.attempts + 1)
    )
    session.commit()
    return bool(getattr(claimed, "rowcount", 0) == 1)


def message_id(message: OutboxMessage, sender: str) -> str:
    """Return the Message-ID of an outbox row: the same on every attempt, unique per row."""
    address = parseaddr(sender)[1]
    domain = address.rpartition("@")[2] if "@" in address else "pial.local"
    return f"<pial-outbox-{message.id}@{domain or 'pial.local'}>"


def to_email_message(message: OutboxMessage, sender: str) -> EmailMessage:
    """Build the MIME message (text, plus HTML when present) of an outbox row."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Message-ID"] = message_id(message, sender)
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    return email


def deliver_due_messages(
    send: Callable[[EmailMessage], None], sender: str, *, limit: int = 100
) -> DeliveryReport:
    """Send the messages that are due, each at most once at a time, and record the outcome."""
    session = get_session()
    now = clock.now()
    due_ids = session.scalars(
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING,
            or_(OutboxMessage.next_attempt_dt.is_(None), OutboxMessage.next_attempt_dt <= now),
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    session.commit()
    report = DeliveryReport()
    for message_id in due_ids:
        if not _claim(message_id, now):
            continue
        message = session.get(OutboxMessage, message_id)
        assert message is not None  # claimed rows are never deleted
        try:
            send(to_email_message(message, sender))
        except Exception as error:  # any SMTP or network failure is retried later
            message.last_error = f"{type(error).__name__}: {error}"[:2000]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = OutboxStatus.FAILED
                message.next_attempt_dt = None
                report.failed.append(message.id)
            else:
                message.next_attempt_dt = now + retry_delay(message.attempts)
                report.retried.append(message.id)
        else:
            # The window of « sent but not recorded » is this one UPDATE and its commit.
            message.status = OutboxStatus.SENT
            message.sent_dt = clock.now()
            message.next_attempt_dt = None
            message.last_error = None
            report.sent.append(message.id)
        session.commit()
    return report
