"""PDF copies are laid out from HTML with the app's stylesheets, offline, as PDF/A-3b."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from pial.pdf import render_pdf


def test_a_document_becomes_a_pdf_a_whose_text_reads_back(tmp_path: Path) -> None:
    html = (
        "<html lang='fr'><head><link rel='stylesheet' href='/static/pial.css'></head><body>"
        "<h1>Bon de livraison</h1><table><tr><td>Carotte</td><td>1 234,50 €</td></tr></table>"
        "</body></html>"
    )
    pdf = render_pdf(html)

    reader = PdfReader(io.BytesIO(pdf))
    text = reader.pages[0].extract_text()
    assert "Bon de livraison" in text and "1 234,50 €" in text
    assert "Page 1 / 1" in text  # the paper stylesheet numbers the pages
    metadata = reader.xmp_metadata
    assert metadata is not None
    assert metadata.pdfaid_part == "3" and metadata.pdfaid_conformance == "B"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext")
def test_pdftotext_reads_it_too(tmp_path: Path) -> None:
    path = tmp_path / "note.pdf"
    path.write_bytes(render_pdf("<p>Signature du destinataire</p>"))
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    assert "Signature du destinataire" in out.stdout


def test_only_the_apps_static_files_are_read() -> None:
    from pial.pdf import STATIC_FOLDER, static_file

    assert static_file("/static/pial.css") == (STATIC_FOLDER / "pial.css").resolve()
    paper = (STATIC_FOLDER / "print.css").resolve()
    assert static_file("http://pial.test/static/print.css") == paper
    assert static_file("/static/../config.py") is None
    assert static_file("http://example.invalid/x.png") is None
    assert static_file("file:///etc/passwd") is None
    # A page linking elsewhere still renders, without what it could not fetch.
    assert render_pdf("<img src='http://example.invalid/x.png'><p>ok</p>").startswith(b"%PDF")
