"""Legal identities: SIRETs checked with their key, farms' certificates valid over a period."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from pial.identifiers import luhn_check_digit, normalise_siret, siret_error


@pytest.fixture
def lead(make_user: Any, login: Any) -> Any:
    user = make_user("lead")
    login(user)
    return user


@pytest.mark.parametrize(
    "text",
    ["81470312000018", "814 703 120 00018", "35600000000047"],  # the last: La Poste's rule
)
def test_well_formed_sirets_are_accepted(text: str) -> None:
    assert siret_error(text) is None
    assert normalise_siret(text) == text.replace(" ", "")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("8147031200001", "14 chiffres"),  # 13 digits
        ("8147031200001A", "14 chiffres"),
        ("８１４７０３１２０００１８", "14 chiffres"),  # full-width digits are not ASCII
        ("81470312000019", "clé de contrôle"),  # last digit changed
        ("81470312000081", "clé de contrôle"),  # two digits swapped
        ("35600000000049", "clé de contrôle"),
    ],
)
def test_malformed_sirets_are_refused_in_french(text: str, words: str) -> None:
    message = siret_error(text)
    assert message is not None and words in message and text in message
    with pytest.raises(ValueError, match=words):
        normalise_siret(text)


def test_the_check_digit_completes_a_number() -> None:
    assert luhn_check_digit("7992739871") == "3"  # the textbook Luhn example
    assert siret_error("8147031200001" + luhn_check_digit("8147031200001")) is None


def _farm_form(farm: Any, **changes: str) -> dict[str, str]:
    form = {
        "name": farm.name,
        "commune": farm.commune,
        "lat": "42,78",
        "lon": "0,60",
        "address": "",
        "siret": "",
        "target_share": "",
        "contact_phone": "",
        "contact_email": "",
        "is_active": "y",
        "version_id": str(farm.version_id),
    }
    form.update(changes)
    return form


def test_a_wrong_siret_is_refused_naming_the_field_and_nothing_is_saved(
    client: Any, lead: Any, make_farm: Any, db: Any
) -> None:
    farm = make_farm(name="Ferme du Pic")
    version = farm.version_id

    page = client.post(
        f"/admin/fermes/{farm.id}",
        data=_farm_form(farm, name="Ferme du Pic renommée", siret="81470312000019"),
    )

    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "clé de contrôle" in text and 'id="siret-errors"' in text
    db.expire_all()
    assert farm.name == "Ferme du Pic" and farm.siret is None and farm.version_id == version


def test_a_siret_typed_with_spaces_is_stored_as_fourteen_digits(
    client: Any, lead: Any, make_farm: Any, make_canteen: Any, db: Any
) -> None:
    farm = make_farm(name="Ferme du Pic")
    response = client.post(
        f"/admin/fermes/{farm.id}",
        data=_farm_form(farm, siret="814 703 120 00018", address="Chemin du Pic, 31110 Luchon"),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    db.expire_all()
    assert farm.siret == "81470312000018" and farm.address == "Chemin du Pic, 31110 Luchon"


def test_a_canteen_and_the_group_get_their_siret_checked_too(
    client: Any, lead: Any, make_canteen: Any, db: Any
) -> None:
    from pial.admin import services
    from pial.errors import InvalidInput
    from pial.models import Platform

    canteen = make_canteen(name="École de Juzet")
    with pytest.raises(InvalidInput) as refused:
        services.save_canteen(lead, canteen.id, {"siret": "2131"}, canteen.version_id)
    assert refused.value.field_errors["siret"] == [str(refused.value)]
    platform = services.get_platform()
    with pytest.raises(InvalidInput):
        services.update_platform(lead, {"siret": "91234501400018"}, platform.version_id)
    services.update_platform(
        lead, {"siret": "912 345 014 00019", "legal_name": "SCIC"}, platform.version_id
    )
    db.expire_all()
    assert db.scalar(select(Platform)).siret == "91234501400019"
    assert canteen.siret is None


def test_a_certificate_grants_its_label_only_within_its_period(
    client: Any, lead: Any, make_farm: Any, db: Any
) -> None:
    farm = make_farm(name="Ferme du Pic")
    added = client.post(
        f"/admin/fermes/{farm.id}/certificats",
        data={"label": "BIO", "body": "Ecocert France", "number": "FR-BIO-01-31-2020-0001",
              "valid_from": "2026-01-01", "valid_until": "2026-11-15"},
    )
    assert added.status_code == 302, added.get_data(as_text=True)
    db.expire_all()

    assert farm.labels_on(dt.date(2026, 11, 15)) == {"BIO"}
    assert farm.labels_on(dt.date(2026, 11, 16)) == set()  # lapsed mid-month
    assert farm.labels_on(dt.date(2025, 12, 31)) == set()
    page = client.get(f"/admin/fermes/{farm.id}").get_data(as_text=True)
    assert "FR-BIO-01-31-2020-0001" in page and "Ecocert France" in page


def test_a_farm_in_conversion_is_not_organic(make_farm: Any, db: Any) -> None:
    from pial.models import CertificationLabel, FarmCertificate

    farm = make_farm(name="Ferme en conversion")
    farm.certificates.append(
        FarmCertificate(label=CertificationLabel.BIO, body="Ecocert", number="C2",
                        valid_from=dt.date(2025, 6, 1), in_conversion=True)
    )
    db.flush()
    assert farm.labels_on(dt.date(2026, 6, 1)) == set()


def test_a_certificate_ending_before_it_starts_is_refused_and_not_added(
    client: Any, lead: Any, make_farm: Any, db: Any
) -> None:
    farm = make_farm(name="Ferme du Pic")
    page = client.post(
        f"/admin/fermes/{farm.id}/certificats",
        data={"label": "BIO", "body": "Ecocert", "number": "X", "valid_from": "2026-05-01",
              "valid_until": "2026-04-30"},
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "précède son début" in text
    assert 'id="valid_until-errors"' in text
    db.expire_all()
    assert farm.certificates == []


def test_a_certificate_can_be_deleted(client: Any, lead: Any, make_farm: Any, db: Any) -> None:
    from pial.models import CertificationLabel, FarmCertificate

    farm = make_farm(name="Ferme du Pic")
    certificate = FarmCertificate(label=CertificationLabel.HVE, body="Bureau Veritas",
                                  number="HVE-1", valid_from=dt.date(2026, 1, 1))
    farm.certificates.append(certificate)
    db.commit()

    response = client.post(f"/admin/fermes/{farm.id}/certificats/{certificate.id}/suppression")

    assert response.status_code == 302
    db.expire_all()
    assert farm.certificates == []


def test_the_demo_gives_every_farm_canteen_and_the_group_a_valid_siret(db: Any) -> None:
    from pial.demo import seed_demo
    from pial.models import Canteen, Farm, Platform

    seed_demo(weeks_back=0)

    parties = [*db.scalars(select(Farm)), *db.scalars(select(Canteen)), db.scalar(select(Platform))]
    assert len(parties) == 6 + 7 + 1
    for party in parties:
        assert party.siret and siret_error(party.siret) is None, party
    today = dt.date.today()
    assert all(farm.labels_on(today) == {"BIO"} for farm in db.scalars(select(Farm)))
