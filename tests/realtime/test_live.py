"""The portal's real processes: gunicorn, uvicorn and a worker on 127.0.0.1; real
websocket clients and a real browser (Debian's chromium driven by Playwright)."""

import asyncio
import json
import threading
from datetime import timedelta

import pytest
import requests
from django.db import connection
from django.utils import timezone
from websockets.asyncio.client import connect

from apps.resources.services import AllocationItem, allocate
from tests.browser import chromium, screenshots_dir
from tests.factories import UserFactory, issue_token
from tests.resources.factories import ProjectFactory, ResourceFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


async def follow(url: str, token: str, topics: list[str], after_position=None):
    socket = await connect(url, subprotocols=["fusionops.bearer", token], open_timeout=30)
    request = {"action": "subscribe", "topics": topics}
    if after_position is not None:
        request["after_position"] = after_position
    await socket.send(json.dumps(request))
    return socket


async def allocation_messages(socket, until, received: list[dict], *, stop_after=None) -> None:
    """Collect allocation messages until `until()` holds (or `stop_after` were added)."""
    added = 0
    while not until() and (stop_after is None or added < stop_after):
        message = json.loads(await asyncio.wait_for(socket.recv(), 60))
        if message["type"] == "allocationCreated":
            received.append(message)
            added += 1
        elif message["type"] == "ping":
            await socket.send(json.dumps({"action": "pong"}))


def test_a_burst_reaches_every_listener_completely_and_once_even_across_a_reconnect(portal):
    listeners, events, threads = 200, 500, 5
    token = issue_token(UserFactory(roles=["Viewer"]))
    actor = UserFactory(roles=["Operator"])
    project = ProjectFactory()
    resources = ResourceFactory.create_batch(10)
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    slots = [(resource.pk, hour) for resource in resources for hour in range(events // 10)]
    booked: list[int] = []

    def book(share):
        for resource_id, hour in share:
            begins = start + timedelta(hours=hour)
            allocation = allocate(
                project_id=project.pk,
                items=[AllocationItem(resource_id, begins, begins + timedelta(hours=1))],
                actor=actor,
            )[0]
            booked.append(allocation.pk)
        connection.close()

    async def scenario():
        sockets = await asyncio.gather(
            *(follow(portal.ws_url, token, ["allocations"]) for _ in range(listeners))
        )
        for socket in sockets:  # every one has joined before the burst starts
            while json.loads(await socket.recv())["type"] != "subscribed":
                pass
        writers = [threading.Thread(target=book, args=(slots[n::threads],)) for n in range(threads)]
        for writer in writers:
            writer.start()
        received = [[] for _ in sockets]
        # The last listener drops out after 100 messages and comes back with its last position.
        rejoiner = sockets[-1]

        async def rejoin():
            mine = received[-1]
            await allocation_messages(rejoiner, lambda: len(mine) >= events, mine, stop_after=100)
            await rejoiner.close()
            again = await follow(
                portal.ws_url, token, ["allocations"], after_position=mine[-1]["position"]
            )
            await allocation_messages(again, lambda: len(mine) >= events, mine)
            await again.close()

        await asyncio.gather(
            rejoin(),
            *(
                allocation_messages(socket, lambda got=got: len(got) >= events, got)
                for socket, got in zip(sockets[:-1], received[:-1], strict=True)
            ),
        )
        for writer in writers:
            await asyncio.to_thread(writer.join)
        for socket in sockets[:-1]:
            await socket.close()
        return received

    received = asyncio.run(scenario())
    assert len(booked) == events
    for got in received:
        assert sorted(m["data"]["allocation_id"] for m in got) == sorted(booked)
        positions = [m["position"] for m in got]
        assert positions == sorted(set(positions))  # in order, none twice


def test_the_board_shows_bookings_live_and_catches_up_after_its_socket_drops(portal, monkeypatch):
    viewer = UserFactory(roles=["Viewer"])
    operator = {"Authorization": f"Bearer {issue_token(UserFactory(roles=['Operator']))}"}
    project = ProjectFactory()
    first_resource, second_resource = ResourceFactory(name="Crane A"), ResourceFactory()
    this_hour = timezone.now().replace(minute=0, second=0, microsecond=0)

    def book(resource) -> int:
        response = requests.post(
            f"{portal.url}/api/v1/allocate/",
            json={
                "project": project.pk,
                "items": [
                    {
                        "resource": resource.pk,
                        "from": this_hour.isoformat(),
                        "to": (this_hour + timedelta(minutes=59)).isoformat(),
                    }
                ],
            },
            headers=operator,
            timeout=10,
        )
        assert response.status_code == 201, response.text
        return response.json()["allocations"][0]["id"]

    with chromium(monkeypatch) as browser:
        page = browser.page_as(viewer, portal.url, viewport=(1280, 800))
        page.goto(f"{portal.url}/board/")
        page.wait_for_selector('#board-state[data-state="open"]', timeout=10_000)

        allocation = book(first_resource)
        bar = page.wait_for_selector(f'[data-allocation="{allocation}"]', timeout=2_000)
        assert bar.text_content() == project.code
        lane = page.locator(f'[data-resource="{first_resource.pk}"]')
        assert lane.locator(f'[data-allocation="{allocation}"]').count() == 1

        missed = []
        portal.restart_ws(while_down=lambda: missed.append(book(second_resource)))
        page.wait_for_selector(f'[data-allocation="{missed[0]}"]', timeout=20_000)
        page.wait_for_selector('#board-state[data-state="open"]', timeout=5_000)
        page.screenshot(path=screenshots_dir() / "board.png", full_page=True)

        # Tomorrow's booking is drawn on tomorrow: the keyboard moves there.
        this_hour += timedelta(days=1)
        tomorrow = book(first_resource)
        assert page.locator(f'[data-allocation="{tomorrow}"]').count() == 0
        page.keyboard.press("ArrowRight")
        page.wait_for_selector(f'[data-allocation="{tomorrow}"]', timeout=10_000)
        assert f"date={this_hour.date().isoformat()}" in page.url
        # Readable on a phone: the lanes keep the screen's width.
        page.set_viewport_size({"width": 390, "height": 844})
        page.keyboard.press("w")
        page.wait_for_selector('#board-week[aria-current="page"]', timeout=10_000)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 400, width
        page.screenshot(path=screenshots_dir() / "board-phone-week.png", full_page=True)
