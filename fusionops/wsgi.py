"""WSGI entry point: gunicorn serves all HTTP (see Serving in the design)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fusionops.settings.production")

application = get_wsgi_application()
