"""/ws/notify/: who may connect, what they may follow, what they receive, and resuming."""

import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from apps.eventlog.models import Event, Seal
from apps.inventory.services import stock_issue, stock_receive, stock_thresholds_set
from apps.realtime.consumers import BEARER_SUBPROTOCOL
from apps.realtime.models import StreamCursor
from apps.resources.services import allocation_cancel
from tests.factories import UserFactory, issue_token
from tests.inventory.factories import ItemFactory, WarehouseFactory
from tests.realtime.conftest import (
    messages,
    open_socket,
    publish,
    run,
    session_cookie,
    subscribe,
)
from tests.resources.factories import ProjectFactory, ResourceFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ENVELOPE = {"type", "position", "seq", "event_id", "occurred_at", "version", "data"}


def lose_what_is_sealed():
    """Seal what committed and move the stream past it without publishing: as if its
    batch never reached the websocket process."""
    from apps.eventlog.sealing import audit_seal_pending

    while audit_seal_pending():
        pass
    head = Seal.objects.order_by("-position")[0].position
    StreamCursor.objects.update_or_create(
        pk=1, defaults={"position": head, "published_at": timezone.now()}
    )


def position_of(event_id) -> int:
    return Seal.objects.get(event_id=event_id).position


def event_of(allocation, event_type="resources.allocation.created") -> Event:
    return Event.objects.get(type=event_type, aggregate_id=str(allocation.pk))


# --- identity ---------------------------------------------------------------------------


def test_a_socket_without_identity_is_closed_with_4401():
    async def scenario():
        socket = await open_socket()
        closed = await socket.receive_output(timeout=5)
        assert closed == {"type": "websocket.close", "code": 4401}

    run(scenario())


@pytest.mark.parametrize("offered", [["fusionops.bearer", "fo_not-a-token"], ["fusionops.bearer"]])
def test_a_bad_or_missing_bearer_token_is_closed_with_4401(offered):
    async def scenario():
        socket = await open_socket(subprotocols=offered)
        assert socket.subprotocol == BEARER_SUBPROTOCOL
        assert (await socket.receive_output(timeout=5))["code"] == 4401

    run(scenario())


def test_a_revoked_users_session_is_closed_with_4401():
    user = UserFactory(roles=["Viewer"])
    cookie = session_cookie(user)
    user.is_active = False
    user.save()

    async def scenario():
        socket = await open_socket(cookie=cookie)
        assert (await socket.receive_output(timeout=5))["code"] == 4401

    run(scenario())


def test_an_integration_authenticates_with_the_bearer_subprotocol():
    token = issue_token(UserFactory(roles=["Viewer"]))

    async def scenario():
        # No Origin: integrations are not browsers.
        socket = await open_socket(subprotocols=[BEARER_SUBPROTOCOL, token], headers=())
        assert socket.subprotocol == BEARER_SUBPROTOCOL
        answer = await subscribe(socket, ["allocations"])
        assert answer[-1]["topics"] == ["allocations"]
        await socket.disconnect()

    run(scenario())


def test_the_token_is_never_logged(log_lines):
    token = issue_token(UserFactory(roles=["Viewer"]))

    async def scenario():
        socket = await open_socket(subprotocols=[BEARER_SUBPROTOCOL, token], headers=())
        await subscribe(socket, ["allocations"])
        await socket.disconnect()
        bad = await open_socket(subprotocols=[BEARER_SUBPROTOCOL, token + "x"], headers=())
        await bad.receive_output(timeout=5)

    run(scenario())
    assert log_lines
    assert not [line for line in log_lines if token in str(line)]


def test_a_page_of_another_site_cannot_open_a_socket_with_the_users_cookie():
    cookie = session_cookie(UserFactory(roles=["Viewer"]))

    async def scenario():
        from channels.testing import WebsocketCommunicator

        from apps.realtime.routing import websocket_application

        socket = WebsocketCommunicator(
            websocket_application(),
            "/ws/notify/",
            headers=[
                (b"host", b"127.0.0.1:8001"),
                (b"origin", b"https://evil.example"),
                (b"cookie", cookie),
            ],
        )
        connected, _ = await socket.connect(timeout=5)
        assert not connected

    run(scenario())


