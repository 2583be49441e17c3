"""Sending one e-mail through the configured SMTP server."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

SMTP_TIMEOUT_S = 20


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """Where and how to send mail: ``tls`` is ``none``, ``starttls`` or ``ssl``."""

    host: str
    port: int
    tls: str = "none"
    username: str | None = None
    password: str | None = None
    sender: str = "PIAL <pial@localhost>"

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SmtpSettings:
        """Read the ``SMTP_*`` and ``MAIL_FROM`` settings of the app."""
        return cls(
            host=config["SMTP_HOST"],
            port=int(config["SMTP_PORT"]),
            tls=str(config.get("SMTP_TLS") or "none").lower(),
            username=config.get("SMTP_USERNAME"),
            password=config.get("SMTP_PASSWORD"),
            sender=config["MAIL_FROM"],
        )


def smtp_sender(settings: SmtpSettings) -> Callable[[EmailMessage], None]:
    """Return a function sending one message through the SMTP server of ``settings``."""

    def send(message: EmailMessage) -> None:
        if settings.tls == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=SMTP_TIMEOUT_S,
                context=ssl.create_default_context(),
            )  # fmt: skip
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=SMTP_TIMEOUT_S)
        with client:
            if settings.tls == "starttls":
                client.starttls(context=ssl.create_default_context())
            if settings.username:
                client.login(settings.username, settings.password or "")
            client.send_message(message)

    return send
