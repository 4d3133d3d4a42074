"""Websocket tests: consumers in this process (Channels' communicator), the real pub/sub
layer on Redis, the real log and sealer in PostgreSQL."""

import asyncio
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import connections
from django.test import Client
from django.utils import timezone

from apps.eventlog.sealing import audit_seal_and_follow
from apps.realtime.routing import websocket_application
from apps.resources.services import AllocationItem, allocate
from tests.factories import UserFactory
from tests.resources.factories import ProjectFactory, ResourceFactory

# A page of the portal (port 8000) opening its socket on the websocket port.
BROWSER = ((b"host", b"127.0.0.1:8001"), (b"origin", b"http://127.0.0.1:8000"))


def run(scenario):
    """Run an async scenario; close the connections its database calls opened."""

    async def closing():
        try:
            return await scenario
        finally:
            await database_sync_to_async(connections.close_all)()

    return asyncio.run(closing())


def session_cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}".encode()


async def open_socket(
    *, cookie: bytes | None = None, subprotocols=None, headers=BROWSER, path="/ws/notify/"
):
    all_headers = list(headers) + ([(b"cookie", cookie)] if cookie else [])
    socket = WebsocketCommunicator(
        websocket_application(), path, headers=all_headers, subprotocols=subprotocols
    )
    connected, subprotocol = await socket.connect(timeout=5)
    socket.subprotocol = subprotocol
    assert connected
    return socket


async def subscribe(socket, topics, *, after_position=None) -> list[dict]:
    """Subscribe; returns everything the server sent up to its `subscribed` answer."""
    request = {"action": "subscribe", "topics": topics}
    if after_position is not None:
        request["after_position"] = after_position
    await socket.send_json_to(request)
    received = []
    while not received or received[-1]["type"] != "subscribed":
        received.append(await socket.receive_json_from(timeout=5))
    return received


async def publish() -> None:
    """What the worker does when events commit: seal them, publish the sealed stream."""
    await database_sync_to_async(audit_seal_and_follow)()


async def messages(socket, count: int, timeout: float = 5) -> list[dict]:
    return [await socket.receive_json_from(timeout=timeout) for _ in range(count)]


@pytest.fixture
def booker():
    """book(hour=…) books a new one-hour allocation today on a resource of one project."""
    user = UserFactory(roles=["Operator"])
    project = ProjectFactory()
    resource = ResourceFactory()
    start = timezone.now().replace(minute=0, second=0, microsecond=0)

    def book(slot: int, *, on_project=None, on_resource=None):
        begins = start + timedelta(hours=slot)
        return allocate(
            project_id=(on_project or project).pk,
            items=[
                AllocationItem((on_resource or resource).pk, begins, begins + timedelta(hours=1))
            ],
            actor=user,
        )[0]

    book.project = project
    book.resource = resource
    book.user = user
    return book