# --- topics -----------------------------------------------------------------------------

# Which role may follow which topic: tests/access (the role matrix).


def test_unknown_topics_and_bad_requests_get_an_error_and_the_socket_stays_open():
    cookie = session_cookie(UserFactory(roles=["Viewer"]))

    async def scenario():
        socket = await open_socket(cookie=cookie)
        answer = await subscribe(socket, ["weather", "project:999999", "project:abc"])
        assert [m["code"] for m in answer[:-1]] == ["unknown-topic"] * 3
        assert answer[-1] == {"type": "subscribed", "topics": [], "position": None, "seq": None}
        await socket.send_to(text_data="not json")
        assert (await socket.receive_json_from())["code"] == "bad-request"
        await socket.send_json_to(
            {"action": "subscribe", "topics": ["allocations"], "after_position": -1}
        )
        assert (await socket.receive_json_from())["code"] == "bad-request"
        await socket.send_json_to({"action": "dance"})
        assert (await socket.receive_json_from())["code"] == "bad-request"
        await socket.send_json_to({"action": "ping"})
        assert await socket.receive_json_from() == {"type": "pong"}
        await socket.disconnect()

    run(scenario())


# --- messages ---------------------------------------------------------------------------


def test_a_booking_and_its_cancellation_reach_followers_of_allocations_and_of_the_project(booker):
    viewer = session_cookie(UserFactory(roles=["Viewer"]))
    other_project = ProjectFactory()

    async def scenario():
        everything = await open_socket(cookie=viewer)
        one_project = await open_socket(cookie=viewer)
        another = await open_socket(cookie=viewer)
        await subscribe(everything, ["allocations"])
        await subscribe(one_project, [f"project:{booker.project.pk}"])
        await subscribe(another, [f"project:{other_project.pk}"])

        from channels.db import database_sync_to_async

        allocation = await database_sync_to_async(booker)(1)
        await database_sync_to_async(allocation_cancel)(
            allocation_id=allocation.pk, actor=booker.user, reason="rain"
        )
        await publish()
        created, updated = await messages(everything, 2)
        assert set(created) == ENVELOPE
        assert created["type"] == "allocationCreated"
        event = await database_sync_to_async(event_of)(allocation)
        assert created["event_id"] == str(event.id)
        assert created["position"] == await database_sync_to_async(position_of)(event.id)
        assert created["occurred_at"] == event.occurred_at.isoformat()
        assert created["data"]["allocation_id"] == allocation.pk
        assert created["data"]["resource_id"] == booker.resource.pk
        assert created["data"]["status"] == "booked"
        assert updated["type"] == "allocationCancelled"
        assert updated["position"] == created["position"] + 1
        assert updated["data"]["status"] == "cancelled"
        assert await messages(one_project, 2) == [created, updated]
        assert await another.receive_nothing(timeout=0.3)
        for socket in (everything, one_project, another):
            await socket.disconnect()

    run(scenario())


def test_the_data_is_the_public_contract_not_the_internal_payload(booker, monkeypatch):
    """A field the internal payload gains does not reach clients; the contract's do."""
    from channels.db import database_sync_to_async

    from apps.resources import events

    cookie = session_cookie(UserFactory(roles=["Viewer"]))
    builder = events.allocation_payload
    monkeypatch.setattr(
        "apps.resources.services.allocation_payload",
        lambda allocation: {**builder(allocation), "internal_cost": "12.00"},
    )

    async def scenario():
        socket = await open_socket(cookie=cookie)
        await subscribe(socket, ["allocations"])
        allocation = await database_sync_to_async(booker)(1)
        await publish()
        created = await socket.receive_json_from(timeout=5)
        assert created["version"] == 1
        assert set(created["data"]) == {
            "allocation_id", "project_id", "resource_id", "from", "to", "status", "note"
        }  # fmt: skip
        assert created["data"]["from"] == allocation.period.lower.isoformat().replace("+00:00", "Z")
        await socket.disconnect()

    run(scenario())


