"""The relay worker process: `manage.py run_worker`."""

import signal
import time

import structlog
from django.conf import settings
from django.db import close_old_connections

from apps.audit.sealing import audit_seal_pending
from apps.audit.services import audit_partitions_ensure
from apps.core.db import raw_connection
from apps.events import metrics, selectors, services
from apps.events.relay import relay_batch

logger = structlog.get_logger("fusionops.worker")

CHANNEL = "fusionops_outbox"
MAINTENANCE_INTERVAL_SECONDS = 24 * 3600
# However long the next retry is away, look up at least this often (new work is announced
# by NOTIFY, but a lost connection or a missed notification must not stall the relay).
MAX_SLEEP_SECONDS = 1.0


class RelayWorker:
    def __init__(self, *, batch_size: int | None = None, poll_seconds: float | None = None):
        self.batch_size = batch_size or settings.EVENTS_RELAY_BATCH_SIZE
        self.poll_seconds = poll_seconds or settings.EVENTS_RELAY_POLL_SECONDS
        self.stopping = False
        self._maintained_at = 0.0

    def stop(self, *_signal_args) -> None:
        self.stopping = True

    def drain(self) -> int:
        """Relay batches until fewer than a full batch is due; returns how many settled."""
        settled = 0
        while not self.stopping:
            result = relay_batch(batch_size=self.batch_size)
            settled += result.claimed
            if result.claimed < self.batch_size:
                break
        return settled

    def maintain(self) -> None:
        """Daily: the log's partitions for the coming months, and settled deliveries past
        their retention."""
        if self._maintained_at and (
            time.monotonic() - self._maintained_at < MAINTENANCE_INTERVAL_SECONDS
        ):
            return
        created = audit_partitions_ensure()
        purged = services.deliveries_purge()
        self._maintained_at = time.monotonic()
        if created or purged:
            logger.info("worker.maintained", partitions_created=created, deliveries_purged=purged)

    def observe(self) -> None:
        metrics.outbox_lag_seconds.set(selectors.outbox_lag_seconds())
        metrics.dead_letters.set(selectors.dead_letter_count())

    def run(self, *, once: bool = False) -> None:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        # Listen before the first look, so that nothing committed in between is missed.
        with raw_connection() as listener:
            listener.execute(f"LISTEN {CHANNEL}")
            logger.info("worker.started", batch_size=self.batch_size)
            while not self.stopping:
                close_old_connections()
                self.maintain()
                self.drain()
                while audit_seal_pending() and not self.stopping:
                    pass
                self.observe()
                if once:
                    break
                wait = selectors.seconds_until_next_due(
                    ceiling=min(self.poll_seconds, MAX_SLEEP_SECONDS)
                )
                if wait > 0:
                    for _notification in listener.notifies(timeout=wait, stop_after=1):
                        break
        close_old_connections()
        logger.info("worker.stopped")
