#!/usr/bin/env bash
# The peer of benchmarks/intake_load.py: django-helpdesk 2.6.1 under gunicorn (2 sync workers) on 127.0.0.1:8100,
# on its own PostgreSQL database, creating tickets through its REST API with a staff user's token.
#
#   bash benchmarks/peer_helpdesk.sh [DIR]        (default DIR: ../peer beside this checkout)
#
# Installs from PyPI into DIR/.venv, makes a minimal project (teams mode off: it needs pinax-teams; e-mail to a
# dummy backend: no mail server here), migrates, creates the user, a queue and a token, starts gunicorn, and prints
# the arguments to give intake_load.py. Stop it with: kill "$(cat DIR/gunicorn.pid)".
set -euo pipefail
DIR="${1:-$(cd "$(dirname "$0")/../.." && pwd)/peer}"
DB="${PEER_DB:-peer_hd}"
mkdir -p "$DIR" && cd "$DIR"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check "django-helpdesk==2.6.1" gunicorn "psycopg[binary]"
if [ ! -f manage.py ]; then
  .venv/bin/django-admin startproject peerhd .
  .venv/bin/python - "$DB" <<'PY'
import re, sys
p = "peerhd/settings.py"
s = open(p).read()
s = s.replace("INSTALLED_APPS = [", "INSTALLED_APPS = [\n    'django.contrib.sites',\n    'django.contrib.humanize',\n"
              "    'rest_framework',\n    'rest_framework.authtoken',\n    'helpdesk',")
s = re.sub(r"DATABASES = \{.*?\n\}\n", "DATABASES = {'default': {'ENGINE': 'django.db.backends.postgresql', 'NAME': '%s', "
           "'USER': 'postgres', 'HOST': '127.0.0.1', 'PORT': '5432', 'CONN_MAX_AGE': 60}}\n" % sys.argv[1], s, flags=re.S)
s = s.replace("DEBUG = True", "DEBUG = False").replace("ALLOWED_HOSTS = []", "ALLOWED_HOSTS = ['127.0.0.1', 'localhost']")
s += ("\nSITE_ID = 1\nHELPDESK_ACTIVATE_API_ENDPOINT = True\nHELPDESK_TEAMS_MODE_ENABLED = False\n"
      "REST_FRAMEWORK = {'DEFAULT_AUTHENTICATION_CLASSES': ['rest_framework.authentication.TokenAuthentication']}\n"
      "EMAIL_BACKEND = 'django.core.mail.backends.dummy.EmailBackend'\nLOGIN_URL = '/login/'\n")
open(p, "w").write(s)
u = "peerhd/urls.py"
t = open(u).read().replace("from django.urls import path", "from django.urls import include, path")
open(u, "w").write(t.replace("path('admin/', admin.site.urls),",
                             "path('admin/', admin.site.urls),\n    path('', include('helpdesk.urls', namespace='helpdesk')),"))
PY
fi
createdb -h 127.0.0.1 -U postgres "$DB" 2>/dev/null || true
.venv/bin/python manage.py migrate -v0
TOKEN=$(.venv/bin/python manage.py shell -c "
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
from helpdesk.models import Queue
u = User.objects.filter(username='bench').first() or User.objects.create_superuser('bench', 'bench@example.org', 'Bench-pass-1')
Queue.objects.get_or_create(slug='hotline', defaults={'title': 'Hotline'})
print(Token.objects.get_or_create(user=u)[0].key)" 2>/dev/null | tail -1)
QUEUE=$(.venv/bin/python manage.py shell -c "from helpdesk.models import Queue; print(Queue.objects.get(slug='hotline').pk)" 2>/dev/null | tail -1)
if [ -f gunicorn.pid ]; then  # a server of an earlier run: stopped, and its port released, before the new one starts
  OLD=$(cat gunicorn.pid); kill "$OLD" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$OLD" 2>/dev/null || break; sleep 0.2; done
fi
.venv/bin/gunicorn -w 2 -b 127.0.0.1:8100 peerhd.wsgi --daemon --pid "$DIR/gunicorn.pid" --no-control-socket
for _ in $(seq 50); do [ -f gunicorn.pid ] && break; sleep 0.2; done
[ -f gunicorn.pid ] || { echo "gunicorn did not start" >&2; exit 1; }
echo "--peer http://127.0.0.1:8100/api/tickets/ --peer-auth \"Token $TOKEN\" --peer-queue $QUEUE"
