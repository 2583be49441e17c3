"""The demo territory, Comminges – Pays de Luchon: ``seed_demo`` loads it and plays its season.

``territory`` holds the data (places, farms, canteens, catalogue, tender lot, people),
``menus`` what is ordered and offered each week, ``setup`` the standing rows, ``season`` the
weeks played through the real services, ``seeding`` the entry point used by ``pial seed-demo``
and ``pial demo``.
"""

from pial.demo.seeding import DemoAccount, DemoSummary, demo_accounts, seed_demo
from pial.demo.territory import DEMO_PASSWORD

__all__ = ["DEMO_PASSWORD", "DemoAccount", "DemoSummary", "demo_accounts", "seed_demo"]
