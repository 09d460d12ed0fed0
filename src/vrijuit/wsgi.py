"""WSGI entry point: ``gunicorn vrijuit.wsgi`` (see docs/configuration.md)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vrijuit.settings")
application = get_wsgi_application()