def test_clients_of_before_keep_their_names_for_one_release(booker):
    """after_seq, seq, and ?names=legacy for the message types of before."""
    from channels.db import database_sync_to_async

    cookie = session_cookie(UserFactory(roles=["Viewer"]))

    async def scenario():
        await publish()
        socket = await open_socket(cookie=cookie, path="/ws/notify/?names=legacy")
        answer = await subscribe(socket, ["allocations"])
        start = answer[-1]["seq"]
        assert start == answer[-1]["position"]
        allocation = await database_sync_to_async(booker)(1)
        await database_sync_to_async(allocation_cancel)(
            allocation_id=allocation.pk, actor=booker.user, reason="rain"
        )
        await publish()
        created, cancelled = await messages(socket, 2)
        assert [created["type"], cancelled["type"]] == ["ResourceAllocated", "allocationUpdate"]
        assert created["seq"] == created["position"] == start + 1
        await socket.disconnect()

        again = await open_socket(cookie=cookie, path="/ws/notify/?names=legacy")
        await again.send_json_to(
            {"action": "subscribe", "topics": ["allocations"], "after_seq": start}
        )
        replayed = await messages(again, 3)
        assert [m["type"] for m in replayed] == [
            "ResourceAllocated", "allocationUpdate", "subscribed"
        ]  # fmt: skip
        await again.disconnect()

        current = await open_socket(cookie=cookie)
        answer = await subscribe(current, ["allocations"], after_position=start)
        assert [m["type"] for m in answer[:-1]] == ["allocationCreated", "allocationCancelled"]
        await current.disconnect()

    run(scenario())


def test_low_stock_replenishment_and_order_progress_are_sent_as_their_message_types():
    from channels.db import database_sync_to_async

    from apps.orders.services import LineRequest, order_place

    warehouse_cookie = session_cookie(UserFactory(roles=["Warehouse"]))
    operator_cookie = session_cookie(UserFactory(roles=["Operator"]))
    auditor_cookie = session_cookie(UserFactory(roles=["AuditViewer"]))
    actor = UserFactory(roles=["Admin"])
    item, warehouse = ItemFactory(), WarehouseFactory()

    def stock_moves():
        stock_thresholds_set(
            item_id=item.pk, location_id=warehouse.pk, reorder_point=5, reorder_qty=10, actor=actor
        )
        stock_receive(item_id=item.pk, location_id=warehouse.pk, quantity=8, actor=actor)
        stock_issue(item_id=item.pk, location_id=warehouse.pk, quantity=4, actor=actor)
        order_place(
            customer_reference="ACME",
            lines=[LineRequest(item_id=item.pk, location_id=warehouse.pk, quantity=1)],
            actor=actor,
        )

    async def scenario():
        await publish()  # what setup wrote (sign-ins) is behind us
        stock = await open_socket(cookie=warehouse_cookie)
        orders = await open_socket(cookie=operator_cookie)
        audit = await open_socket(cookie=auditor_cookie)
        await subscribe(stock, ["inventory"])
        await subscribe(orders, ["orders"])
        await subscribe(audit, ["audit"])
        before = await database_sync_to_async(Event.objects.count)()
        await database_sync_to_async(stock_moves)()
        await publish()
        low = await stock.receive_json_from(timeout=5)
        assert low["type"] == "stockLow"
        assert low["data"]["item_id"] == item.pk
        assert low["data"]["available"] == "4.000"
        placed = await orders.receive_json_from(timeout=5)
        assert placed["type"] == "orderStatusChanged"
        assert placed["data"]["status"] == "placed"
        assert placed["position"] > low["position"]
        count = await database_sync_to_async(Event.objects.count)() - before
        seen = await messages(audit, count)
        assert {m["type"] for m in seen} == {"auditEvent"}
        assert [m["position"] for m in seen] == sorted(m["position"] for m in seen)
        assert "inventory.stock.low" in {m["data"]["type"] for m in seen}
        for socket in (stock, orders, audit):
            await socket.disconnect()

    run(scenario())


