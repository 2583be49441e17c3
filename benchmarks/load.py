"""Web load benchmark: 50 simulated users against ``pial serve`` on a demo year.

    python benchmarks/load.py --engine sqlite
    python benchmarks/load.py --engine postgresql

Seeds the demo territory with the clock near the end of its school year (a full year of
published weeks; skipped when the database is already seeded), adds accounts so that every
simulated user has one, starts ``pial serve --no-scheduler --workers 2`` (the production set-up
of README.md on 2 cores; ``--workers 1`` is Waitress alone) on a free loopback port, signs the
users in and runs a bounded number of requests per user in threads: growers open and save their
offer (page and API), canteen managers their orders (page and API), the lead opens the week's
planning. Reports p50/p95/p99 per kind of request, the errors (5xx, refused connections,
unexpected statuses) and the conflicts (409: two people saving the same offer or order, which
is a correct answer), then stops the server.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import http.client
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

RESULTS = REPO_ROOT / "benchmarks" / "results"
DEFAULT_MOMENT = "2027-07-05T10:00:00+02:00"  # near the end of the 2026-2027 school year
DEFAULT_SQLITE = f"sqlite:///{RESULTS / 'load.sqlite3'}"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/pial_load"
BENCH_PASSWORD = "banc-de-charge-courgette"
SECRET_KEY = "load-benchmark-secret-not-for-production"


@dataclass(frozen=True)
class Account:
    """A simulated user's account, and the token it uses for the API."""

    role: str
    email: str
    farm_id: int | None
    canteen_id: int | None
    token: str


@dataclass(frozen=True)
class Plan:
    """What the users work on: the open week, a planned week, their accounts."""

    open_week: str
    planning_week: str
    accounts: list[Account]


@dataclass
class Stats:
    """Latencies per kind of request, errors and conflicts (shared by the user threads)."""

    latencies_ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    conflicts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, elapsed_ms: float) -> None:
        """Keep one latency."""
        with self.lock:
            self.latencies_ms[kind].append(elapsed_ms)

    def error(self, message: str) -> None:
        """Keep one error (at most a few hundred messages)."""
        with self.lock:
            if len(self.errors) < 500:
                self.errors.append(message)


# --- Preparation ---------------------------------------------------------------------------------


def prepare(url: str, moment: dt.datetime, num_users: int) -> Plan:
    """Migrate and seed the database if needed; create bench accounts and their API tokens."""
    from sqlalchemy import func, select

    from pial.api.tokens import create_token, list_tokens, revoke_token
    from pial.app import create_app
    from pial.auth.passwords import hash_password
    from pial.db import get_database, get_session
    from pial.migrations import upgrade_database
    from pial.models import Canteen, DeliveryWeek, Farm, Role, Season, User, WeekState

    with tempfile.TemporaryDirectory(prefix="pial-load-prep-") as folder:
        app = create_app({
            "DATABASE_URL": url, "SECRET_KEY": SECRET_KEY, "INSTANCE_PATH": folder,
            "SCHEDULER_ENABLED": False, "PIAL_CLOCK": lambda: moment,
        })  # fmt: skip
        upgrade_database(url)
        with app.app_context():
            session = get_session()
            if session.scalar(select(func.count()).select_from(Season)) == 0:
                from pial.demo import seed_demo

                started = time.perf_counter()
                summary = seed_demo(progress=lambda line: print("  " + line, flush=True))
                print(f"seed_s={time.perf_counter() - started:.0f} {summary.describe()}")
            open_week = session.scalar(
                select(DeliveryWeek.iso_week)
                .where(DeliveryWeek.state == WeekState.OPEN)
                .order_by(DeliveryWeek.monday_date.desc())
            )
            planning_week = session.scalar(
                select(DeliveryWeek.iso_week)
                .where(DeliveryWeek.state.in_([WeekState.PUBLISHED, WeekState.DELIVERED]))
                .order_by(DeliveryWeek.monday_date.desc())
            )
            if open_week is None or planning_week is None:
                raise SystemExit("la base n'a ni semaine ouverte ni semaine publiée")
            farms = session.scalars(select(Farm).order_by(Farm.id)).all()
            canteens = session.scalars(select(Canteen).order_by(Canteen.id)).all()
            password_hash = hash_password(BENCH_PASSWORD)
            accounts = []
            num_leads = 2
            num_growers = (num_users - num_leads) // 2
            for number in range(num_users):
                if number < num_leads:
                    role, farm_id, canteen_id = Role.LEAD, None, None
                elif number < num_leads + num_growers:
                    role, canteen_id = Role.GROWER, None
                    farm_id = farms[number % len(farms)].id
                else:
                    role, farm_id = Role.CANTEEN, None
                    canteen_id = canteens[number % len(canteens)].id
                email = f"charge{number:03d}@banc.pial"
                user = session.scalar(select(User).where(User.email_lower == email))
                if user is None:
                    user = User(email=email, display_name=f"Charge {number:03d}", role=role,
                                farm_id=farm_id, canteen_id=canteen_id)
                    session.add(user)
                user.role, user.farm_id, user.canteen_id = role, farm_id, canteen_id
                user.password_hash = password_hash
                user.is_active = True
                session.flush()
                # The previous runs' tokens are revoked: a user may hold only a few at once.
                for previous in list_tokens(user):
                    if previous.revoked_dt is None and previous.name.startswith("banc "):
                        revoke_token(user, previous.id)
                token = create_token(user, f"banc {dt.datetime.now(dt.UTC):%H%M%S}").secret
                accounts.append(Account(str(role), email, farm_id, canteen_id, token))
            session.commit()
        get_database(app).engine.dispose()
    return Plan(open_week, planning_week, accounts)


