"""Each grower's share of the group's sales this week, and the fairness targets built on it."""

from __future__ import annotations

from solver.problem import Problem


def grower_shares(problem: Problem) -> dict[str, float]:
    """Return each grower's share of this week's sales (agreed shares or value-offered shares).

    If every grower has a `target_share`, the shares are renormalised over the growers that
    offer anything this week (the others get 0). Otherwise — or if the agreed shares of the
    offering growers sum to 0 — each grower's share is the value of what they offer this week
    over the value offered by all.
    """
    price = {p.id: p.price for p in problem.products}
    offered_eur = dict.fromkeys((g.id for g in problem.growers), 0.0)
    for offer in problem.availability:
        offered_eur[offer.grower] += offer.quantity * price[offer.product]
    offering = {g.id for g in problem.growers} & {
        a.grower for a in problem.availability if a.quantity > 0
    }
    if all(g.target_share is not None for g in problem.growers):
        agreed = {g.id: float(g.target_share or 0.0) for g in problem.growers}
        # In the growers' order, not the set's: a float sum's last bits depend on its order,
        # and a set of strings has a new order in every process (string hash seed).
        agreed_total = sum(agreed[g.id] for g in problem.growers if g.id in offering)
        if agreed_total > 0:
            return {g: (agreed[g] / agreed_total if g in offering else 0.0) for g in agreed}
    total_eur = sum(offered_eur.values())
    if total_eur <= 0:
        return dict.fromkeys(offered_eur, 0.0)
    return {g: value / total_eur for g, value in offered_eur.items()}


def fairness_targets_eur(problem: Problem, served_eur: float) -> dict[str, float]:
    """Return each grower's target: share × total value served − catch-up × ledger."""
    shares = grower_shares(problem)
    catch_up = problem.settings.ledger_catch_up
    return {
        g.id: shares[g.id] * served_eur - catch_up * g.ledger_eur for g in problem.growers
    }
