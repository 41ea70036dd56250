"""Gunicorn settings: `gunicorn -c config/gunicorn.py config.wsgi` (what `make serve` runs).

From the environment:
- WEB_CONCURRENCY: worker processes (default 2 × the cores this process may use + 1);
- BIND: the address (default 127.0.0.1:$PORT, PORT default 8000); behind a reverse proxy on
  another host, e.g. 0.0.0.0:8000;
- GUNICORN_TIMEOUT: seconds a request may take before its worker is restarted (default 30);
- GUNICORN_ACCESS_LOG: where the access log goes (default "-", standard output; empty: none,
  when the proxy keeps it);
- FORWARDED_ALLOW_IPS (gunicorn's own): the proxies whose X-Forwarded-Proto gunicorn believes
  (default 127.0.0.1).
DEBUG is off under gunicorn unless DJANGO_DEBUG says otherwise: it is a production server.
"""

import os


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the cores of a container or a taskset, not the host's
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


os.environ.setdefault("DJANGO_DEBUG", "False")
# Keep each worker's database connection between requests: opening one costs a PostgreSQL
# backend process per request, more than a plain request's own work (bench/, docs/performance.md).
os.environ.setdefault("DB_CONN_MAX_AGE", "60")

wsgi_app = "config.wsgi:application"
bind = os.environ.get("BIND") or f"127.0.0.1:{os.environ.get('PORT') or 8000}"
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * cores() + 1)
# Sync workers: every request is a few database queries; the proxy buffers slow clients.
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 30)
graceful_timeout = 30
# Restart each worker after a while, staggered, so that slow leaks cannot grow without bound.
max_requests = 2000
max_requests_jitter = 200
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
# The heartbeat file of each worker in memory, not on a disk that may stall.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"
# No control socket (gunicorn 27+): nothing here uses it, and every instance on a host would
# share its one default path.
control_socket_disable = True