# --- The server ----------------------------------------------------------------------------------


def free_port() -> int:
    """Return a free TCP port on the loopback interface."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_server(
    url: str, port: int, threads: int, workers: int, folder: str
) -> subprocess.Popen[bytes]:
    """Start ``pial serve --no-scheduler`` in production mode and wait until it answers."""
    env = {
        **os.environ,
        "PIAL_DATABASE_URL": url,
        "PIAL_INSTANCE_PATH": folder,
        "PIAL_SECRET_KEY": SECRET_KEY,
        "PIAL_ENV": "production",
        "PIAL_SCHEDULER": "0",
    }
    with open(Path(folder) / "server.log", "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-c", "from pial.cli import main; main()", "serve",
             "--no-scheduler", "--host", "127.0.0.1", "--port", str(port),
             "--threads", str(threads), "--workers", str(workers)],
            cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log,
        )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("le serveur s'est arrêté au démarrage (voir server.log)")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("le serveur n'a pas démarré en 60 s")


# --- A simulated user ----------------------------------------------------------------------------

EXCEPTION_LINE = re.compile(r"^[\w.]+(Error|Exception|Conflict)\b")
INPUT_TAG = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
ATTRIBUTE = re.compile(r'(\w[\w-]*)="([^"]*)"')


def form_inputs(page: str) -> dict[str, str]:
    """Return the name → value of the page's input fields."""
    found = {}
    for tag in INPUT_TAG.findall(page):
        attributes = dict(ATTRIBUTE.findall(tag))
        if "name" in attributes:
            found[html.unescape(attributes["name"])] = html.unescape(attributes.get("value", ""))
    return found


class Browser:
    """One user's keep-alive connection with its cookies; every request is timed."""

    def __init__(self, port: int, stats: Stats, token: str) -> None:
        self.port = port
        self.stats = stats
        self.token = token
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(
        self, kind: str, method: str, path: str, *, form: dict[str, str] | None = None,
        body: Any = None, api: bool = False, expect: tuple[int, ...] = (200,),
    ) -> tuple[int, str]:
        """Send one request, record its latency; return the status and the text."""
        headers = {}
        payload = None
        if api:
            headers["Authorization"] = f"Bearer {self.token}"
            if body is not None:
                payload = json.dumps(body).encode()
                headers["Content-Type"] = "application/json"
        else:
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            if form is not None:
                payload = urllib.parse.urlencode(form).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
                headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=payload, headers=headers)
            response = self.connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.stats.error(f"{kind} {method} {path}: {type(error).__name__} {error}")
            return 0, ""
        elapsed_ms = (time.perf_counter() - started) * 1000
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        if response.status == 409:
            with self.stats.lock:
                self.stats.conflicts += 1
        elif response.status not in expect:
            self.stats.error(f"{kind} {method} {path}: HTTP {response.status} {text[:200]!r}")
        self.stats.record(kind, elapsed_ms)
        return response.status, text

    def sign_in(self, email: str) -> None:
        """Sign in through the page, as a browser does (CSRF token included)."""
        _, page = self.request("login", "GET", "/connexion")
        token = form_inputs(page).get("csrf_token", "")
        status, _ = self.request(
            "login", "POST", "/connexion",
            form={"email": email, "password": BENCH_PASSWORD, "csrf_token": token},
            expect=(302,),
        )  # fmt: skip
        if status != 302:
            raise RuntimeError(f"sign-in of {email} failed ({status})")


