"""French business identifiers: the SIRET of an establishment (INSEE's 14-digit number).

A SIRET is the company's SIREN (9 digits) followed by the establishment's NIC (5 digits); its
14 digits pass the Luhn check, except La Poste's establishments (SIREN 356 000 000), whose digits
add up to a multiple of 5 instead.
"""

from __future__ import annotations

from flask_babel import gettext as _

SIRET_LENGTH = 14
LA_POSTE_SIREN = "356000000"


def luhn_sum(digits: str) -> int:
    """Return the Luhn sum of ``digits``: every second digit from the right doubled."""
    total = 0
    for position, character in enumerate(reversed(digits)):
        value = int(character)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total


def luhn_check_digit(prefix: str) -> str:
    """Return the digit that completes ``prefix`` into a Luhn-valid number."""
    return str(-luhn_sum(prefix + "0") % 10)


def siret_error(text: str) -> str | None:
    """Return a French message saying why ``text`` is not a SIRET, or None if it is one."""
    digits = text.replace(" ", "")
    if len(digits) != SIRET_LENGTH or not digits.isascii() or not digits.isdigit():
        return str(_("Un SIRET compte 14 chiffres (espaces permis) : « %(text)s » ne convient pas.",
                     text=text))
    if digits.startswith(LA_POSTE_SIREN):
        valid = sum(int(digit) for digit in digits) % 5 == 0
    else:
        valid = luhn_sum(digits) % 10 == 0
    if not valid:
        return str(_("Le SIRET « %(text)s » n'existe pas : un chiffre est faux (clé de contrôle).",
                     text=text))
    return None


def normalise_siret(text: str) -> str:
    """Return ``text`` as the 14 digits of a valid SIRET, or raise ValueError saying why not."""
    error = siret_error(text)
    if error is not None:
        raise ValueError(error)
    return text.replace(" ", "")