# --- resuming ---------------------------------------------------------------------------


def test_a_client_that_resumes_after_its_last_position_gets_what_it_missed_once_then_live(booker):
    from channels.db import database_sync_to_async

    cookie = session_cookie(UserFactory(roles=["Viewer"]))
    book = database_sync_to_async(booker)

    async def scenario():
        socket = await open_socket(cookie=cookie)
        await subscribe(socket, ["allocations"])
        await book(1)
        await book(2)
        await publish()
        seen = await messages(socket, 2)
        await socket.disconnect()

        missed = [await book(3), await book(4)]
        await publish()
        socket = await open_socket(cookie=cookie)
        answer = await subscribe(socket, ["allocations"], after_position=seen[-1]["position"])
        replayed, subscribed = answer[:-1], answer[-1]
        assert [m["data"]["allocation_id"] for m in replayed] == [a.pk for a in missed]
        assert [m["type"] for m in replayed] == ["allocationCreated"] * 2
        assert subscribed["position"] == replayed[-1]["position"]

        live = await book(5)
        await publish()
        assert (await socket.receive_json_from(timeout=5))["data"]["allocation_id"] == live.pk
        assert await socket.receive_nothing(timeout=0.3)

        # Resuming with nothing missed replays nothing.
        await socket.disconnect()
        socket = await open_socket(cookie=cookie)
        answer = await subscribe(socket, ["allocations"], after_position=subscribed["position"] + 1)
        assert [m["type"] for m in answer] == ["subscribed"]
        await socket.disconnect()

    run(scenario())


def test_an_event_numbered_earlier_but_committed_later_is_not_skipped(booker):
    """The log's sequence is drawn before commit: B (seq n+1) can commit while A (seq n) is
    still open. Messages are numbered by the seal, which follows commit order, so B is not
    sent ahead of A, and a client resuming after B's message cannot have missed A."""
    from channels.db import database_sync_to_async

    cookie = session_cookie(UserFactory(roles=["Viewer"]))
    held_open, release = threading.Event(), threading.Event()
    held = {}
    elsewhere = ResourceFactory()  # not the resource A holds locked

    def book_in_a_long_transaction():
        with transaction.atomic():
            held["allocation"] = booker(1)
            held_open.set()
            release.wait(10)
        connection.close()

    async def scenario():
        import asyncio

        socket = await open_socket(cookie=cookie)
        answer = await subscribe(socket, ["allocations"])
        start = answer[-1]["position"]
        slow = threading.Thread(target=book_in_a_long_transaction)
        slow.start()
        await asyncio.to_thread(held_open.wait, 10)
        quick = await database_sync_to_async(booker)(2, on_resource=elsewhere)
        await publish()
        assert await socket.receive_nothing(timeout=0.5)  # B waits for A

        release.set()
        await asyncio.to_thread(slow.join, 10)
        await publish()
        first, second = await messages(socket, 2)
        assert first["data"]["allocation_id"] == held["allocation"].pk
        assert second["data"]["allocation_id"] == quick.pk
        assert start < first["position"] < second["position"]
        a_event = await database_sync_to_async(event_of)(held["allocation"])
        b_event = await database_sync_to_async(event_of)(quick)
        assert a_event.seq < b_event.seq  # A was numbered first by the log, committed last

        # Whoever resumes from before A gets both, in this order; after A, only B.
        again = await open_socket(cookie=cookie)
        answer = await subscribe(again, ["allocations"], after_position=start)
        assert [m["position"] for m in answer[:-1]] == [first["position"], second["position"]]
        await again.disconnect()
        again = await open_socket(cookie=cookie)
        answer = await subscribe(again, ["allocations"], after_position=first["position"])
        assert [m["position"] for m in answer[:-1]] == [second["position"]]
        for each in (socket, again):
            await each.disconnect()

    run(scenario())


