"""gunicorn settings: `gunicorn -c gunicorn.conf.py "app:create_app()"` (see `make serve`).

Threaded workers keep client connections alive; every worker parses the
deployed diagrams and connects to the database before it takes requests.
Override with GUNICORN_CMD_ARGS or flags, e.g. `--workers 2 --bind 0.0.0.0:8000`.
"""
import os

bind = os.environ.get("BIND", "127.0.0.1:5000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "4"))
keepalive = 5
timeout = 60
graceful_timeout = 30
accesslog = os.environ.get("ACCESS_LOG")  # "-" for stdout; off by default


def post_worker_init(worker):
    from app.services.engine import warm_up

    warm_up(worker.wsgi)
