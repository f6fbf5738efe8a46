"""WSGI entry point for production servers (waitress via `jingzhi serve`, or any other)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingzhi.settings")
application = get_wsgi_application()