def test_beyond_the_replay_limit_the_client_is_told_to_resync(booker, settings):
    from channels.db import database_sync_to_async

    settings.REALTIME_REPLAY_LIMIT = 3
    cookie = session_cookie(UserFactory(roles=["Viewer"]))
    book = database_sync_to_async(booker)

    first = booker(1)
    run(publish())
    after = position_of(event_of(first).id)
    for slot in range(2, 6):  # four missed: one more than the limit
        booker(slot)

    async def resume():
        await publish()
        socket = await open_socket(cookie=cookie)
        answer = await subscribe(socket, ["allocations"], after_position=after)
        head = await database_sync_to_async(
            lambda: Seal.objects.order_by("-position")[0].position
        )()
        assert answer == [
            {"type": "resync", "position": head, "seq": head},
            {"type": "subscribed", "topics": ["allocations"], "position": head, "seq": head},
        ]
        live = await book(6)
        await publish()
        assert (await socket.receive_json_from(timeout=5))["data"]["allocation_id"] == live.pk
        # A client from another log (its position is ahead of this one) resyncs too.
        other = await open_socket(cookie=cookie)
        answer = await subscribe(other, ["allocations"], after_position=head + 1000)
        assert answer[0]["type"] == "resync"
        for socket_ in (socket, other):
            await socket_.disconnect()

    run(resume())


def test_a_stream_batch_lost_on_the_way_is_filled_from_the_log(booker):
    from channels.db import database_sync_to_async

    cookie = session_cookie(UserFactory(roles=["Viewer"]))
    book = database_sync_to_async(booker)

    async def scenario():
        socket = await open_socket(cookie=cookie)
        await subscribe(socket, ["allocations"])
        lost = await book(1)
        await database_sync_to_async(lose_what_is_sealed)()
        after = await book(2)
        await publish()
        first, second = await messages(socket, 2)
        assert first["data"]["allocation_id"] == lost.pk
        assert second["data"]["allocation_id"] == after.pk
        assert await socket.receive_nothing(timeout=0.3)
        await socket.disconnect()

    run(scenario())


# --- the channel's health ---------------------------------------------------------------


def test_heartbeats_keep_an_answering_client_and_drop_a_silent_one(settings):
    import asyncio

    settings.REALTIME_HEARTBEAT_SECONDS = 0.2
    cookie = session_cookie(UserFactory(roles=["Viewer"]))

    async def scenario():
        answering = await open_socket(cookie=cookie)
        silent = await open_socket(cookie=cookie)
        for _ in range(4):
            assert await answering.receive_json_from(timeout=2) == {"type": "ping"}
            await answering.send_json_to({"action": "pong"})
        pings = 0
        while (output := await silent.receive_output(timeout=2))["type"] == "websocket.send":
            pings += 1
        assert output == {"type": "websocket.close", "code": 4408}
        assert pings >= 1
        await asyncio.sleep(0.3)
        assert await answering.receive_json_from(timeout=2) == {"type": "ping"}
        await answering.disconnect()

    run(scenario())


class StuckClient:
    """A browser that stops reading once subscribed: from then on every frame sent to it
    blocks. (Closing does not need its cooperation: the server drops the transport.)"""

    def __init__(self, cookie: bytes):
        import asyncio

        from apps.realtime.routing import websocket_application

        self.inbox: asyncio.Queue = asyncio.Queue()
        self.frames: list[dict] = []
        self.closed_with = None
        self.stuck = False
        scope = {
            "type": "websocket",
            "path": "/ws/notify/",
            "query_string": b"",
            "headers": [
                (b"host", b"127.0.0.1:8001"),
                (b"origin", b"http://127.0.0.1:8000"),
                (b"cookie", cookie),
            ],
            "subprotocols": [],
        }
        self.task = asyncio.create_task(websocket_application()(scope, self.inbox.get, self.send))

    async def send(self, message):
        import asyncio
        import json

        if message["type"] == "websocket.close":
            self.closed_with = message["code"]
        elif self.stuck:
            await asyncio.Event().wait()
        elif message["type"] == "websocket.send":
            self.frames.append(json.loads(message["text"]))