def _changed_grid(inputs: dict[str, str], rng: random.Random) -> dict[str, str]:
    """Return the page's form with a few quantities changed, as a user typing would."""
    form = {name: value for name, value in inputs.items()
            if name.startswith("q-") or name in {"csrf_token", "version"}}
    cells = sorted(name for name in form if name.startswith("q-"))
    for name in rng.sample(cells, min(3, len(cells))):
        form[name] = str(rng.randint(0, 40))
    return form


def _changed_lines(lines: list[dict[str, Any]], rng: random.Random, *, orders: bool) -> list[Any]:
    """Return the API lines with a few quantities changed."""
    changed = []
    for line in lines:
        quantity = line["quantity"]
        if rng.random() < 0.3:
            quantity = rng.randint(1, 40)
        item = {"product_id": line["product_id"], "quantity": float(quantity), "day": line["day"]}
        if not orders and item["day"] is None:
            del item["day"]
        changed.append(item)
    return changed


def warm_up(browsers: list[tuple[Account, Browser]], plan: Plan) -> None:
    """Open each kind of page once before the clock, as the first visitor of the day would."""
    seen = set()
    for account, browser in browsers:
        if account.role in seen:
            continue
        seen.add(account.role)
        if account.role == "lead":
            paths = [f"/semaines/{plan.planning_week}/planning", "/semaines"]
        elif account.role == "grower":
            paths = [f"/semaine/{plan.open_week}/offre"]
        else:
            paths = [f"/semaine/{plan.open_week}/commande"]
        for path in paths:
            browser.request("warm-up", "GET", path)


def simulate(account: Account, browser: Browser, plan: Plan, cycles: int, think_s: float,
             stats: Stats, seed: int) -> None:
    """Play one signed-in user: ``cycles`` rounds of its role's usual requests."""
    rng = random.Random(seed)
    week = plan.open_week
    # Users arrive spread over one pause, as people do, rather than all in the same millisecond.
    time.sleep(rng.uniform(0, 2 * think_s))
    for _ in range(cycles):
        if account.role == "lead":
            browser.request("planning page", "GET", f"/semaines/{plan.planning_week}/planning")
            browser.request("page read", "GET", "/semaines")
            browser.request("api read", "GET", f"/api/v1/weeks/{plan.planning_week}/runs", api=True)
        else:
            if account.role == "grower":
                page_path = f"/semaine/{week}/offre"
                api_path = f"/api/v1/weeks/{week}/farms/{account.farm_id}/availability"
            else:
                page_path = f"/semaine/{week}/commande"
                api_path = f"/api/v1/weeks/{week}/canteens/{account.canteen_id}/orders"
            status, page = browser.request("page read", "GET", page_path)
            if status == 200:
                time.sleep(rng.uniform(0, 2 * think_s))
                form = _changed_grid(form_inputs(page), rng)
                browser.request("page save", "POST", page_path, form=form, expect=(302,))
            time.sleep(rng.uniform(0, 2 * think_s))
            status, text = browser.request("api read", "GET", api_path, api=True)
            if status == 200:
                current = json.loads(text)
                body = {"version": current["version"],
                        "lines": _changed_lines(current["lines"], rng,
                                                orders=account.role == "canteen")}
                time.sleep(rng.uniform(0, 2 * think_s))
                browser.request("api save", "PUT", api_path, body=body, api=True)
        time.sleep(rng.uniform(0, 2 * think_s))
    browser.connection.close()


