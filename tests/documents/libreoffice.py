"""Print workbooks as a person would: LibreOffice headless to PDF, then read the PDF's text."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

CONVERT_TIMEOUT_S = 300


def require_tool(name: str) -> str:
    """Return the path of a command, or fail (never skip): the proof needs it."""
    found = shutil.which(name)
    if found is None:
        pytest.fail(
            f"« {name} » est introuvable : ce test imprime les classeurs avec LibreOffice et lit "
            "les PDF avec pdftotext. Installez libreoffice-calc-nogui et poppler-utils "
            "(.ci/run le fait).",
            pytrace=False,
        )
    return found


def print_to_pdf(workbooks: list[Path], outdir: Path) -> dict[Path, Path]:
    """Convert each workbook to PDF with LibreOffice headless; return {workbook: pdf}.

    A private user profile under ``outdir`` lets several runs convert at the same time.
    """
    soffice = require_tool("soffice")
    profile = outdir / "lo-profile"
    result = subprocess.run(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(outdir), *map(str, workbooks)],
        capture_output=True, text=True, timeout=CONVERT_TIMEOUT_S, check=False,
    )  # fmt: skip
    pdfs = {book: outdir / f"{book.stem}.pdf" for book in workbooks}
    missing = [str(book) for book, pdf in pdfs.items() if not pdf.is_file()]
    assert not missing, f"LibreOffice did not convert {missing}: {result.stdout}{result.stderr}"
    return pdfs


def pdf_pages(pdf: Path) -> list[str]:
    """Return the text of each page of a PDF, as pdftotext lays it out."""
    pdftotext = require_tool("pdftotext")
    text = subprocess.run(
        [pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True,
        timeout=CONVERT_TIMEOUT_S,
    ).stdout  # fmt: skip
    pages = text.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages
