"""Subscriptions over the portal's real processes: a graphql-transport-ws client on the
websocket process receives a booking made over REST, resumes after a dropped socket from
the last position it saw, and is refused without credentials."""

import asyncio
import json
from datetime import timedelta

import pytest
import requests
from asgiref.sync import async_to_sync
from django.utils import timezone
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.factories import UserFactory, issue_token
from tests.processes import Portal
from tests.resources.factories import ProjectFactory, ResourceFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PROTOCOL = "graphql-transport-ws"
ALLOCATIONS = """subscription($after: Int) {
  allocations(afterPosition: $after) { type position eventId data }
}"""


@pytest.fixture
def portal():
    started = Portal(REALTIME_HEARTBEAT_SECONDS="1")
    yield started
    started.stop()


def book_over_rest(portal, token: str, project, resource, day: int) -> int:
    begins = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=day)
    response = requests.post(
        f"{portal.url}/api/v1/allocate/",
        json={"project": project.pk, "items": [{
            "resource": resource.pk, "from": begins.isoformat(),
            "to": (begins + timedelta(hours=1)).isoformat(),
        }]},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )  # fmt: skip
    assert response.status_code == 201, response.text
    return response.json()["allocations"][0]["id"]


class Client:
    """A graphql-transport-ws client (as the graphql-ws library speaks it)."""

    def __init__(self, socket):
        self.socket = socket

    @classmethod
    async def open(cls, portal, token: str | None):
        socket = await connect(
            f"ws://127.0.0.1:{portal.ws_port}/ws/graphql/", subprotocols=[PROTOCOL]
        )
        client = cls(socket)
        payload = {"authorization": f"Bearer {token}"} if token else {}
        await client.send({"type": "connection_init", "payload": payload})
        return client

    async def send(self, message: dict) -> None:
        await self.socket.send(json.dumps(message))

    async def receive(self, timeout: float = 20) -> dict:
        while True:
            message = json.loads(await asyncio.wait_for(self.socket.recv(), timeout))
            if message["type"] == "ping":
                await self.send({"type": "pong"})
                continue
            return message

    async def subscribe(self, query: str, **variables) -> None:
        await self.send({"id": "1", "type": "subscribe",
                         "payload": {"query": query, "variables": variables}})  # fmt: skip


def test_a_booking_made_over_rest_arrives_and_a_dropped_socket_resumes_after_its_position(
    portal,
):
    viewer = issue_token(UserFactory(roles=["Viewer"]))
    operator = issue_token(UserFactory(roles=["Operator"]))
    project, crane = ProjectFactory(), ResourceFactory()

    async def scenario():
        client = await Client.open(portal, viewer)
        assert (await client.receive())["type"] == "connection_ack"
        await client.subscribe(ALLOCATIONS)
        await asyncio.sleep(0.5)  # the subscription joins the stream
        first = await asyncio.to_thread(book_over_rest, portal, operator, project, crane, 2)
        seen = await client.receive()
        await client.socket.close()  # the socket drops; a booking is made meanwhile
        second = await asyncio.to_thread(book_over_rest, portal, operator, project, crane, 3)

        again = await Client.open(portal, viewer)
        assert (await again.receive())["type"] == "connection_ack"
        last = seen["payload"]["data"]["allocations"]["position"]
        await again.subscribe(ALLOCATIONS, after=last)
        resumed = await again.receive()
        await again.socket.close()
        return first, second, seen, resumed

    first, second, seen, resumed = async_to_sync(scenario)()

    message = seen["payload"]["data"]["allocations"]
    assert seen["type"] == "next"
    assert message["type"] == "allocationCreated"
    assert message["data"]["allocation_id"] == first
    missed = resumed["payload"]["data"]["allocations"]
    assert missed["type"] == "allocationCreated"
    assert missed["data"]["allocation_id"] == second
    assert missed["position"] > message["position"]


def test_a_socket_without_credentials_is_closed_and_a_forbidden_topic_is_an_error(portal):
    warehouse = issue_token(UserFactory(roles=["Warehouse"]))

    async def scenario():
        anonymous = await Client.open(portal, None)
        try:
            await anonymous.receive()
            closed = None
        except ConnectionClosed as error:
            closed = error.rcvd.code
        client = await Client.open(portal, warehouse)
        await client.receive()  # connection_ack
        await client.subscribe(ALLOCATIONS)
        refused = await client.receive()
        await client.send({"id": "2", "type": "subscribe",
                           "payload": {"query": "{ projects { totalCount } }"}})  # fmt: skip
        query = await client.receive()
        while query.get("id") != "2":  # the refused subscription's complete comes first
            query = await client.receive()
        await client.socket.close()
        return closed, refused, query

    closed, refused, query = async_to_sync(scenario)()

    assert closed == 4403
    assert refused["type"] == "error" or "errors" in refused["payload"]
    assert "FORBIDDEN" in json.dumps(refused)
    assert "over HTTP" in json.dumps(query)
