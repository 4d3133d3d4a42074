"""Service-level counters: bookings and conflicts, refused credentials."""

from datetime import timedelta

import pytest
from django.utils import timezone
from prometheus_client import REGISTRY

from tests.resources.factories import ProjectFactory, ResourceFactory

pytestmark = pytest.mark.django_db


def sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_bookings_count_when_committed_and_conflicts_when_refused(
    client_as, django_capture_on_commit_callbacks
):
    operator = client_as("Operator")
    resource, project = ResourceFactory(), ProjectFactory()
    begins = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    body = {
        "project": project.pk,
        "items": [{"resource": resource.pk, "from": begins.isoformat(),
                   "to": (begins + timedelta(hours=1)).isoformat()}],
    }  # fmt: skip
    booked, conflicts = (
        sample("fusionops_bookings_total", outcome="booked"),
        sample("fusionops_bookings_total", outcome="conflict"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert operator.post("/api/v1/allocate", body, format="json").status_code == 201
    assert operator.post("/api/v1/allocate", body, format="json").status_code == 409
    assert sample("fusionops_bookings_total", outcome="booked") == booked + 1
    assert sample("fusionops_bookings_total", outcome="conflict") == conflicts + 1


def test_refused_tokens_and_sign_ins_are_counted(api_client, client, settings):
    tokens, sign_ins = (
        sample("fusionops_auth_failures_total", kind="token"),
        sample("fusionops_auth_failures_total", kind="sign_in"),
    )
    api_client.credentials(HTTP_AUTHORIZATION="Bearer fo_not-a-real-token")
    assert api_client.get("/api/v1/settings/").status_code == 401
    client.post("/admin/login/", {"username": "nobody", "password": "wrong"})
    assert sample("fusionops_auth_failures_total", kind="token") == tokens + 1
    assert sample("fusionops_auth_failures_total", kind="sign_in") == sign_ins + 1
