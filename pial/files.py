"""Files that hold personal data (the database, its WAL/SHM, backups, exports): owner-only.

Each is created with mode 0600 and chmod-ed to it afterwards, so the result does not depend on
the process's umask (0600 & ~umask could only be narrower, never wider, but an existing file
keeps whatever mode it had until it is chmod-ed).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import IO, Any

PRIVATE_FILE = 0o600
PRIVATE_DIRECTORY = 0o700
SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


def make_private(path: str | os.PathLike[str]) -> None:
    """Give ``path``, if it exists, the mode 0600 (owner reads and writes, nobody else)."""
    with contextlib.suppress(FileNotFoundError):
        os.chmod(path, PRIVATE_FILE)


def private_directory(path: str | os.PathLike[str]) -> Path:
    """Create ``path`` (and its parents) if needed; a directory created here is 0700."""
    directory = Path(path)
    if not directory.exists():
        directory.mkdir(parents=True, mode=PRIVATE_DIRECTORY)
        os.chmod(directory, PRIVATE_DIRECTORY)
    return directory


def open_private(path: str | os.PathLike[str], mode: str = "wb", **kwargs: Any) -> IO[Any]:
    """Open ``path`` for writing (created or truncated) with the mode 0600, whatever the umask."""
    if not any(flag in mode for flag in "wax"):
        raise ValueError(f"open_private writes files; mode {mode!r} does not")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    if "x" in mode:
        flags |= os.O_EXCL
        mode = mode.replace("x", "w")
    if "a" in mode:
        flags = (flags & ~os.O_TRUNC) | os.O_APPEND
    descriptor = os.open(path, flags, PRIVATE_FILE)
    try:
        os.fchmod(descriptor, PRIVATE_FILE)
        return os.fdopen(descriptor, mode, **kwargs)
    except BaseException:
        os.close(descriptor)
        raise


def touch_private(path: str | os.PathLike[str]) -> None:
    """Create ``path`` empty with the mode 0600 if missing; make an existing one 0600."""
    if os.path.exists(path):
        make_private(path)
        return
    open_private(path, "ab").close()


def make_sqlite_files_private(database: str | os.PathLike[str]) -> None:
    """Give a SQLite database and its WAL, SHM and journal files the mode 0600."""
    for suffix in SQLITE_COMPANIONS:
        make_private(f"{os.fspath(database)}{suffix}")