def test_a_client_too_slow_to_keep_up_delays_nobody_and_is_dropped(booker, settings):
    import asyncio

    from channels.db import database_sync_to_async

    # More than one publish brings at once; less than two publishes a client never reads.
    settings.REALTIME_MAX_PENDING = 40
    cookie = session_cookie(UserFactory(roles=["Viewer"]))

    def book_many(first_slot):
        return [booker(slot) for slot in range(first_slot, first_slot + 30)]

    async def scenario():
        stuck = StuckClient(cookie)
        await stuck.inbox.put({"type": "websocket.connect"})
        await stuck.inbox.put(
            {
                "type": "websocket.receive",
                "text": '{"action": "subscribe", "topics": ["allocations"]}',
            }
        )
        while not stuck.frames:
            await asyncio.sleep(0.01)
        stuck.stuck = True
        fast = await open_socket(cookie=cookie)
        await subscribe(fast, ["allocations"])

        for first_slot in (1, 31):
            booked = await database_sync_to_async(book_many)(first_slot)
            await publish()
            received = await messages(fast, len(booked), timeout=2)
            assert [m["data"]["allocation_id"] for m in received] == [a.pk for a in booked]
        for _ in range(100):
            if stuck.closed_with is not None:
                break
            await asyncio.sleep(0.02)
        assert stuck.closed_with == 4429
        await stuck.inbox.put({"type": "websocket.disconnect", "code": 4429})
        await asyncio.wait_for(stuck.task, 5)
        await fast.disconnect()

    run(scenario())


def test_open_connections_and_messages_sent_are_metrics():
    from prometheus_client import REGISTRY

    def sample(name, **labels):
        return REGISTRY.get_sample_value(name, labels) or 0

    cookie = session_cookie(UserFactory(roles=["Viewer"]))

    async def scenario():
        before = (
            sample("fusionops_realtime_connections"),
            sample("fusionops_realtime_messages_sent_total", type="pong"),
        )
        socket = await open_socket(cookie=cookie)
        await socket.send_json_to({"action": "ping"})
        await socket.receive_json_from()
        assert sample("fusionops_realtime_connections") == before[0] + 1
        assert sample("fusionops_realtime_messages_sent_total", type="pong") == before[1] + 1
        await socket.disconnect()
        assert sample("fusionops_realtime_connections") == before[0]

    run(scenario())


def test_a_revoked_token_or_a_withdrawn_role_takes_effect_on_an_open_socket(settings):
    from channels.db import database_sync_to_async
    from django.contrib.auth.models import Group

    from apps.accounts.models import ApiToken
    from apps.accounts.services import api_token_revoke

    settings.REALTIME_HEARTBEAT_SECONDS = 0.2
    revoked_user, demoted = (
        UserFactory(roles=["Viewer"]),
        UserFactory(roles=["Viewer", "Warehouse"]),
    )
    revoked_token, demoted_cookie = issue_token(revoked_user), session_cookie(demoted)

    async def scenario():
        by_token = await open_socket(subprotocols=[BEARER_SUBPROTOCOL, revoked_token], headers=())
        by_session = await open_socket(cookie=demoted_cookie)
        await subscribe(by_token, ["allocations"])
        await subscribe(by_session, ["allocations", "inventory"])

        def revoke_and_demote():
            api_token_revoke(token=ApiToken.objects.get(user=revoked_user), actor=None)
            demoted.groups.remove(Group.objects.get(name="Viewer"))

        await database_sync_to_async(revoke_and_demote)()
        while (output := await by_token.receive_output(timeout=2))["type"] == "websocket.send":
            pass
        assert output == {"type": "websocket.close", "code": 4401}
        while (message := await by_session.receive_json_from(timeout=2))["type"] == "ping":
            await by_session.send_json_to({"action": "pong"})
        assert message["code"] == "forbidden-topic"
        assert message["topic"] == "allocations"
        await by_session.disconnect()

    run(scenario())


