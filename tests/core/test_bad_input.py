"""Bad input of any shape is a 4xx problem, never a 500, and writes nothing."""

import base64
import json

import pytest

from apps.core.models import SystemSetting
from tests.factories import SystemSettingFactory
from tests.helpers import assert_problem

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["a\x00b", {"k\x00": 1}, [["nested \x00"]]])
def test_a_nul_character_in_a_value_is_a_field_error(client_as, value):
    body = assert_problem(client_as("Admin").put("/api/v1/settings/k/", {"value": value}), 400)
    assert "value" in body["errors"]
    assert not SystemSetting.objects.filter(key="k").exists()


@pytest.mark.parametrize("method", ["get", "delete"])
def test_a_nul_character_in_the_path_is_a_400(client_as, method):
    response = getattr(client_as("Admin"), method)("/api/v1/settings/a/%00b")
    assert_problem(response, 400)


def test_a_nul_character_in_a_filter_is_a_400(client_as):
    assert_problem(client_as("Viewer").get("/api/v1/settings/", {"prefix": "a\x00"}), 400)


def test_a_cursor_pointing_at_an_impossible_position_is_a_400(client_as):
    cursor = base64.b64encode(b"p=a\x00b").decode()
    refused = assert_problem(client_as("Viewer").get("/api/v1/settings/", {"cursor": cursor}), 400)
    assert "cursor" in refused["errors"]


def test_json_nested_too_deeply_is_a_400(client_as):
    deep = "[" * 100_000 + "]" * 100_000
    response = client_as("Admin").put(
        "/api/v1/settings/deep/", data='{"value": ' + deep + "}", content_type="application/json"
    )
    assert_problem(response, 400, "malformed-request")


def test_a_body_over_the_upload_limit_is_a_413(client_as, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client_as("Admin").put(
        "/api/v1/settings/big/",
        data=json.dumps({"value": "x" * 2000}),
        content_type="application/json",
    )
    assert_problem(response, 413, "request-too-large")
    assert not SystemSetting.objects.filter(key="big").exists()


@pytest.mark.parametrize("key", [".", "..", "-lead", "_lead"])
def test_keys_must_start_with_a_letter_or_digit(client_as, key):
    response = client_as("Admin").put(f"/api/v1/settings/{key}/", {"value": 1})
    assert response.status_code in (400, 404)  # '..' may be normalized away by the client
    assert not SystemSetting.objects.filter(key=key).exists()


def test_reading_a_key_that_cannot_exist_is_a_plain_404(client_as):
    SystemSettingFactory(key="fine")
    assert_problem(client_as("Viewer").get("/api/v1/settings/" + "k" * 300), 404)


def test_a_request_id_with_a_trailing_newline_is_replaced(client):
    response = client.get("/health/live", HTTP_X_REQUEST_ID="abc\n")
    assert response.status_code == 200
    assert response["X-Request-ID"] != "abc\n"


def test_a_value_nested_too_deeply_is_a_field_error(client_as):
    value = 1
    for _ in range(70):
        value = [value]
    body = assert_problem(client_as("Admin").put("/api/v1/settings/deep/", {"value": value}), 400)
    assert "value" in body["errors"]
