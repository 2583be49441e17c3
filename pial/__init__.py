"""PIAL web application."""

import os

# openpyxl parses workbooks with lxml whenever lxml is installed (factur-x brings it), and then
# bypasses defusedxml: an uploaded workbook's XML entities would be expanded. Keep openpyxl on
# defusedxml; this must run before openpyxl is first imported, hence here.
os.environ.setdefault("OPENPYXL_LXML", "False")
