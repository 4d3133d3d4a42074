"""Logging: every line carries the request id; one JSON object per line with LOG_FORMAT=json.

structlog renders both structlog loggers and the standard library's (Django, gunicorn,
libraries), so every line has the same shape whichever logger wrote it.
"""

import structlog

from apps.platform.context import current_client_request_id, current_request_id

LOG_FORMATS = ("json", "console")


def request_id_from_request(logger, method_name, event_dict):
    # django.request logs a response after the middleware chain has returned (and the
    # request id's context has ended), passing the request itself: take the id from it.
    request = event_dict.pop("request", None)
    if request_id := getattr(request, "request_id", None):
        event_dict.setdefault("request_id", request_id)
    if client_request_id := getattr(request, "client_request_id", None):
        event_dict.setdefault("client_request_id", client_request_id)
    return event_dict


def add_request_id(logger, method_name, event_dict):
    request_id = current_request_id()
    if request_id is not None:
        event_dict.setdefault("request_id", request_id)
    client_request_id = current_client_request_id()
    if client_request_id is not None:
        event_dict.setdefault("client_request_id", client_request_id)
    return event_dict


SHARED_PROCESSORS = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.ExtraAdder(),
    request_id_from_request,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    add_request_id,
]


def build_logging_config(log_format: str, level: str) -> dict:
    """The dictConfig for Django's LOGGING setting."""
    if log_format not in LOG_FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {log_format!r}")
    if log_format == "json":
        # Never frame locals: they hold passwords, tokens and request bodies.
        renderer_chain = [
            structlog.processors.ExceptionRenderer(
                structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
            ),
            structlog.processors.JSONRenderer(),
        ]
    else:
        renderer_chain = [
            structlog.dev.ConsoleRenderer(
                colors=False, exception_formatter=structlog.dev.plain_traceback
            )
        ]

    structlog.configure(
        processors=[
            *SHARED_PROCESSORS,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structured": {
                "()": structlog.stdlib.ProcessorFormatter,
                "foreign_pre_chain": SHARED_PROCESSORS,
                "processors": [
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    *renderer_chain,
                ],
            }
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "structured"},
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Replace the handlers Django's default config attaches, so each line is
            # written once, through the structured formatter.
            "django": {"handlers": [], "level": level, "propagate": True},
            "django.server": {"handlers": [], "level": "WARNING", "propagate": True},
            "django.db.backends": {"level": "INFO"},
        },
    }
