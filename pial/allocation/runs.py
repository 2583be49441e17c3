"""Reading a week's runs: all of them, one by id, the published one, and what moved between two.

The one place that says which run is "the published run of a week" (:func:`published_run`)
and which runs are the weeks' current plans (:func:`current_published_runs`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import aliased

from pial.db import get_session
from pial.errors import NotFound
from pial.models import AllocationLine, AllocationRun, DeliveryWeek, RunStatus
from pial.weeks.calendar import get_week

USABLE_STATUSES = frozenset({RunStatus.OPTIMAL, RunStatus.FEASIBLE})
"""Run statuses that carry a plan which may be reviewed and published."""


@dataclass(frozen=True, slots=True)
class Change:
    """How much one cell (farm → canteen, product, day) moved between two runs."""

    farm_id: int
    farm_name: str
    canteen_id: int
    canteen_name: str
    product_id: int
    product_name: str
    unit: str
    day: dt.date
    old_quantity: Decimal
    new_quantity: Decimal

    @property
    def delta_quantity(self) -> Decimal:
        """Return the new quantity minus the old one."""
        return self.new_quantity - self.old_quantity


def week_runs(iso_week: str) -> list[AllocationRun]:
    """Return the runs of a week, latest first."""
    week = get_week(iso_week)
    return list(
        get_session().scalars(
            select(AllocationRun)
            .where(AllocationRun.week_id == week.id)
            .order_by(AllocationRun.sequence.desc())
        )
    )


def get_run(iso_week: str, run_id: int | None = None) -> AllocationRun | None:
    """Return run ``run_id`` of the week (NotFound if it is another week's), or its latest run."""
    week = get_week(iso_week)
    session = get_session()
    if run_id is not None:
        run = session.get(AllocationRun, run_id)
        if run is None or run.week_id != week.id:
            raise NotFound(
                _(
                    "Cette répartition n'appartient pas à la semaine %(iso_week)s.",
                    iso_week=iso_week,
                )
            )
        return run
    return latest_run(week)


def latest_run(week: DeliveryWeek) -> AllocationRun | None:
    """Return the week's latest run (published or not), if any."""
    return get_session().scalar(
        select(AllocationRun)
        .where(AllocationRun.week_id == week.id)
        .order_by(AllocationRun.sequence.desc())
        .limit(1)
    )


def published_run(week: DeliveryWeek, version: int | None = None) -> AllocationRun | None:
    """Return the week's published run of ``version`` (default: the current, latest version)."""
    query = select(AllocationRun).where(
        AllocationRun.week_id == week.id, AllocationRun.published_version.is_not(None)
    )
    if version is not None:
        query = query.where(AllocationRun.published_version == version)
    return get_session().scalar(query.order_by(AllocationRun.published_version.desc()).limit(1))


def current_published_runs(
    week_ids: Iterable[int] | None = None,
) -> Select[tuple[AllocationRun]]:
    """Return a select of each week's current plan: its latest published version.

    ``week_ids`` narrows it to some weeks; as a subquery, its ``id`` column lists the runs.
    """
    latest = (
        select(AllocationRun.week_id, func.max(AllocationRun.published_version).label("version"))
        .where(AllocationRun.published_version.is_not(None))
        .group_by(AllocationRun.week_id)
        .subquery()
    )
    run = aliased(AllocationRun)
    query = select(run).join(
        latest, and_(run.week_id == latest.c.week_id, run.published_version == latest.c.version)
    )
    if week_ids is not None:
        query = query.where(run.week_id.in_(list(week_ids)))
    return query


def changes_between(old_run: AllocationRun | None, new_run: AllocationRun) -> list[Change]:
    """Return the cells whose quantity differs between two runs (absent = 0), sorted."""
    def by_cell(run: AllocationRun | None) -> dict[tuple[int, int, int, dt.date], AllocationLine]:
        if run is None:
            return {}
        return {(ln.farm_id, ln.canteen_id, ln.product_id, ln.day): ln for ln in run.lines}

    old_lines, new_lines = by_cell(old_run), by_cell(new_run)
    changes = []
    for key in old_lines.keys() | new_lines.keys():
        old, new = old_lines.get(key), new_lines.get(key)
        old_quantity = old.quantity if old is not None else Decimal(0)
        new_quantity = new.quantity if new is not None else Decimal(0)
        if old_quantity == new_quantity:
            continue
        line = new if new is not None else old
        assert line is not None
        changes.append(
            Change(
                farm_id=line.farm_id,
                farm_name=line.farm.name,
                canteen_id=line.canteen_id,
                canteen_name=line.canteen.name,
                product_id=line.product_id,
                product_name=line.product.name_fr,
                unit=str(line.product.unit),
                day=line.day,
                old_quantity=old_quantity,
                new_quantity=new_quantity,
            )
        )
    return sorted(changes, key=lambda c: (c.day, c.canteen_name, c.product_name, c.farm_name))


def replan_changes(run: AllocationRun) -> list[Change]:
    """Return what a published run changed from the version before it (none for version 1)."""
    if run.published_version is None or run.published_version < 2:
        return []
    previous = published_run(run.week, run.published_version - 1)
    return changes_between(previous, run)
