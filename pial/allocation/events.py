"""What allocation tells the packages above it (see :mod:`pial.events`)."""

from __future__ import annotations

from dataclasses import dataclass

from pial.models import AllocationRun


@dataclass(frozen=True, slots=True)
class PlanPublished:
    """A run was published as the week's plan (a first publication, or a crop-failure re-plan).

    Raised inside the publishing transaction, once the run, its ledger entries and its trips
    are written.
    """

    run: AllocationRun
    replan: bool
