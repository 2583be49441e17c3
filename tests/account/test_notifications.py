"""Each person chooses which e-mails they receive."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select


def test_a_grower_turns_reminders_off_and_keeps_the_planning(
    client: Any, make_user: Any, login: Any, db: Any
) -> None:
    from pial.models import AuditLog

    grower = make_user("grower")
    login(grower)
    page = client.get("/compte/courriels")
    assert page.status_code == 200
    assert 'name="email_reminders"' in page.get_data(as_text=True)
    response = client.post("/compte/courriels", data={"email_planning": "y", "email_alerts": "y"})
    assert response.status_code == 302
    db.expire_all()
    assert (grower.email_reminders, grower.email_planning, grower.email_alerts) == (
        False,
        True,
        True,
    )
    audit = db.scalar(select(AuditLog).where(AuditLog.action == "account.notifications"))
    assert audit is not None and audit.actor_id == grower.id


def test_preferences_need_a_sign_in(client: Any) -> None:
    assert client.get("/compte/courriels").status_code == 302


def test_the_system_has_no_account_to_set(db: Any) -> None:
    from pial.account.services import set_locale, set_notification_preferences
    from pial.errors import NotFound

    with pytest.raises(NotFound, match="Compte introuvable"):
        set_notification_preferences(None, {"email_alerts": True})
    with pytest.raises(NotFound, match="Compte introuvable"):
        set_locale(None, "en")
