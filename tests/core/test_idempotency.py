"""Idempotency-Key: a retried POST is answered from the first, and never writes twice."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from apps.core.idempotency import idempotency_keys_purge
from apps.core.models import IdempotencyKey
from apps.inventory.models import StockMovement
from apps.platform.db import raw_connection
from tests.factories import UserFactory, issue_token
from tests.helpers import assert_problem
from tests.inventory.factories import ItemFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


def receive(client, key, quantity="1", item=None, location=None):
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    return client.post(
        "/api/v1/stock/receive/",
        {"item": item.pk, "location": location.pk, "quantity": quantity},
        format="json",
        **headers,
    )


@pytest.fixture
def stock(client_as):
    return client_as("Warehouse"), ItemFactory(), WarehouseFactory()


def test_a_repeated_request_is_answered_from_the_first_and_writes_once(stock):
    client, item, location = stock
    first = receive(client, "order-17-receipt", item=item, location=location)
    again = receive(client, "order-17-receipt", item=item, location=location)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert StockMovement.objects.filter(item=item).count() == 1


def test_the_same_key_with_another_body_is_a_422(stock):
    client, item, location = stock
    receive(client, "k-1", item=item, location=location)
    other = receive(client, "k-1", quantity="2", item=item, location=location)
    assert_problem(other, 422, "idempotency-key-reused")
    assert StockMovement.objects.filter(item=item).count() == 1


def test_keys_belong_to_their_caller(stock, client_as):
    client, item, location = stock
    receive(client, "shared", item=item, location=location)
    receive(client_as("Warehouse"), "shared", item=item, location=location)
    assert StockMovement.objects.filter(item=item).count() == 2


def test_a_failed_request_keeps_no_key_so_a_retry_runs(stock):
    client, item, location = stock
    refused = client.post(
        "/api/v1/stock/issue/",
        {"item": item.pk, "location": location.pk, "quantity": "5"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="issue-1",
    )
    assert_problem(refused, 409, "insufficient-stock")
    assert not IdempotencyKey.objects.filter(key="issue-1").exists()
    receive(client, None, quantity="5", item=item, location=location)
    retried = client.post(
        "/api/v1/stock/issue/",
        {"item": item.pk, "location": location.pk, "quantity": "5"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="issue-1",
    )
    assert retried.status_code == 201


@pytest.mark.parametrize("key", ["", "x" * 256, "tab\there", "ключ"])
def test_malformed_keys_are_400s(stock, key):
    client, item, location = stock
    assert_problem(receive(client, key, item=item, location=location), 400)
    assert not StockMovement.objects.exists()


def test_an_expired_key_is_claimed_afresh_and_the_worker_purges_them(stock):
    client, item, location = stock
    receive(client, "old", item=item, location=location)
    IdempotencyKey.objects.filter(key="old").update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert receive(client, "old", item=item, location=location).status_code == 201
    assert StockMovement.objects.filter(item=item).count() == 2
    IdempotencyKey.objects.filter(key="old").update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert idempotency_keys_purge() == 1


def test_a_key_is_required_where_the_endpoint_says_so(rf):
    from rest_framework.permissions import AllowAny
    from rest_framework.response import Response
    from rest_framework.views import APIView

    from apps.core.idempotency import idempotent

    class Orders(APIView):
        permission_classes = [AllowAny]
        authentication_classes = []

        @idempotent(required=True)
        def post(self, request):
            return Response({"created": True}, status=201)

    response = Orders.as_view()(rf.post("/orders", {}, content_type="application/json"))
    assert response.status_code == 400
    assert "idempotency-key-required" in response.content.decode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_duplicates_create_once_and_the_other_replays():
    from rest_framework.test import APIClient

    user = UserFactory(roles=["Warehouse"])
    token = issue_token(user)
    item, location = ItemFactory(), WarehouseFactory()
    start = threading.Barrier(4)
    answers = []

    def post():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        start.wait(timeout=10)
        try:
            answers.append(receive(client, "burst", item=item, location=location))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [a.status_code for a in answers] == [201] * 4
    assert sum(a.has_header("Idempotent-Replayed") for a in answers) == 3
    assert len({a.content for a in answers}) == 1
    assert StockMovement.objects.filter(item=item).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@override_settings(IDEMPOTENCY_WAIT_SECONDS=0.5)
def test_a_retry_that_waits_too_long_is_a_409_with_retry_after():
    from rest_framework.test import APIClient

    user = UserFactory(roles=["Warehouse"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token(user)}")
    item, location = ItemFactory(), WarehouseFactory()
    now = timezone.now()
    # Another request holds the key in its uncommitted transaction.
    with raw_connection(autocommit=False) as holder:
        holder.execute(
            "INSERT INTO core_idempotencykey (owner, key, request_hash, status_code,"
            " response_body, response_headers, created_at, expires_at)"
            " VALUES (%s, 'slow', 'x', NULL, '', '{}', %s, %s)",
            [f"user:{user.pk}", now, now + timedelta(hours=1)],
        )
        response = receive(client, "slow", item=item, location=location)
        holder.rollback()
    problem = assert_problem(response, 409, "idempotency-key-in-flight")
    assert response["Retry-After"] == "1"
    assert problem["status"] == 409
    assert not StockMovement.objects.filter(item=item).exists()
