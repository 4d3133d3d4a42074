"""WSGI entry point: gunicorn serves all HTTP (see Serving in the design)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fusionops.settings.production")

application = get_wsgi_application()

from apps.platform.db_roles import refuse_privileged_connection  # noqa: E402  after set-up

refuse_privileged_connection()
