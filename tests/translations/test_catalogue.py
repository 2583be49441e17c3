"""The English catalogue is complete and keeps every placeholder of the French source."""

from __future__ import annotations

import re
from collections import Counter

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from pial.i18n import TRANSLATIONS_SOURCE

ENGLISH_PO = TRANSLATIONS_SOURCE / "en" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%(?:\([a-zA-Z_]\w*\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]")


def _catalogue() -> Catalog:
    with ENGLISH_PO.open("rb") as handle:
        return read_po(handle, locale="en")


def _messages() -> list[Message]:
    return [message for message in _catalogue() if message.id]


def _placeholders(text: str) -> Counter[str]:
    return Counter(PLACEHOLDER.findall(text))


def _pairs(message: Message) -> list[tuple[str, str]]:
    """Pair each translation with the French text it translates (plural: the plural form)."""
    if isinstance(message.id, str):
        return [(message.id, str(message.string))]
    singular, plural = message.id
    strings = tuple(message.string or ())
    return [(singular, strings[0])] + [(plural, text) for text in strings[1:]]


def test_the_catalogue_holds_the_interface() -> None:
    ids = {message.id if isinstance(message.id, str) else message.id[0] for message in _messages()}
    assert len(ids) > 500
    assert {"Accueil", "Enregistrer mon offre", "Langue de l'interface"} <= ids


def test_every_message_has_an_english_translation() -> None:
    untranslated = [
        message.id
        for message in _messages()
        if not all(text.strip() for _french, text in _pairs(message)) or message.fuzzy
    ]
    assert untranslated == []


def test_placeholders_match_between_french_and_english() -> None:
    mismatched = [
        (french, english)
        for message in _messages()
        for french, english in _pairs(message)
        if _placeholders(french) != _placeholders(english)
        # A plural singular may say "one" instead of %(num)d; nothing else may differ.
        and not (isinstance(message.id, tuple) and french == message.id[0]
                 and _placeholders(french) - _placeholders(english) <= Counter({"%(num)d": 1}))
    ]
    assert mismatched == []


def test_the_placeholder_check_catches_a_dropped_name() -> None:
    assert _placeholders("Semaine %(n)s ouverte, 5 %%") != _placeholders("Week open, 5 %%")
