"""WSGI entry point for production servers (``waitress-serve wsgi:app``, gunicorn, …).

This is the only module that builds an app at import time, by design: WSGI servers import it.
"""

from pial.app import create_app

app = create_app()
