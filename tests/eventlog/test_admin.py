"""The log in the admin: read-only for everyone, and every object's History leads to it."""

import pytest
from django.db import transaction

from apps.eventlog.models import Event
from apps.eventlog.services import event_emit
from tests.eventsapp.events import declared
from tests.factories import SystemSettingFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_even_a_superuser_can_only_read_the_log(superuser_client):
    with transaction.atomic():
        made = event_emit(
            declared("testing.admin.viewed"), aggregate_id="1", payload={"secret": False},
            actor=None,
        )  # fmt: skip
    listing = superuser_client.get("/admin/eventlog/event/?type=testing.admin.viewed")
    assert listing.status_code == 200
    assert "testing.admin.viewed" in listing.content.decode()
    detail = superuser_client.get(f"/admin/eventlog/event/{made.id}/change/")
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()
    assert superuser_client.get("/admin/eventlog/event/add/").status_code == 403
    assert (
        superuser_client.post(
            f"/admin/eventlog/event/{made.id}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    assert Event.objects.filter(id=made.id).exists()


def test_an_auditor_reads_the_log_in_the_admin(client):
    client.force_login(UserFactory(is_staff=True, roles=["AuditViewer"]))
    assert client.get("/admin/eventlog/event/").status_code == 200
    assert client.get("/admin/core/systemsetting/").status_code == 403


def test_history_of_a_setting_opens_its_events(superuser_client, client_as):
    client_as("Admin").put("/api/v1/settings/portal.motto/", {"value": "ship it"})
    SystemSettingFactory(key="portal.other")
    history = superuser_client.get("/admin/core/systemsetting/portal.motto/history/")
    assert history.status_code == 302
    assert history["Location"].startswith("/admin/eventlog/event/?")
    page = superuser_client.get(history["Location"]).content.decode()
    assert "core.setting.changed" in page
    assert "portal.motto" in page
