"""The broker bridges against the machine's real RabbitMQ and NATS JetStream, through a TCP
proxy the test cuts to take the broker away: every event of a burst arrives once per
consumer, a broker that is down gets everything once it is back, a consumer that restarts
resumes without loss, and JetStream drops a redelivered event by its id."""

import asyncio
import contextlib
import json
import uuid

import aio_pika
import nats
import pytest
from django.db import transaction
from django.utils import timezone

from apps.eventlog.models import Delivery, ProcessedMarker
from apps.eventlog.registry import registry
from apps.eventlog.relay import relay_batch
from apps.eventlog.services import event_emit
from apps.integrations import bridges, metrics
from tests.eventsapp.events import declared
from tests.proxy import TcpProxy

pytestmark = pytest.mark.django_db

RABBIT = "amqp://guest:guest@127.0.0.1:5672/"
NATS = "nats://127.0.0.1:4222"


def emit(count: int, type="testing.thing.happened") -> list[str]:
    with transaction.atomic():
        return [
            str(event_emit(declared(type), aggregate_id=n, payload={"n": n}, actor=None).id)
            for n in range(count)
        ]


def drain(*, due_now=False) -> None:
    for _ in range(50):
        if due_now:
            Delivery.objects.filter(status="pending").update(next_attempt_at=timezone.now())
        if not relay_batch().claimed:
            return
    raise AssertionError("the relay never ran dry")


def bridge_deliveries(name: str) -> list[str]:
    return list(Delivery.objects.filter(subscriber=name).values_list("status", flat=True))


@pytest.fixture
def subscribed():
    """subscribed(bridge) makes it the outbox's subscriber for the test."""
    made = []

    def subscribe(bridge):
        made.append((bridges.subscribe(bridge), bridge))
        return made[-1][0]

    yield subscribe
    for name, bridge in made:
        registry.unregister(name)
        bridges._loop().run(bridge.close(), 10, quiet=True)  # its connection, closed in time


# --- RabbitMQ ----------------------------------------------------------------------------


class Rabbit:
    """A consumer's view of the test's own exchange."""

    def __init__(self):
        self.exchange = f"fusionops.test.{uuid.uuid4().hex[:8]}"
        self.queues: list[str] = []

    async def _channel(self):
        connection = await aio_pika.connect(RABBIT)
        return connection, await connection.channel()

    def queue(self, name: str, *, dead_letters: bool = False, routing_key="#") -> str:
        async def declare():
            connection, channel = await self._channel()
            exchange = await channel.declare_exchange(
                self.exchange, aio_pika.ExchangeType.TOPIC, durable=True
            )
            arguments = {"x-dead-letter-exchange": f"{self.exchange}.dead-letters"}
            queue = await channel.declare_queue(
                f"{self.exchange}.{name}",
                durable=True,
                arguments=arguments if dead_letters else None,
            )
            await queue.bind(exchange, routing_key=routing_key)
            await connection.close()
            return queue.name

        self.queues.append(asyncio.run(declare()))
        return self.queues[-1]

    def bind_to_dead_letters(self, name: str) -> str:
        async def declare():
            connection, channel = await self._channel()
            exchange = await channel.declare_exchange(
                f"{self.exchange}.dead-letters", aio_pika.ExchangeType.TOPIC, durable=True
            )
            queue = await channel.declare_queue(f"{self.exchange}.{name}", durable=True)
            await queue.bind(exchange, routing_key="#")
            await connection.close()
            return queue.name

        self.queues.append(asyncio.run(declare()))
        return self.queues[-1]

    def take(self, queue: str, *, limit: int | None = None, reject: bool = False) -> list[dict]:
        async def get():
            connection, channel = await self._channel()
            found = await channel.get_queue(queue)
            got = []
            while limit is None or len(got) < limit:
                message = await found.get(no_ack=False, fail=False, timeout=5)
                if message is None:
                    break
                got.append({
                    "id": message.message_id, "routing_key": message.routing_key,
                    "persistent": message.delivery_mode == aio_pika.DeliveryMode.PERSISTENT,
                    "body": json.loads(message.body),
                })  # fmt: skip
                await (message.reject(requeue=False) if reject else message.ack())
            await connection.close()
            return got

        return asyncio.run(get())

    def clean(self) -> None:
        async def delete():
            connection, channel = await self._channel()
            for queue in self.queues:
                await channel.queue_delete(queue)
            for exchange in (self.exchange, f"{self.exchange}.dead-letters"):
                await channel.exchange_delete(exchange)
            await connection.close()

        asyncio.run(delete())


