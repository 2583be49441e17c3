"""Form fields that read numbers the way French users type them (« 12,5 », « 1 200 »)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel.speaklater import LazyString
from wtforms import DecimalField, FloatField
from wtforms.fields.choices import SelectChoice


def normalise_number_text(text: str) -> str:
    """Turn « 1 234,5 » into « 1234.5 » (spaces, non-breaking spaces, decimal comma)."""
    for space in (" ", "\u00a0", "\u202f"):
        text = text.replace(space, "")
    return text.replace(",", ".")


class FrenchDecimalField(DecimalField):
    """A decimal field accepting a decimal comma and thousands spaces."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Normalise the submitted text before WTForms parses it."""
        super().process_formdata([normalise_number_text(str(v)) for v in valuelist])


class FrenchFloatField(FloatField):
    """A float field accepting a decimal comma and thousands spaces."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Normalise the submitted text before WTForms parses it."""
        super().process_formdata([normalise_number_text(str(v)) for v in valuelist])


def choices(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """Turn ``(value, label)`` pairs into the choice objects WTForms 3.3+ expects.

    A lazy label (``lazy_gettext``) stays lazy, so that choices built when a module loads
    are shown in the language of the request that renders them.
    """
    return [SelectChoice(str(value), label if isinstance(label, LazyString) else str(label))
            for value, label in pairs]
