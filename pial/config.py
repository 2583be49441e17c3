"""Configuration read from the environment and the instance folder."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path
from typing import Any

PACKAGE_ROOT = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_ROOT.parent
"""The source checkout (an editable install); in an installed wheel, only ``site-packages``."""
SECRET_KEY_FILE = "secret_key"
DATABASE_FILE = "pial.sqlite3"


def bundled_path(name: str) -> Path:
    """Return the folder ``name`` (``templates``, ``migrations``) of this installation.

    A wheel carries both inside the package (``pial/bundled/``); a source checkout keeps them
    at the top of the repository.
    """
    installed = PACKAGE_ROOT / "bundled" / name
    return installed if installed.is_dir() else REPO_ROOT / name


def instance_path_from_env() -> Path:
    """Return the absolute instance folder: ``PIAL_INSTANCE_PATH`` or ``./instance``."""
    return Path(os.environ.get("PIAL_INSTANCE_PATH", "instance")).resolve()


def load_or_create_secret_key(instance_path: Path) -> str:
    """Return the secret key stored in the instance folder, generating it on first use."""
    key_file = instance_path / SECRET_KEY_FILE
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # Created private: the key signs sessions and CSRF tokens.
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key


def settings_from_env(instance_path: Path) -> dict[str, Any]:
    """Build the configuration mapping from ``PIAL_*`` environment variables."""
    env = os.environ
    database_url = env.get("PIAL_DATABASE_URL") or f"sqlite:///{instance_path / DATABASE_FILE}"
    secret_key = env.get("PIAL_SECRET_KEY") or load_or_create_secret_key(instance_path)
    production = env.get("PIAL_ENV", "development") == "production"
    return {
        "DATABASE_URL": database_url,
        "SECRET_KEY": secret_key,
        "PIAL_ENV": "production" if production else "development",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_DURATION": dt.timedelta(days=30),
        "MAX_CONTENT_LENGTH": int(env.get("PIAL_MAX_UPLOAD_BYTES", str(5 * 1024 * 1024))),
        "BABEL_DEFAULT_LOCALE": "fr",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Paris",
        "PIAL_LOCALES": ("fr", "en"),
        "PIAL_BASE_URL": env.get("PIAL_BASE_URL", "http://127.0.0.1:5000"),
        # Unset, links in e-mails follow the address the app is served on (see pial.cli).
        "PIAL_BASE_URL_SET": bool(env.get("PIAL_BASE_URL")),
        "SMTP_HOST": env.get("PIAL_SMTP_HOST", "localhost"),
        "SMTP_PORT": int(env.get("PIAL_SMTP_PORT", "25")),
        "SMTP_USERNAME": env.get("PIAL_SMTP_USERNAME"),
        "SMTP_PASSWORD": env.get("PIAL_SMTP_PASSWORD"),
        "SMTP_TLS": env.get("PIAL_SMTP_TLS", "none"),
        "MAIL_FROM": env.get("PIAL_MAIL_FROM", "PIAL <pial@localhost>"),
        "SCHEDULER_ENABLED": env.get("PIAL_SCHEDULER", "1") not in {"0", "false", "no"},
    }
