"""The demo territory, Comminges – Pays de Luchon: ``seed_demo`` loads it and plays its season.

``territory`` holds the data (farms, canteens, catalogue, tender lot, people), ``places``
the communes' coordinates, ``menus`` what is ordered and offered each week, ``setup`` the
standing rows, ``season`` the weeks played through the real services on a simulated clock,
``seeding`` the entry point of ``pial seed-demo`` and ``pial demo``, ``bench`` its timing.

The week left open is the first whose availability deadline (Thursday noon of the week
before) is still ahead: on a Monday, next week. It holds offers and orders; ``pial allocate``
closes it and plans it at once.
"""

from pial.demo.seeding import DemoAccount, DemoSummary, demo_accounts, seed_demo
from pial.demo.territory import DEMO_PASSWORD

__all__ = ["DEMO_PASSWORD", "DemoAccount", "DemoSummary", "demo_accounts", "seed_demo"]
