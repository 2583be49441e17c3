"""Which fee and fund rates are in force on a day, for the platform or for one contract."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from pial.models import FeeKind, FeeRate, find_platform

DEFAULT_RATES = {FeeKind.FEE: Decimal("0.0500"), FeeKind.FUND: Decimal("0.0100")}
"""Rates used when neither a FeeRate row nor the platform row exists (the column defaults)."""


def _latest_rate(
    session: Session, kind: FeeKind, day: dt.date, contract_id: int | None
) -> Decimal | None:
    """Return the rate of the row with the latest ``valid_from`` ≤ ``day``, if any."""
    owner = FeeRate.contract_id.is_(None) if contract_id is None else (
        FeeRate.contract_id == contract_id
    )
    rate: Decimal | None = session.scalar(
        select(FeeRate.rate)
        .where(FeeRate.kind == kind, owner, FeeRate.valid_from <= day)
        .order_by(FeeRate.valid_from.desc())
        .limit(1)
    )
    return rate


def rate_in_force(
    session: Session, kind: FeeKind, day: dt.date, contract_id: int | None = None
) -> Decimal:
    """Return the rate of ``kind`` in force on ``day``.

    The contract's own rates come first, then the platform-wide rows, then the platform's
    default rate: in each, the row with the latest ``valid_from`` on or before ``day`` wins.
    """
    if contract_id is not None:
        own = _latest_rate(session, kind, day, contract_id)
        if own is not None:
            return own
    platform_wide = _latest_rate(session, kind, day, None)
    if platform_wide is not None:
        return platform_wide
    platform = find_platform(session)
    if platform is None:
        return DEFAULT_RATES[kind]
    return platform.default_fee_rate if kind == FeeKind.FEE else platform.default_fund_rate


class RateBook:
    """Rates of one computation, memoised by (kind, day, contract)."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._cache: dict[tuple[FeeKind, dt.date, int | None], Decimal] = {}

    def rate(self, kind: FeeKind, day: dt.date, contract_id: int | None = None) -> Decimal:
        """Return the rate in force (see :func:`rate_in_force`)."""
        key = (kind, day, contract_id)
        if key not in self._cache:
            self._cache[key] = rate_in_force(self._session, kind, day, contract_id)
        return self._cache[key]
