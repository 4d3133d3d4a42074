"""Broker bridges: the portal's public events published to RabbitMQ and to NATS JetStream.

A bridge is an outbox subscriber (`bridge.rabbitmq`, `bridge.nats`) of every public event
type, declared only when its URL is configured. It takes its deliveries a claim at a time
and publishes them together; a delivery is done only when the broker has confirmed it
(RabbitMQ's publisher confirms, JetStream's publish acknowledgement), so a broker that is
down or slow leaves them to the relay's retries, and none is lost.

Every message carries the event's id as its message id (RabbitMQ `message_id`, JetStream
`Nats-Msg-Id`): consumers deduplicate on it, and JetStream drops a redelivery within its
duplicate window by itself. The body is the webhook body (`webhooks.body_of`).

- RabbitMQ: a durable topic exchange (BRIDGE_RABBITMQ_EXCHANGE), routing key = event type,
  persistent messages, `mandatory`: a message no queue is bound for comes back, is counted
  (`fusionops_bridge_unroutable_total`) and is done (the broker took it; there was nobody to
  give it to). A second durable topic exchange, `<exchange>.dead-letters`, is declared for
  consumers' queues to name as their `x-dead-letter-exchange`.
- NATS: a JetStream stream (BRIDGE_NATS_STREAM) over `<prefix>.>`, subject =
  `<prefix>.<event type>`.

The brokers' clients are asyncio (aio-pika, nats-py): they run on an event loop of the
relay's own thread, kept with their connections for the thread's life.
"""

import asyncio
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass

import aio_pika
import aiormq
import nats
import structlog
from django.conf import settings
from nats.js.api import StreamConfig

from apps.eventlog.registry import registry
from apps.integrations import metrics, webhooks

logger = structlog.get_logger("fusionops.bridges")


@dataclass(frozen=True)
class Message:
    id: str
    type: str
    version: int
    body: bytes


def message_of(event) -> Message:
    public = registry.event_type(event.type).public_payload(event.payload)
    return Message(
        str(event.id), event.type, event.version, webhooks.body_of(event, public).encode()
    )


class Bridge(ABC):
    """Publishes messages to a broker; `publish` answers, for each message in order, None
    (confirmed), an outcome worth keeping (confirmed, but unroutable or a duplicate) or the
    exception it failed with."""

    name: str

    @abstractmethod
    async def publish(self, messages: list[Message]) -> list[dict | Exception]: ...

    @abstractmethod
    async def close(self) -> None: ...

    def handle(self, events) -> list[dict | Exception]:
        """The outbox subscriber: publish a claim's events, wait for every confirmation.
        After any failure the next claim connects afresh."""
        messages = [message_of(event) for event in events]
        timeout = settings.BRIDGE_PUBLISH_TIMEOUT_SECONDS
        try:
            outcomes = _loop().run(self.publish(messages), timeout)
        except Exception as exc:  # the broker is gone or too slow
            outcomes = [exc] * len(messages)
        failures = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
        if failures:
            logger.warning(
                "bridge.publish_failed", bridge=self.name, failed=len(failures),
                error=repr(failures[0]),
            )  # fmt: skip
            _loop().run(self.close(), timeout, quiet=True)
        return outcomes


class RabbitMQ(Bridge):
    name = "rabbitmq"

    def __init__(self, url: str, exchange: str):
        self.url = url
        self.exchange_name = exchange
        self._loop = None
        self._connection = None
        self._channel = None
        self._exchange = None

    async def _exchange_ready(self):
        await asyncio.sleep(0)  # let the client read what arrived while idle (a close)
        if self._loop is not asyncio.get_running_loop():
            self._connection = self._channel = self._exchange = None  # another thread's
            self._loop = asyncio.get_running_loop()
        if self._channel is None or self._channel.is_closed:
            await self.close()
            self._connection = await aio_pika.connect(self.url, timeout=5)
            self._channel = channel = await self._connection.channel(publisher_confirms=True)
            self._exchange = await channel.declare_exchange(
                self.exchange_name, aio_pika.ExchangeType.TOPIC, durable=True
            )
            await channel.declare_exchange(
                f"{self.exchange_name}.dead-letters", aio_pika.ExchangeType.TOPIC, durable=True
            )
        # aio-pika's Message costs more than the rest of a publish: its AMQP channel takes
        # the properties as they go on the wire.
        return await self._channel.get_underlay_channel()

    async def publish(self, messages: list[Message]) -> list[dict | Exception]:
        channel = await self._exchange_ready()
        results = await asyncio.gather(
            *(
                channel.basic_publish(
                    message.body,
                    exchange=self.exchange_name,
                    routing_key=message.type,
                    properties=aiormq.spec.Basic.Properties(
                        message_id=message.id,
                        message_type=message.type,
                        content_type="application/json",
                        delivery_mode=2,  # persistent
                        headers={"fusionops-version": message.version},
                    ),
                    mandatory=True,
                )
                for message in messages
            ),
            return_exceptions=True,
        )
        outcomes: list[dict | Exception] = []
        for result in results:
            if isinstance(result, Exception):
                outcomes.append(result)
            elif isinstance(result, aiormq.abc.DeliveredMessage):  # returned: no queue bound
                metrics.bridge_unroutable.labels(bridge=self.name).inc()
                outcomes.append({"unroutable": True})
            else:
                outcomes.append(None)  # confirmed: nothing more to say of it
        return outcomes

    async def close(self) -> None:
        connection = self._connection
        self._connection = self._channel = self._exchange = None
        if connection is not None and not connection.is_closed:
            await connection.close()


