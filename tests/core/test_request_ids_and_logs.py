"""Every request gets an id of the portal's own (X-Request-ID), in every log line; a
caller's X-Request-ID is kept beside it (validated), never in its place."""

import json
import logging
import re

import pytest
import structlog

from fusionops.logging import build_logging_config

pytestmark = pytest.mark.django_db


def test_a_callers_request_id_is_kept_beside_the_portals_own(client):
    response = client.get("/health/live", HTTP_X_REQUEST_ID="gw-7f3a:42")
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    assert response["X-Client-Request-ID"] == "gw-7f3a:42"


@pytest.mark.parametrize("incoming", ["", "has space", "x" * 129, 'quote"d', "new\nline", "ümlaut"])
def test_an_invalid_request_id_of_the_caller_is_dropped(client, incoming):
    response = client.get("/health/live", HTTP_X_REQUEST_ID=incoming)
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    assert "X-Client-Request-ID" not in response


def test_each_request_gets_its_own_id(client):
    first = client.get("/health/live")["X-Request-ID"]
    second = client.get("/health/live")["X-Request-ID"]
    assert first != second


def test_log_lines_during_a_request_carry_its_id(client_as, log_lines):
    response = client_as("Viewer").get("/api/v1/settings/", HTTP_X_REQUEST_ID="req-abc")
    assert response.status_code == 200
    access = [line for line in log_lines if line["event"] == "request.finished"]
    assert access
    assert access[0]["request_id"] == response["X-Request-ID"]
    assert access[0]["client_request_id"] == "req-abc"
    assert access[0]["status"] == 200
    assert access[0]["path"] == "/api/v1/settings/"
    # Standard-library loggers (Django's own) get the id too.
    denied = client_as().get("/api/v1/settings/", HTTP_X_REQUEST_ID="req-denied")
    django_lines = [line for line in log_lines if line.get("logger") == "django.request"]
    assert django_lines
    assert django_lines[-1]["request_id"] == denied["X-Request-ID"]
    assert django_lines[-1]["client_request_id"] == "req-denied"


def test_json_format_writes_one_object_per_line():
    config = build_logging_config("json", "INFO")
    formatter = structlog.stdlib.ProcessorFormatter(
        processors=config["formatters"]["structured"]["processors"],
        foreign_pre_chain=config["formatters"]["structured"]["foreign_pre_chain"],
    )
    record = logging.LogRecord(
        "fusionops.test", logging.INFO, __file__, 1, "hello %s", ("x",), None
    )
    line = formatter.format(record)
    assert "\n" not in line
    assert json.loads(line)["event"] == "hello x"


def test_console_format_is_not_json():
    config = build_logging_config("console", "INFO")
    formatter = structlog.stdlib.ProcessorFormatter(
        processors=config["formatters"]["structured"]["processors"],
        foreign_pre_chain=config["formatters"]["structured"]["foreign_pre_chain"],
    )
    record = logging.LogRecord("fusionops.test", logging.INFO, __file__, 1, "hello", (), None)
    line = formatter.format(record)
    assert "hello" in line
    with pytest.raises(json.JSONDecodeError):
        json.loads(line)


def test_an_unknown_log_format_is_refused():
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        build_logging_config("xml", "INFO")
