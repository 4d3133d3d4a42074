"""GET /api/v1/settings/, GET|PUT|DELETE /api/v1/settings/{key}/: Viewer reads, Admin writes."""

import json

import pytest

from apps.core.models import SystemSetting
from apps.core.validators import SETTING_VALUE_MAX_BYTES
from tests.factories import SystemSettingFactory
from tests.helpers import assert_problem

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/settings/"


def detail_url(key):
    return f"/api/v1/settings/{key}/"


def test_anonymous_gets_401_with_bearer_challenge(api_client):
    response = api_client.get(LIST_URL)
    assert_problem(response, 401, "not-authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_user_without_a_role_gets_403(client_as):
    assert_problem(client_as().get(LIST_URL), 403, "permission-denied")
    assert_problem(client_as().get(detail_url("portal.name")), 403, "permission-denied")


def test_viewer_lists_settings_in_key_order_one_page_at_a_time(client_as):
    SystemSetting.objects.all().delete()
    SystemSettingFactory(key="b.second", value=2)
    SystemSettingFactory(key="a.first", value={"x": [1, 2]})
    SystemSettingFactory(key="c.third", value=3)
    viewer = client_as("Viewer")
    first = viewer.get(LIST_URL, {"page_size": 2}).json()
    assert [row["key"] for row in first["results"]] == ["a.first", "b.second"]
    assert first["results"][0]["value"] == {"x": [1, 2]}
    assert first["previous"] is None
    # A row inserted before the cursor does not shift the next page.
    SystemSettingFactory(key="a.inserted", value=0)
    second = viewer.get(first["next"]).json()
    assert [row["key"] for row in second["results"]] == ["c.third"]
    assert second["next"] is None


def test_an_invalid_cursor_is_a_400_problem(client_as):
    assert_problem(client_as("Viewer").get(LIST_URL, {"cursor": "bogus"}), 400)


def test_listed_rows_name_who_changed_them(client_as):
    admin = client_as("Admin")
    admin.put(detail_url("by.whom"), {"value": 1})
    SystemSettingFactory(key="by.nobody")
    rows = {row["key"]: row for row in client_as("Viewer").get(LIST_URL).json()["results"]}
    assert rows["by.whom"]["updated_by"] == admin.user.username
    assert rows["by.nobody"]["updated_by"] is None


def test_list_filters_by_key_prefix(client_as):
    SystemSettingFactory(key="orders.pricing", value=1)
    SystemSettingFactory(key="orders.limits", value=2)
    SystemSettingFactory(key="inventory.defaults", value=3)
    response = client_as("Viewer").get(LIST_URL, {"prefix": "orders."})
    assert sorted(row["key"] for row in response.json()["results"]) == [
        "orders.limits",
        "orders.pricing",
    ]


def test_viewer_reads_one_setting(client_as):
    SystemSettingFactory(key="portal.locale", value="en", description="Default language")
    response = client_as("Viewer").get(detail_url("portal.locale"))
    assert response.status_code == 200
    assert response.json()["value"] == "en"
    assert response.json()["description"] == "Default language"


def test_reading_a_missing_setting_is_404(client_as):
    body = assert_problem(client_as("Viewer").get(detail_url("no.such.key")), 404, "not-found")
    assert "no.such.key" in body["detail"]


def test_viewer_cannot_write_or_delete(client_as):
    SystemSettingFactory(key="portal.locale", value="en")
    viewer = client_as("Viewer")
    assert_problem(viewer.put(detail_url("portal.locale"), {"value": "ru"}), 403)
    assert_problem(viewer.delete(detail_url("portal.locale")), 403)
    assert SystemSetting.objects.get(key="portal.locale").value == "en"


def test_admin_creates_a_setting_with_201_and_location(client_as):
    admin = client_as("Admin")
    response = admin.put(
        detail_url("orders.discount"),
        {"value": {"percent": 5, "above": 1000}, "description": "Volume discount"},
    )
    assert response.status_code == 201
    assert response["Location"] == detail_url("orders.discount")
    assert response.json()["updated_by"] == admin.user.username
    stored = SystemSetting.objects.get(key="orders.discount")
    assert stored.value == {"percent": 5, "above": 1000}
    assert stored.updated_by == admin.user


def test_admin_replaces_a_value_and_keeps_the_description_when_omitted(client_as):
    SystemSettingFactory(key="orders.discount", value=1, description="Volume discount")
    response = client_as("Admin").put(detail_url("orders.discount"), {"value": [1, 2, 3]})
    assert response.status_code == 200
    stored = SystemSetting.objects.get(key="orders.discount")
    assert stored.value == [1, 2, 3]
    assert stored.description == "Volume discount"


@pytest.mark.parametrize(
    "key",
    ["Upper.Case", "with space", "semi;colon", "ключ", "k" * 129],
)
def test_invalid_keys_are_refused_with_a_field_error(client_as, key):
    response = client_as("Admin").put(detail_url(key), {"value": 1})
    body = assert_problem(response, 400, "validation-error")
    assert "key" in body["errors"]
    assert not SystemSetting.objects.filter(key=key).exists()


def test_longest_allowed_key_is_accepted(client_as):
    key = "k" * 128
    assert client_as("Admin").put(detail_url(key), {"value": 1}).status_code == 201


def test_value_of_exactly_64_kib_is_accepted_and_one_byte_more_refused(client_as):
    admin = client_as("Admin")
    overhead = len(json.dumps(""))  # the quotes around a JSON string
    fits = "x" * (SETTING_VALUE_MAX_BYTES - overhead)
    assert admin.put(detail_url("big.value"), {"value": fits}).status_code == 201

    response = admin.put(detail_url("too.big"), {"value": fits + "x"})
    body = assert_problem(response, 400, "validation-error")
    assert "value" in body["errors"]
    assert not SystemSetting.objects.filter(key="too.big").exists()


@pytest.mark.parametrize("payload", [{}, {"value": None}, {"description": "no value"}])
def test_a_missing_or_null_value_is_refused(client_as, payload):
    body = assert_problem(client_as("Admin").put(detail_url("a.key"), payload), 400)
    assert "value" in body["errors"]
    assert not SystemSetting.objects.filter(key="a.key").exists()


def test_malformed_json_is_a_400_problem(client_as):
    response = client_as("Admin").put(
        detail_url("a.key"), data="{not json", content_type="application/json"
    )
    assert_problem(response, 400, "malformed-request")


def test_unsupported_media_type_is_a_415_problem(client_as):
    response = client_as("Admin").put(
        detail_url("a.key"), data="<value/>", content_type="application/xml"
    )
    assert_problem(response, 415, "unsupported-media-type")


def test_admin_deletes_a_setting_and_deleting_again_is_404(client_as):
    SystemSettingFactory(key="to.delete")
    admin = client_as("Admin")
    assert admin.delete(detail_url("to.delete")).status_code == 204
    assert not SystemSetting.objects.filter(key="to.delete").exists()
    assert_problem(admin.delete(detail_url("to.delete")), 404, "not-found")


def test_post_to_the_list_is_405(client_as):
    assert_problem(client_as("Admin").post(LIST_URL, {"value": 1}), 405, "method-not-allowed")


def test_session_login_works_for_the_browsable_api(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory(roles=["Viewer"]))
    response = client.get(LIST_URL, HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


def test_session_writes_need_the_csrf_token(client_as):
    from rest_framework.test import APIClient

    from tests.factories import UserFactory

    session_client = APIClient(enforce_csrf_checks=True)
    session_client.force_login(UserFactory(roles=["Admin"]))
    response = session_client.put(detail_url("csrf.check"), {"value": 1}, format="json")
    body = assert_problem(response, 403, "permission-denied")
    assert "CSRF" in body["detail"]


def test_times_are_utc_iso_8601_whatever_the_active_time_zone(client_as):
    from datetime import datetime

    from django.utils import timezone

    SystemSettingFactory(key="when")
    with timezone.override("Asia/Tokyo"):
        row = client_as("Viewer").get(detail_url("when")).json()
    assert row["updated_at"].endswith("Z")
    parsed = datetime.fromisoformat(row["updated_at"])
    assert parsed == SystemSetting.objects.get(key="when").updated_at


@pytest.mark.parametrize("page_size", ["0", "501", "abc", "2.5", "-1", ""])
def test_a_page_size_the_schema_does_not_allow_is_refused(client_as, page_size):
    answer = client_as("Viewer").get(LIST_URL, {"page_size": page_size})
    assert answer.status_code == 400
    assert "page_size" in answer.json()["errors"]


def test_the_largest_page_is_allowed(client_as):
    assert client_as("Viewer").get(LIST_URL, {"page_size": "500"}).status_code == 200
