"""The unit price of a published line, decided once, when its run is published.

A line under a contract is sold at its contract line's price (its intermediation fee shown
apart on the contract); any other line at the group's price of the day (the season's price
covering the line's day). :func:`price_published_lines` stores that price and contract line on
each line as the run is published; delivery notes, e-mails, the planning workbook, statements,
invoices and exports all read it back through :attr:`PlanLine.unit_price_eur
<pial.published.plan.PlanLine.unit_price_eur>`, so a price changed afterwards does not rewrite
what was delivered. Runs published before prices were stored are priced on read by the same
rule (:class:`PriceBook`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from pial.allocation import seam
from pial.models import AllocationLine, AllocationRun, ContractLine, Price, Season
from pial.rounding import line_value_eur
from pial.weeks.orders import ContractCover, contract_cover


def unit_price_eur(
    contract_line: ContractLine | None,
    group_price_eur: Decimal | None,
    solved_price_eur: Callable[[], Decimal],
) -> Decimal:
    """Return a line's unit price: its contract's price, else the group's price of the day.

    ``solved_price_eur`` gives the price the plan was solved with, for a day whose season has
    no price for the product (a plan solved before that season's prices were set).
    """
    if contract_line is not None:
        return contract_line.price_eur
    return group_price_eur if group_price_eur is not None else solved_price_eur()


class PriceBook:
    """The prices of the lines of some runs, from ``first_day`` to ``last_day``, read on demand.

    Nothing is read until a line's price is asked for (a pick list asks none); then the
    group's prices of the seasons overlapping the days are read once, each canteen's contracts
    once, and a run's solved prices only if a day has no season price.
    """

    def __init__(
        self,
        session: Session,
        first_day: dt.date,
        last_day: dt.date,
        runs: Mapping[int, AllocationRun],
    ) -> None:
        self._session = session
        self._first_day, self._last_day = first_day, last_day
        self._runs = runs
        self._seasons: dict[tuple[dt.date, dt.date], dict[int, Decimal]] | None = None
        self._covers: dict[int, ContractCover] = {}
        self._solved: dict[int, dict[str, Decimal]] = {}

    def contract_line(self, canteen_id: int, product_id: int, day: dt.date) -> ContractLine | None:
        """Return the contract line covering a canteen's product on ``day``, if any."""
        cover = self._covers.get(canteen_id)
        if cover is None:
            cover = contract_cover(self._session, canteen_id, self._first_day, self._last_day)
            self._covers[canteen_id] = cover
        return cover.line_for(product_id, day)

    def stored_contract_line(self, contract_line_id: int | None) -> ContractLine | None:
        """Return the contract line a line was priced under at publication, if any."""
        if contract_line_id is None:
            return None
        return self._session.get(ContractLine, contract_line_id)

    def unit_price_eur(
        self, run_id: int, canteen_id: int, product_id: int, product_slug: str, day: dt.date
    ) -> Decimal:
        """Return the unit price of a line of run ``run_id`` (see :func:`unit_price_eur`)."""
        return unit_price_eur(
            self.contract_line(canteen_id, product_id, day),
            self._group_price_eur(product_id, day),
            lambda: self._solved_price_eur(run_id, product_slug),
        )

    def _group_price_eur(self, product_id: int, day: dt.date) -> Decimal | None:
        """Return the group's price of a product in the season covering ``day``, if set."""
        if self._seasons is None:
            self._seasons = {}
            rows = self._session.execute(
                select(Season.start_date, Season.end_date, Price)
                .join(Price, Price.season_id == Season.id)
                .where(Season.start_date <= self._last_day, Season.end_date >= self._first_day)
            ).tuples()
            for start, end, price in rows:
                self._seasons.setdefault((start, end), {})[price.product_id] = price.price_eur
        for (start, end), prices in self._seasons.items():
            if start <= day <= end and product_id in prices:
                return prices[product_id]
        return None

    def _solved_price_eur(self, run_id: int, product_slug: str) -> Decimal:
        """Return the price ``product_slug`` was solved with in the run."""
        if run_id not in self._solved:
            self._solved[run_id] = seam.run_prices_eur(self._runs[run_id])
        return self._solved[run_id][product_slug]


def price_published_lines(
    session: Session, run: AllocationRun, previous: AllocationRun | None = None
) -> None:
    """Store on each line of ``run`` its unit price and contract line, once, as it is published.

    A re-plan keeps the price the version it replaces (``previous``) decided for the same
    canteen, product and day, whichever farm now serves it: a price changed since does not
    rewrite what the canteen was told it would pay.
    """
    lines = list(run.lines)
    if not lines:
        return
    kept: dict[tuple[int, int, dt.date], AllocationLine] = {}
    if previous is not None:
        kept = {(ln.canteen_id, ln.product_id, ln.day): ln
                for ln in previous.lines if ln.unit_price_eur is not None}
    book = PriceBook(session, min(ln.day for ln in lines), max(ln.day for ln in lines),
                     {run.id: run})
    for line in lines:
        if line.unit_price_eur is not None:
            continue
        before = kept.get((line.canteen_id, line.product_id, line.day))
        if before is not None:
            line.unit_price_eur = before.unit_price_eur
            line.contract_line_id = before.contract_line_id
            continue
        contract_line = book.contract_line(line.canteen_id, line.product_id, line.day)
        line.contract_line_id = contract_line.id if contract_line is not None else None
        line.unit_price_eur = book.unit_price_eur(
            run.id, line.canteen_id, line.product_id, line.product.slug, line.day)


def charged_values_eur(session: Session, run: AllocationRun) -> dict[int, Decimal]:
    """Return what each line of a run charges its canteen, by line id.

    A published line's stored price; for a run not published (yet), the price it would be
    stored with if published now, by the same rule.
    """
    lines = list(run.lines)
    if not lines:
        return {}
    book = PriceBook(session, min(ln.day for ln in lines), max(ln.day for ln in lines),
                     {run.id: run})
    return {
        line.id: line_value_eur(line.quantity, line.unit_price_eur if line.unit_price_eur
                                is not None else book.unit_price_eur(
                                    run.id, line.canteen_id, line.product_id, line.product.slug,
                                    line.day))
        for line in lines
    }
