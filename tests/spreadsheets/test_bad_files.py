"""A corpus of hostile or broken uploads, built here in tmp_path: each is refused clearly.

Every case goes through the full import service as a grower and checks that the farm's offer
is left exactly as it was.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy.orm import Session

from pial.errors import InvalidInput
from pial.spreadsheets import services
from pial.spreadsheets.entry import AVAILABILITY, HEADER_ROW
from pial.spreadsheets.reading import UploadLimits, UploadRefused, check_container
from pial.weeks.offers import AvailabilityInput, save_availability
from tests.spreadsheets.conftest import World
from tests.spreadsheets.test_imports import OPEN_WEEK, fill, offer, open_world, template, to_bytes

__all__ = ["open_world"]  # the fixture, re-exported for this module


def _zip(path: Path, entries: dict[str, bytes]) -> bytes:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path.read_bytes()


def _valid_template(world: World) -> Any:
    workbook = template(world, AVAILABILITY, world.farms["pradet"].id, world.coordinator)
    fill(workbook["Disponibilités"], [("Carotte (kg)", None, 10, None)])
    return workbook


def _replace_part(content: bytes, name: str, data: bytes, path: Path) -> bytes:
    """Return ``content`` (an xlsx) with the part ``name`` replaced by ``data``."""
    with zipfile.ZipFile(io.BytesIO(content)) as source:
        parts = {info.filename: source.read(info.filename) for info in source.infolist()}
    parts[name] = data
    return _zip(path, parts)


def not_xlsx(world: World, tmp_path: Path) -> bytes:
    return "Produit;Quantité\nCarotte;10\n".encode()


def truncated(world: World, tmp_path: Path) -> bytes:
    content = to_bytes(_valid_template(world))
    return content[: len(content) // 2]


def total_size_bomb(world: World, tmp_path: Path) -> bytes:
    # 60 MB of zeros squeezed into about 60 KB.
    return _zip(tmp_path / "bomb.xlsx", {
        "[Content_Types].xml": b"<Types/>",
        "xl/workbook.xml": b"<workbook/>",
        "xl/worksheets/sheet1.xml": b"\0" * (60 * 1024 * 1024),
    })  # fmt: skip


def ratio_bomb(world: World, tmp_path: Path) -> bytes:
    return _zip(tmp_path / "ratio.xlsx", {
        "[Content_Types].xml": b"<Types/>",
        "xl/workbook.xml": b"<workbook/>",
        "xl/sharedStrings.xml": b" " * (8 * 1024 * 1024),
    })  # fmt: skip


def many_entries(world: World, tmp_path: Path) -> bytes:
    return _zip(tmp_path / "many.xlsx", {f"xl/media/image{n}.png": b"x" for n in range(500)})


def entity_bomb(world: World, tmp_path: Path) -> bytes:
    """Return the template with a « billion laughs » entity declaration in xl/workbook.xml."""
    content = to_bytes(_valid_template(world))
    with zipfile.ZipFile(io.BytesIO(content)) as source:
        workbook_xml = source.read("xl/workbook.xml")
    declaration_end = workbook_xml.index(b"?>") + 2 if workbook_xml.startswith(b"<?xml") else 0
    laughs = (
        b'<!DOCTYPE workbook [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    )
    bombed = workbook_xml[:declaration_end] + laughs + workbook_xml[declaration_end:]
    return _replace_part(content, "xl/workbook.xml", bombed, tmp_path / "lol.xlsx")


def formulas(world: World, tmp_path: Path) -> bytes:
    workbook = _valid_template(world)
    workbook["Disponibilités"].cell(row=HEADER_ROW + 1, column=3, value="=SUM(1,2)")
    workbook["Disponibilités"].cell(row=HEADER_ROW + 1, column=4, value='=HYPERLINK("x")')
    return to_bytes(workbook)


def wrong_columns(world: World, tmp_path: Path) -> bytes:
    workbook = _valid_template(world)
    workbook["Disponibilités"].cell(row=HEADER_ROW, column=3, value="Qté")
    return to_bytes(workbook)


def foreign_workbook(world: World, tmp_path: Path) -> bytes:
    workbook = Workbook()
    fill(workbook.active, [("Produit", "Jour", "Quantité", "Note"), ("Carotte", None, 3, None)])
    return to_bytes(workbook)


def huge(world: World, tmp_path: Path) -> bytes:
    return os.urandom(UploadLimits().max_bytes + 1)


def too_many_rows(world: World, tmp_path: Path) -> bytes:
    workbook = _valid_template(world)
    sheet = workbook["Disponibilités"]
    for row in range(HEADER_ROW + 1, HEADER_ROW + 2 + UploadLimits().max_rows):
        sheet.cell(row=row, column=1, value="Carotte (kg)")
        sheet.cell(row=row, column=3, value=1)
    return to_bytes(workbook)


def far_away_row(world: World, tmp_path: Path) -> bytes:
    workbook = _valid_template(world)
    workbook["Disponibilités"].cell(row=UploadLimits().max_sheet_row + 5, column=1, value="x")
    return to_bytes(workbook)


CORPUS: list[tuple[Callable[[World, Path], bytes], str]] = [
    (not_xlsx, "n'est pas un classeur Excel (.xlsx)"),
    (truncated, "n'est pas un classeur Excel (.xlsx)"),
    (total_size_bomb, "se décompresse en 60 Mo, au-delà de la limite de 40 Mo"),
    (ratio_bomb, "signe d'une « bombe zip »"),
    (many_entries, "contient 500 parties"),
    (entity_bomb, "constructions XML interdites (entités, DTD)"),
    (formulas, "ligne 6, colonne C (Quantité) : cette cellule contient une formule"),
    (wrong_columns, "colonnes inattendues ; attendues, dans l'ordre : Produit, Jour, Quantité"),
    (foreign_workbook, "ne vient pas d'un modèle PIAL"),
    (huge, "au-delà de la limite de 2048 Ko"),
    (too_many_rows, "plus de 2000 lignes remplies"),
    (far_away_row, "données au-delà de la ligne 20000"),
]


@pytest.mark.parametrize(("make_file", "message"), CORPUS, ids=[f.__name__ for f, _ in CORPUS])
def test_bad_file_is_refused_and_nothing_written(
    db: Session, open_world: World, tmp_path: Path, make_file: Any, message: str
) -> None:
    world = open_world
    save_availability(
        world.coordinator, world.farms["pradet"].id, OPEN_WEEK,
        [AvailabilityInput(world.products["poireau"].id, Decimal("8"))],
    )  # fmt: skip
    before = offer(db, world)
    content = make_file(world, tmp_path)
    with pytest.raises(InvalidInput) as caught:
        services.import_entry_file(content, world.coordinator)
    text = str(caught.value) + " ".join(
        message for items in caught.value.field_errors.values() for message in items
    )
    assert message in text
    assert "rien n'a été enregistré" in str(caught.value)
    assert offer(db, world) == before == {("poireau", None, Decimal("8.000"))}


def test_openpyxl_parses_through_defusedxml(tmp_path: Path, db: Session, open_world: World) -> None:
    from defusedxml import EntitiesForbidden

    assert openpyxl.xml.DEFUSEDXML is True
    assert openpyxl.xml.LXML is False  # lxml (a factur-x dependency) would bypass defusedxml
    content = entity_bomb(open_world, tmp_path)
    # The raw library refuses the entities itself: the container checks are not what stop it.
    check_container(content, UploadLimits())
    with pytest.raises(ValueError) as caught:
        load_workbook(io.BytesIO(content), read_only=True)
    assert isinstance(caught.value.__cause__, EntitiesForbidden)


def test_zip_bomb_is_refused_before_anything_is_inflated(
    tmp_path: Path, db: Session, open_world: World, monkeypatch: Any
) -> None:
    content = total_size_bomb(open_world, tmp_path)
    opened: list[str] = []
    real_open = zipfile.ZipFile.open

    def spying_open(self: Any, name: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(str(name))
        return real_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", spying_open)
    with pytest.raises(UploadRefused):
        check_container(content, UploadLimits())
    assert opened == []


def test_malformed_xml_is_one_french_message_without_the_parser_name(
    db: Session, open_world: World, tmp_path: Path
) -> None:
    """A workbook whose XML does not parse (ParseError inside): a plain French refusal."""
    content = to_bytes(_valid_template(open_world))
    broken = _replace_part(
        content, "xl/workbook.xml", b"<?xml version='1.0'?><workbook><sheets>", tmp_path / "x.xlsx"
    )
    with pytest.raises(InvalidInput) as caught:
        services.import_entry_file(broken, open_world.coordinator)
    messages = [message for items in caught.value.field_errors.values() for message in items]
    text = str(caught.value) + " ".join(messages)
    assert "le classeur est illisible ou endommagé : enregistrez-le à nouveau" in text
    assert "ParseError" not in text and "(" not in " ".join(messages)
