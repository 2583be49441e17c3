"""Invitations: created by the lead, single use, expiring, consumed by a POST only."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import select

from pial.auth import services


def _invite(client: Any, email: str, role: str, farm_id: int = 0, canteen_id: int = 0) -> str:
    response = client.post(
        "/invitations/nouvelle",
        data={"email": email, "role": role, "farm_id": farm_id, "canteen_id": canteen_id},
    )
    assert response.status_code == 200
    match = re.search(r"http://pial\.test(/invitation/[\w-]+)", response.get_data(as_text=True))
    assert match, response.get_data(as_text=True)
    return match.group(1)


def test_lead_invites_a_grower_who_signs_up(
    client: Any, make_user: Any, make_farm: Any, login: Any, db: Any
) -> None:
    from pial.models import Invitation, User

    farm = make_farm(name="Ferme du Pic")
    login(make_user("lead"))
    path = _invite(client, "Paul@Exemple.fr", "grower", farm_id=farm.id)
    client.post("/deconnexion")

    token = path.rsplit("/", 1)[1]
    stored = db.scalar(select(Invitation).where(Invitation.email == "paul@exemple.fr"))
    from pial.models import OutboxMessage

    mail = db.scalar(select(OutboxMessage).where(OutboxMessage.kind == "invitation"))
    assert mail.to_address == "paul@exemple.fr" and path in mail.body_text
    assert stored.token_hash == services.hash_token(token)
    assert token not in stored.token_hash

    # Looking at the link does not consume it (mail scanners follow links).
    assert client.get(path).status_code == 200
    assert client.get(path).status_code == 200

    weak = client.post(
        path, data={"display_name": "Paul", "password": "123456", "confirm": "123456"}
    )
    assert "au moins 10 caractères" in weak.get_data(as_text=True)

    done = client.post(
        path,
        data={
            "display_name": "Paul Garcia",
            "password": "des poireaux en hiver",
            "confirm": "des poireaux en hiver",
        },
    )
    assert done.status_code == 302
    user = db.scalar(select(User).where(User.email_lower == "paul@exemple.fr"))
    assert user.role == "grower" and user.farm_id == farm.id
    assert client.get("/").status_code == 200

    client.post("/deconnexion")
    again = client.get(path)
    assert again.status_code == 410
    assert "déjà été utilisé" in again.get_data(as_text=True)


def test_expired_invitation_is_refused(client: Any, make_user: Any, login: Any, db: Any) -> None:
    from pial.models import Invitation

    login(make_user("lead"))
    path = _invite(client, "vieux@exemple.fr", "lead")
    invitation = db.scalar(select(Invitation).where(Invitation.email == "vieux@exemple.fr"))
    invitation.expires_dt = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    db.commit()
    client.post("/deconnexion")
    response = client.get(path)
    assert response.status_code == 410
    assert "expiré" in response.get_data(as_text=True)


def test_unknown_token_is_refused(client: Any) -> None:
    response = client.get("/invitation/pas-un-vrai-jeton")
    assert response.status_code == 410


def test_grower_invitation_needs_a_farm(client: Any, make_user: Any, login: Any) -> None:
    login(make_user("lead"))
    response = client.post(
        "/invitations/nouvelle",
        data={"email": "x@exemple.fr", "role": "grower", "farm_id": 0, "canteen_id": 0},
    )
    assert "doit être rattaché à une ferme" in response.get_data(as_text=True)


def test_only_the_lead_invites(client: Any, make_user: Any, login: Any) -> None:
    login(make_user("grower"))
    assert client.get("/invitations/nouvelle").status_code == 403