def test_binary_frames_are_answered_with_an_error():
    cookie = session_cookie(UserFactory(roles=["Viewer"]))

    async def scenario():
        socket = await open_socket(cookie=cookie)
        await socket.send_to(bytes_data=b"\x00\x01")
        assert (await socket.receive_json_from())["code"] == "bad-request"
        await socket.disconnect()

    run(scenario())


def test_an_idle_stream_says_where_it_stands_so_a_lost_last_batch_is_noticed(booker, settings):
    from channels.db import database_sync_to_async

    cookie = session_cookie(UserFactory(roles=["Viewer"]))

    async def scenario():
        socket = await open_socket(cookie=cookie)
        await subscribe(socket, ["allocations"])
        lost = await database_sync_to_async(booker)(1)
        await database_sync_to_async(lose_what_is_sealed)()
        settings.REALTIME_TICK_SECONDS = 3600
        await publish()
        assert await socket.receive_nothing(timeout=0.3)  # no event, and no tick due yet
        settings.REALTIME_TICK_SECONDS = 0
        await publish()  # nothing new: the tick
        assert (await socket.receive_json_from(timeout=5))["data"]["allocation_id"] == lost.pk
        await socket.disconnect()

    run(scenario())


def test_the_websocket_process_serves_no_pages_only_its_health_checks():
    from channels.testing import HttpCommunicator

    from fusionops.asgi import application

    async def scenario():
        host = [(b"host", b"127.0.0.1:8001")]
        health = await HttpCommunicator(
            application, "GET", "/health/live", headers=host
        ).get_response()
        admin = await HttpCommunicator(application, "GET", "/admin/", headers=host).get_response()
        return health["status"], admin["status"]

    assert run(scenario()) == (200, 404)


def test_the_time_from_an_event_s_commit_to_the_socket_is_a_histogram(booker):
    from channels.db import database_sync_to_async
    from prometheus_client import REGISTRY

    def observed():
        name = "fusionops_realtime_commit_to_socket_seconds_count"
        return REGISTRY.get_sample_value(name) or 0

    cookie = session_cookie(UserFactory(roles=["Viewer"]))

    async def scenario():
        socket = await open_socket(cookie=cookie)
        await subscribe(socket, ["allocations"])
        before = observed()
        await database_sync_to_async(booker)(3)
        await publish()
        (created,) = await messages(socket, 1)
        assert created["type"] == "allocationCreated"
        assert "recorded_at" not in created, "the timing stays inside the ws process"
        assert observed() == before + 1
        # The bucket up to 10 s holds it (the write and the send were moments apart).
        bucket = REGISTRY.get_sample_value(
            "fusionops_realtime_commit_to_socket_seconds_bucket", {"le": "10.0"}
        )
        assert bucket >= before + 1
        await socket.disconnect()

    run(scenario())


def test_followed_topics_are_a_gauge_with_one_label_for_all_projects(booker):
    from prometheus_client import REGISTRY

    def following(topic):
        value = REGISTRY.get_sample_value("fusionops_realtime_subscriptions", {"topic": topic})
        return value or 0

    cookie = session_cookie(UserFactory(roles=["Viewer"]))
    other = ProjectFactory()

    async def scenario():
        before = following("allocations"), following("project")
        socket = await open_socket(cookie=cookie)
        await subscribe(socket, ["allocations", f"project:{booker.project.pk}"])
        await subscribe(socket, [f"project:{other.pk}", "allocations"])  # one more, one again
        assert (following("allocations"), following("project")) == (before[0] + 1, before[1] + 2)
        await socket.send_json_to({"action": "unsubscribe", "topics": [f"project:{other.pk}"]})
        await socket.receive_json_from(timeout=5)
        assert following("project") == before[1] + 1
        await socket.disconnect()
        assert (following("allocations"), following("project")) == before

    run(scenario())