@pytest.fixture
def rabbit():
    made = Rabbit()
    yield made
    made.clean()


@pytest.fixture
def rabbit_proxy():
    proxy = TcpProxy("127.0.0.1", 5672)
    yield proxy
    proxy.close()


def rabbit_bridge(rabbit, proxy) -> bridges.RabbitMQ:
    return bridges.RabbitMQ(f"amqp://guest:guest@127.0.0.1:{proxy.port}/", rabbit.exchange)


def test_every_event_of_a_burst_reaches_each_rabbitmq_consumer_once(
    rabbit, rabbit_proxy, subscribed
):
    name = subscribed(rabbit_bridge(rabbit, rabbit_proxy))
    billing, shipping = rabbit.queue("billing"), rabbit.queue("shipping")
    ids = emit(300)
    drain()
    assert bridge_deliveries(name) == ["done"] * 300
    for queue in (billing, shipping):
        received = rabbit.take(queue)
        assert sorted(m["id"] for m in received) == sorted(ids)  # each once
        first = received[0]
        assert first["routing_key"] == "testing.thing.happened" and first["persistent"]
        assert first["body"]["type"] == "testing.thing.happened" and "data" in first["body"]


def test_while_rabbitmq_is_down_deliveries_wait_and_arrive_once_it_is_back(
    rabbit, rabbit_proxy, subscribed
):
    name = subscribed(rabbit_bridge(rabbit, rabbit_proxy))
    queue = rabbit.queue("erp")
    emit(3)
    drain()  # connected
    rabbit_proxy.cut()
    ids = emit(20)
    drain()
    assert sorted(bridge_deliveries(name)) == ["done"] * 3 + ["pending"] * 20
    rabbit_proxy.restore()
    drain(due_now=True)
    assert bridge_deliveries(name) == ["done"] * 23
    received = [m["id"] for m in rabbit.take(queue)]
    assert set(ids) <= set(received) and len(received) == len(set(received)) == 23


def test_a_rabbitmq_consumer_that_restarts_resumes_without_loss(rabbit, rabbit_proxy, subscribed):
    subscribed(rabbit_bridge(rabbit, rabbit_proxy))
    queue = rabbit.queue("crm")
    first = emit(10)
    drain()
    assert [m["id"] for m in rabbit.take(queue, limit=4)] == first[:4]  # then it stops
    later = emit(5)
    drain()
    assert [m["id"] for m in rabbit.take(queue)] == first[4:] + later  # restarted


def test_unroutable_messages_are_counted_and_done(rabbit, rabbit_proxy, subscribed):
    name = subscribed(rabbit_bridge(rabbit, rabbit_proxy))
    before = metrics.bridge_unroutable.labels(bridge="rabbitmq")._value.get()
    emit(2)  # no queue is bound to the exchange
    drain()
    assert bridge_deliveries(name) == ["done", "done"]
    assert metrics.bridge_unroutable.labels(bridge="rabbitmq")._value.get() == before + 2


def test_a_consumer_queue_can_dead_letter_to_the_declared_exchange(
    rabbit, rabbit_proxy, subscribed
):
    subscribed(rabbit_bridge(rabbit, rabbit_proxy))
    queue = rabbit.queue("picky", dead_letters=True)
    parked = rabbit.bind_to_dead_letters("parked")
    (event_id,) = emit(1)
    drain()
    assert [m["id"] for m in rabbit.take(queue, reject=True)] == [event_id]
    assert [m["id"] for m in rabbit.take(parked)] == [event_id]


# --- NATS JetStream ----------------------------------------------------------------------


