"""PDF copies of the documents people file (delivery notes, invoices), rendered with WeasyPrint.

A PDF is drawn from the same HTML as the document's web page: its stylesheets and images are
read from the app's own static folder, nothing is fetched from anywhere else, and a paper
stylesheet (``static/print.css``: A4, page numbers) comes last. The output is PDF/A-3b, the
archival form a Factur-X invoice builds on.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pial.config import PACKAGE_ROOT

STATIC_FOLDER = PACKAGE_ROOT / "static"
STATIC_PREFIX = "/static/"
PAPER_STYLESHEET = STATIC_FOLDER / "print.css"
PDF_VARIANT = "pdf/a-3b"


def static_file(url: str) -> Path | None:
    """Return the file of the app's static folder that ``url`` names, or None for any other URL."""
    path = urlsplit(url).path
    if not path.startswith(STATIC_PREFIX):
        return None
    candidate = (STATIC_FOLDER / path.removeprefix(STATIC_PREFIX)).resolve()
    if not candidate.is_relative_to(STATIC_FOLDER.resolve()) or not candidate.is_file():
        return None
    return candidate


def render_pdf(html: str) -> bytes:
    """Return ``html`` laid out on A4 as a PDF/A-3b document."""
    # Imported here: WeasyPrint loads Pango at import, which only PDF downloads need.
    from weasyprint import CSS, HTML, URLFetcher
    from weasyprint.urls import URLFetcherResponse

    class StaticFilesOnly(URLFetcher):  # type: ignore[misc]
        """Serve the app's static files; refuse every other URL (no network, no disk)."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            """Return a static file's bytes, or refuse the URL."""
            found = static_file(url)
            if found is None:
                raise ValueError(f"PDF rendering fetches only the app's static files: {url}")
            mime_type = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, found.read_bytes(), {"Content-Type": mime_type})

    fetcher = StaticFilesOnly()
    # A base URL lets root-relative links (/static/pial.css) resolve to something to fetch.
    document = HTML(string=html, base_url="file:///", url_fetcher=fetcher)
    paper = CSS(filename=str(PAPER_STYLESHEET), url_fetcher=fetcher)
    pdf: bytes = document.write_pdf(stylesheets=[paper], pdf_variant=PDF_VARIANT)
    return pdf
