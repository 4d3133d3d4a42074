"""ASGI entry point. uvicorn runs it for websockets only; HTTP is served under WSGI."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fusionops.settings.production")

application = get_asgi_application()
