"""gunicorn settings for the portal's HTTP side (WSGI, sync workers)."""

import os
import shutil
import tempfile

from fusionops.logging import build_logging_config

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 20
# The portal's middleware writes one access-log line per request, with the request id;
# gunicorn's own lines (start, worker timeouts) go through the same formatter.
accesslog = None
errorlog = "-"
_development = os.environ.get("DJANGO_SETTINGS_MODULE", "").endswith(".development")
logconfig_dict = build_logging_config(
    os.environ.get("LOG_FORMAT", "console" if _development else "json"),
    os.environ.get("LOG_LEVEL", "INFO"),
)
# gunicorn attaches its own handler to its logger first; naming the logger replaces it.
logconfig_dict["loggers"]["gunicorn.error"] = {
    "handlers": ["console"],
    "level": os.environ.get("LOG_LEVEL", "INFO"),
    "propagate": False,
}
# Nothing manages gunicorn through its control socket (and the image's root is read-only).
control_socket_disable = True
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Workers are separate processes: the master serves /metrics on METRICS_PORT, adding up
# the files the workers leave in a directory of this server's own (a fresh one per start,
# so nothing of another process is ever read or deleted).
metrics_dir = tempfile.mkdtemp(
    prefix="fusionops-web-metrics-", dir=os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None
)
os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir


def when_ready(server):
    from apps.platform.metrics import serve_metrics

    serve_metrics(multiprocess_dir=metrics_dir)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    shutil.rmtree(metrics_dir, ignore_errors=True)


# The longest request line gunicorn reads (its maximum); longer is a 414, as the schema says.
limit_request_line = 8190