class Nats(Bridge):
    name = "nats"

    def __init__(self, url: str, stream: str, prefix: str):
        self.url = url
        self.stream = stream
        self.prefix = prefix
        self._loop = None
        self._client = None
        self._jetstream = None

    async def _jetstream_ready(self):
        await asyncio.sleep(0)  # let the client read what arrived while idle (a close)
        if self._loop is not asyncio.get_running_loop():
            self._client = self._jetstream = None  # another thread's
            self._loop = asyncio.get_running_loop()
        if self._client is None or not self._client.is_connected:
            await self.close()
            self._client = await nats.connect(
                self.url, connect_timeout=5, allow_reconnect=False, max_reconnect_attempts=0
            )
            self._jetstream = self._client.jetstream()
            config = StreamConfig(name=self.stream, subjects=[f"{self.prefix}.>"])
            try:
                await self._jetstream.stream_info(self.stream)
            except nats.js.errors.NotFoundError:
                await self._jetstream.add_stream(config)
        return self._jetstream

    async def publish(self, messages: list[Message]) -> list[dict | Exception]:
        jetstream = await self._jetstream_ready()
        results = await asyncio.gather(
            *(
                jetstream.publish(
                    f"{self.prefix}.{message.type}",
                    message.body,
                    stream=self.stream,
                    headers={
                        "Nats-Msg-Id": message.id,
                        "Content-Type": "application/json",
                        "FusionOps-Version": str(message.version),
                    },
                )
                for message in messages
            ),
            return_exceptions=True,
        )
        # Acknowledged; a duplicate (a redelivery JetStream dropped) is worth saying.
        return [
            result
            if isinstance(result, Exception)
            else ({"duplicate": True, "sequence": result.seq} if result.duplicate else None)
            for result in results
        ]

    async def close(self) -> None:
        client, self._client, self._jetstream = self._client, None, None
        if client is not None and not client.is_closed:
            await client.close()


class _Loop:
    """This thread's own event loop for the brokers' asyncio clients, kept for the
    thread's life (the relay's thread: no hand-over to another thread per batch). Between
    batches it does not run; a connection that died meanwhile is noticed at the next
    publish, which connects afresh."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()

    def run(self, coroutine, timeout: float, *, quiet: bool = False):
        try:
            return self.loop.run_until_complete(asyncio.wait_for(coroutine, timeout))
        except Exception:
            if quiet:
                return None
            raise


_local = threading.local()


def _loop() -> _Loop:
    if getattr(_local, "loop", None) is None:
        _local.loop = _Loop()
    return _local.loop


def configured() -> list[Bridge]:
    """The bridges whose URL is set."""
    bridges: list[Bridge] = []
    if settings.BRIDGE_RABBITMQ_URL:
        bridges.append(RabbitMQ(settings.BRIDGE_RABBITMQ_URL, settings.BRIDGE_RABBITMQ_EXCHANGE))
    if settings.BRIDGE_NATS_URL:
        bridges.append(
            Nats(settings.BRIDGE_NATS_URL, settings.BRIDGE_NATS_STREAM, settings.BRIDGE_NATS_PREFIX)
        )
    return bridges


def subscribe(bridge: Bridge) -> str:
    """Make `bridge` the outbox subscriber `bridge.<name>` of every public event type;
    returns the subscriber's name."""
    name = f"bridge.{bridge.name}"
    registry.subscriber(
        name,
        event_types=[t.name for t in registry.event_types() if t.public is not None],
        max_attempts=settings.BRIDGE_MAX_ATTEMPTS,
        batch=True,
    )(bridge.handle)
    return name
