"""Sixteen clients booking overlapping windows at once: never a double booking, and every
refusal names a booking that really is in the way."""

import random
import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from rest_framework.test import APIClient

from tests.factories import UserFactory, issue_token
from tests.resources.factories import ProjectFactory, ResourceFactory

START = datetime(2027, 6, 1, 8, tzinfo=UTC)
THREADS = 16
ATTEMPTS_PER_THREAD = 25


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_overlapping_bookings_never_double_book():
    resources = ResourceFactory.create_batch(5)
    project = ProjectFactory()
    token = issue_token(UserFactory(roles=["Operator"]))
    outcomes = []  # (status, request body, response body)
    failures = []

    def client_thread(seed):
        rng = random.Random(seed)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        try:
            for _ in range(ATTEMPTS_PER_THREAD):
                # Two-hour slots starting on any half hour of a short day: many overlaps.
                picked = rng.sample(resources, rng.choice([1, 1, 2]))
                start = START + timedelta(minutes=30 * rng.randrange(12))
                body = {
                    "project": project.pk,
                    "items": [
                        {
                            "resource": r.pk,
                            "from": start.isoformat(),
                            "to": (start + timedelta(hours=2)).isoformat(),
                        }
                        for r in picked
                    ],
                }
                response = client.post("/api/v1/allocate/", body, format="json")
                outcomes.append((response.status_code, body, response.json()))
        except Exception as exc:
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=client_thread, args=(seed,)) for seed in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not any(thread.is_alive() for thread in threads)
    assert failures == []
    assert {status for status, _body, _response in outcomes} <= {201, 409}
    assert any(status == 201 for status, _b, _r in outcomes)
    assert any(status == 409 for status, _b, _r in outcomes)

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM resources_allocation a
            JOIN resources_allocation b
              ON a.resource_id = b.resource_id AND a.id < b.id AND a.period && b.period
            WHERE a.status = 'booked' AND b.status = 'booked'
            """
        )
        assert cursor.fetchone()[0] == 0
        cursor.execute(
            "SELECT id, resource_id, lower(period), upper(period) FROM resources_allocation"
        )
        booked = {row[0]: row[1:] for row in cursor.fetchall()}

    for status, body, response in outcomes:
        if status != 409:
            continue
        assert response["conflicts"], response
        for conflict in response["conflicts"]:
            resource_id, lower, upper = booked[conflict["allocation"]]
            item = body["items"][conflict["item"]]
            assert resource_id == conflict["resource"] == item["resource"]
            wanted_from = datetime.fromisoformat(item["from"])
            wanted_to = datetime.fromisoformat(item["to"])
            assert lower < wanted_to and wanted_from < upper
