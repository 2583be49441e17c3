"""Where the demo's communes are: the shared reference CSV when present, else the copy embedded.

The reference file (``communes-sud-ouest.csv``) lives outside the repository, in
``$PIAL_SHARED_DATA`` or ``<repo>/../shared/data/``; a fresh clone may not have it, so the
coordinates of the communes the demo uses are also kept in ``territory.COMMUNES``.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from pial.config import REPO_ROOT
from pial.demo.territory import COMMUNES, Commune

CSV_NAME = "communes-sud-ouest.csv"


def shared_data_dir() -> Path:
    """Return the folder of the shared reference data (``PIAL_SHARED_DATA`` or ``../shared``)."""
    configured = os.environ.get("PIAL_SHARED_DATA")
    return Path(configured) if configured else REPO_ROOT.parent / "shared" / "data"


def read_communes_csv(path: Path, names: Iterable[str]) -> dict[str, Commune]:
    """Return the communes of ``path`` whose name is in ``names`` (those found)."""
    wanted = set(names)
    found: dict[str, Commune] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["name"] in wanted:
                found[row["name"]] = Commune(
                    row["name"], row["insee"], float(row["lat"]), float(row["lon"])
                )
    return found


def demo_communes(data_dir: Path | None = None) -> Mapping[str, Commune]:
    """Return the demo's communes by name, from the reference CSV when it can be read."""
    embedded = {commune.name: commune for commune in COMMUNES}
    path = (data_dir or shared_data_dir()) / CSV_NAME
    try:
        from_csv = read_communes_csv(path, embedded)
    except (OSError, KeyError, ValueError):
        # No reference data next to this checkout (or an unreadable one): the copy will do.
        return embedded
    return {name: from_csv.get(name, commune) for name, commune in embedded.items()}