# --- Report --------------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    """Return the nearest-rank percentile of ``values``."""
    ordered = sorted(values)
    rank = max(1, round(fraction * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


UNMEASURED = ("login", "warm-up")  # before the clock: sign-ins and one first look per page


def report(stats: Stats, elapsed_s: float) -> str:
    """Return the results as a Markdown table."""
    lines = ["| requests | count | p50 ms | p95 ms | p99 ms | max ms |",
             "|---|---:|---:|---:|---:|---:|"]

    def row(label: str, values: list[float]) -> None:
        lines.append(
            f"| {label} | {len(values)} | {statistics.median(values):.0f} | "
            f"{percentile(values, 0.95):.0f} | {percentile(values, 0.99):.0f} | {max(values):.0f} |"
        )

    order = ["page read", "page save", "planning page", "api read", "api save", *UNMEASURED]
    for kind in order + sorted(set(stats.latencies_ms) - set(order)):
        if stats.latencies_ms.get(kind):
            row(kind, stats.latencies_ms[kind])
    measured = {kind: values for kind, values in stats.latencies_ms.items()
                if kind not in UNMEASURED and values}
    pages = [ms for kind, values in measured.items() if not kind.startswith("api") for ms in values]
    api = [ms for kind, values in measured.items() if kind.startswith("api") for ms in values]
    for label, values in (("**pages**", pages), ("**API**", api),
                          ("**all measured**", pages + api)):
        if values:
            row(label, values)
    counted = len(pages) + len(api)
    lines.append("")
    lines.append(f"{counted} measured requests in {elapsed_s:.1f} s "
                 f"({counted / elapsed_s:.0f} req/s); "
                 f"errors: {len(stats.errors)}; conflicts (409): {stats.conflicts}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Prepare the database, start the server, run the users, print the figures."""
    parser = argparse.ArgumentParser(description="Banc de charge web de PIAL.")
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--at", default=DEFAULT_MOMENT, help="instant simulé du chargement")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--cycles", type=int, default=10, help="tours par utilisateur")
    parser.add_argument(
        "--think-ms", type=float, default=3000,
        help="pause moyenne entre deux clics (tirée entre 0 et le double)",
    )
    parser.add_argument(
        "--threads", type=int, default=4, help="fils par processus web (comme pial serve)"
    )
    parser.add_argument(
        "--workers", type=int, default=2,
        help="processus web (pial serve --workers ; plus d'un : gunicorn) ; "
        "en production un par cœur, 2 sur la machine de mesure",
    )
    args = parser.parse_args(argv)
    url = args.database_url or (DEFAULT_SQLITE if args.engine == "sqlite" else DEFAULT_POSTGRES)
    RESULTS.mkdir(parents=True, exist_ok=True)
    if url.startswith("postgresql"):
        _create_postgres_database(url)
    plan = prepare(url, dt.datetime.fromisoformat(args.at), args.users)
    print(f"open week {plan.open_week}, planning of {plan.planning_week}, "
          f"{len(plan.accounts)} users, {args.cycles} cycles each, think {args.think_ms:.0f} ms, "
          f"{args.workers} web process(es) × {args.threads} threads")
    stats = Stats()
    with tempfile.TemporaryDirectory(prefix="pial-load-") as folder:
        port = free_port()
        server = start_server(url, port, args.threads, args.workers, folder)
        try:
            # Users sign in one after another (as they arrive in the morning), so that the
            # deliberately slow password hashing does not pile up in the measured phase.
            browsers = []
            for account in plan.accounts:
                browser = Browser(port, stats, account.token)
                try:
                    browser.sign_in(account.email)
                except RuntimeError as error:
                    stats.error(str(error))
                    continue
                browsers.append((account, browser))
            warm_up(browsers, plan)
            started = time.perf_counter()
            threads = [
                threading.Thread(
                    target=simulate,
                    args=(account, browser, plan, args.cycles, args.think_ms / 1000, stats,
                          number),
                )
                for number, (account, browser) in enumerate(browsers)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed_s = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait(timeout=30)
        log = (Path(folder) / "server.log").read_text(errors="replace")
    print(report(stats, elapsed_s))
    for message in stats.errors[:20]:
        print("  error:", message)
    failures = Counter(
        line.strip() for line in log.splitlines() if EXCEPTION_LINE.match(line.strip())
    )
    for line, count in failures.most_common(10):
        print(f"  server exception ×{count}: {line[:300]}")


def _create_postgres_database(url: str) -> None:
    """Create the PostgreSQL database of ``url`` if it does not exist."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
        )
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


if __name__ == "__main__":
    main()