class Stream:
    """A consumer's view of the test's own JetStream stream."""

    def __init__(self):
        suffix = uuid.uuid4().hex[:8]
        self.name, self.prefix = f"FUSIONOPS_TEST_{suffix}", f"test{suffix}"

    def fetch(self, durable: str, *, limit: int = 1000) -> list[dict]:
        async def pull():
            client = await nats.connect(NATS)
            jetstream = client.jetstream()
            subscription = await jetstream.pull_subscribe(
                f"{self.prefix}.>", durable=durable, stream=self.name
            )
            got = []
            while len(got) < limit:
                try:
                    batch = await subscription.fetch(min(100, limit - len(got)), timeout=1)
                except TimeoutError:  # nats' own, or asyncio's from a fetch's second request
                    break
                for message in batch:
                    got.append({"id": message.headers["Nats-Msg-Id"], "subject": message.subject,
                                "body": json.loads(message.data)})  # fmt: skip
                    await message.ack()
            await client.close()
            return got

        return asyncio.run(pull())

    def messages(self) -> int:
        async def info():
            client = await nats.connect(NATS)
            found = await client.jetstream().stream_info(self.name)
            await client.close()
            return found.state.messages

        return asyncio.run(info())

    def clean(self) -> None:
        async def delete():
            client = await nats.connect(NATS)
            with contextlib.suppress(nats.js.errors.NotFoundError):
                await client.jetstream().delete_stream(self.name)
            await client.close()

        asyncio.run(delete())


@pytest.fixture
def stream():
    made = Stream()
    yield made
    made.clean()


@pytest.fixture
def nats_proxy():
    proxy = TcpProxy("127.0.0.1", 4222)
    yield proxy
    proxy.close()


def nats_bridge(stream, proxy) -> bridges.Nats:
    return bridges.Nats(f"nats://127.0.0.1:{proxy.port}", stream.name, stream.prefix)


def test_every_event_of_a_burst_reaches_each_jetstream_consumer_once(
    stream, nats_proxy, subscribed
):
    name = subscribed(nats_bridge(stream, nats_proxy))
    ids = emit(300)
    drain()
    assert bridge_deliveries(name) == ["done"] * 300
    for consumer in ("billing", "shipping"):
        received = stream.fetch(consumer)
        assert sorted(m["id"] for m in received) == sorted(ids)
        assert received[0]["subject"] == f"{stream.prefix}.testing.thing.happened"
        assert received[0]["body"]["id"] == received[0]["id"]


def test_jetstream_drops_a_redelivered_event_by_its_id(stream, nats_proxy, subscribed):
    name = subscribed(nats_bridge(stream, nats_proxy))
    emit(1)
    drain()
    # Delivered again (a replay, or a worker that died before settling): same message id.
    ProcessedMarker.objects.filter(subscriber=name).delete()
    Delivery.objects.filter(subscriber=name).update(status="pending", attempts=0)
    drain(due_now=True)
    assert Delivery.objects.get(subscriber=name).last_outcome["duplicate"] is True
    assert stream.messages() == 1


def test_while_nats_is_down_deliveries_wait_and_arrive_once_it_is_back(
    stream, nats_proxy, subscribed
):
    name = subscribed(nats_bridge(stream, nats_proxy))
    emit(2)
    drain()
    nats_proxy.cut()
    ids = emit(20)
    drain()
    assert sorted(bridge_deliveries(name)) == ["done"] * 2 + ["pending"] * 20
    nats_proxy.restore()
    drain(due_now=True)
    assert bridge_deliveries(name) == ["done"] * 22
    received = [m["id"] for m in stream.fetch("erp")]
    assert set(ids) <= set(received) and len(received) == len(set(received)) == 22


def test_a_jetstream_consumer_that_restarts_resumes_without_loss(stream, nats_proxy, subscribed):
    subscribed(nats_bridge(stream, nats_proxy))
    first = emit(10)
    drain()
    assert [m["id"] for m in stream.fetch("crm", limit=4)] == first[:4]
    later = emit(5)
    drain()
    assert [m["id"] for m in stream.fetch("crm")] == first[4:] + later


def test_bridges_are_off_unless_configured(settings):
    assert settings.BRIDGE_RABBITMQ_URL == settings.BRIDGE_NATS_URL == ""
    assert bridges.configured() == []
    assert not [s for s in registry.all_subscribers() if s.name.startswith("bridge.")]
    settings.BRIDGE_NATS_URL = NATS
    assert [bridge.name for bridge in bridges.configured()] == ["nats"]
