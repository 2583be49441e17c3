"""French-first internationalisation: locale choice and French formats for templates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import get_decimal_symbol, get_group_symbol, get_minus_sign_symbol
from flask import Flask, current_app, request
from flask_babel import Babel, get_locale, gettext
from flask_login import current_user

from pial.clock import PARIS, monday_of
from pial.config import PACKAGE_ROOT
from pial.units import unit_names

_T = TypeVar("_T")

MONTH_ABBREVIATIONS_FR = (
    "janv.", "févr.", "mars", "avr.", "mai", "juin",
    "juil.", "août", "sept.", "oct.", "nov.", "déc.",
)  # fmt: skip


def select_locale() -> str:
    """Choose the user's saved language, then the browser's, then French."""
    locales = current_app.config["PIAL_LOCALES"]
    if getattr(current_user, "is_authenticated", False) and current_user.locale in locales:
        return str(current_user.locale)
    best = request.accept_languages.best_match(locales) if request else None
    return best or current_app.config["BABEL_DEFAULT_LOCALE"]


def format_number(value: float | Decimal | int | None, digits: int = 2) -> str:
    """Format a number the French way (1 234,5) in the current locale."""
    if value is None:
        return ""
    return _format_decimal(value, digits, keep_zeros=False)


def format_money(value: float | Decimal | None) -> str:
    """Format an amount in euros with two decimals (1 234,50 €)."""
    if value is None:
        return ""
    return f"{_format_decimal(value, 2, keep_zeros=True)}\u00a0€"


def _format_decimal(value: float | Decimal | int, digits: int, *, keep_zeros: bool) -> str:
    """Format like Babel's ``#,##0.##`` (or ``.00``) patterns, without parsing them each time.

    Pages format hundreds of numbers; Babel re-parses the pattern and looks the symbols up on
    every call. Same rounding as Babel (the decimal written by ``str``, half to even).
    """
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    rounded = number.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_EVEN)
    text = f"{abs(rounded):,.{digits}f}"
    whole, _, fraction = text.partition(".")
    if not keep_zeros:
        fraction = fraction.rstrip("0")
    group, decimal, minus = _number_symbols(str(get_locale() or "fr"))
    formatted = whole.replace(",", group) + (decimal + fraction if fraction else "")
    return minus + formatted if rounded < 0 else formatted


@lru_cache(maxsize=16)
def _number_symbols(locale: str) -> tuple[str, str, str]:
    """Return the group separator, decimal mark and minus sign of ``locale``."""
    return (
        get_group_symbol(locale=locale),
        get_decimal_symbol(locale=locale),
        get_minus_sign_symbol(locale=locale),
    )


def format_day(value: dt.date | None, pattern: str = "EEEE d MMMM") -> str:
    """Format a date in the current locale (lundi 23 novembre)."""
    if value is None:
        return ""
    return format_date(value, format=pattern, locale=str(get_locale() or "fr"))


def format_paris_datetime(value: dt.datetime | None) -> str:
    """Format an instant on the Paris wall clock (jeudi 26 novembre à 12:00)."""
    if value is None:
        return ""
    local = value.astimezone(PARIS)
    day = format_date(local.date(), format="EEEE d MMMM", locale=str(get_locale() or "fr"))
    joiner = "à" if str(get_locale() or "fr").startswith("fr") else "at"
    return f"{day} {joiner} {local:%H:%M}"


def format_iso_week(iso_week: str) -> str:
    """Show ``2026-W48`` as ``semaine 48 (23–29 nov.)``."""
    monday = monday_of(iso_week)
    week_text = iso_week.split("-W")[1]
    sunday = monday + dt.timedelta(days=6)
    locale = str(get_locale() or "fr")
    if locale.startswith("fr"):
        end = f"{sunday.day} {MONTH_ABBREVIATIONS_FR[sunday.month - 1]}"
        start = (
            str(monday.day)
            if monday.month == sunday.month
            else f"{monday.day} {MONTH_ABBREVIATIONS_FR[monday.month - 1]}"
        )
        return f"semaine {int(week_text)} ({start}–{end})"
    start_en = format_date(monday, format="d MMM", locale=locale)
    end_en = format_date(sunday, format="d MMM", locale=locale)
    return f"week {int(week_text)} ({start_en}–{end_en})"


@lru_cache(maxsize=1)
def _collator() -> Any:
    """Return the Unicode Collation Algorithm's collator (its table is read once)."""
    from pyuca import Collator

    return Collator()


def collation_key(text: str | None) -> tuple[int, ...]:
    """Return the key sorting ``text`` as a French reader expects: « Céleri » before « Courge ».

    The Unicode Collation Algorithm (pyuca, DUCET table) compares letters first, then accents,
    then case, so « Échalote » sorts among the E's instead of after the Z's.
    """
    key: tuple[int, ...] = _collator().sort_key(text or "")
    return key


def sorted_by_name(items: Iterable[_T], name: Callable[[_T], str | None]) -> list[_T]:
    """Return ``items`` sorted by ``name(item)`` in French collation order."""
    return sorted(items, key=lambda item: collation_key(name(item)))


TRANSLATIONS_SOURCE = PACKAGE_ROOT / "translations"


def unit_label(unit_or_product: object, quantity: Decimal | None = None) -> str:
    """Return a unit (or a product's) in the user's language, plural as that language wants it.

    French keeps the singular below two (« 1,5 pièce »), English only for exactly one.
    """
    unit = getattr(unit_or_product, "unit", unit_or_product)
    singular, plural = unit_names(unit)
    if quantity is None:
        return str(gettext(singular))
    french = str(get_locale() or "fr").startswith("fr")
    return str(gettext(plural if (quantity >= 2 if french else quantity != 1) else singular))


def compile_translations(source: Path, target: Path) -> Path:
    """Compile every ``.po`` catalogue under ``source`` into ``.mo`` files under ``target``.

    Only the ``.po`` sources are kept in git; the binary catalogues are rebuilt into the
    instance folder whenever a source is newer than its compiled file.
    """
    for po_path in source.glob("*/LC_MESSAGES/*.po"):
        mo_path = target / po_path.relative_to(source).with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        temporary = mo_path.with_suffix(".tmp")
        with temporary.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        temporary.replace(mo_path)
    return target


def init_app(app: Flask) -> None:
    """Install Flask-Babel (catalogues compiled into the instance) and the French filters."""
    if "BABEL_TRANSLATION_DIRECTORIES" not in app.config:
        compiled = compile_translations(
            TRANSLATIONS_SOURCE, Path(app.instance_path) / "translations"
        )
        app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(compiled)
    Babel(app, locale_selector=select_locale)
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.filters["money"] = format_money
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.filters["iso_week"] = format_iso_week
    app.jinja_env.filters["paris_datetime"] = format_paris_datetime
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["unit_label"] = unit_label
