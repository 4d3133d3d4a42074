"""The relay worker process: `manage.py run_worker`."""

import os
import signal
import socket
import threading
import time
from pathlib import Path

import structlog
from django.conf import settings
from django.db import close_old_connections
from psycopg import Error as DatabaseError

from apps.eventlog import metrics, selectors, services
from apps.eventlog.registry import registry
from apps.eventlog.relay import relay_batch
from apps.eventlog.sealing import audit_seal_and_follow
from apps.platform.db import raw_connection

logger = structlog.get_logger("fusionops.worker")

CHANNEL = "fusionops_outbox"
# Notified by every commit that appends to the audit log.
LOG_CHANNEL = "fusionops_log"
MAINTENANCE_INTERVAL_SECONDS = 24 * 3600
# However long the next retry is away, look up at least this often (new work is announced
# by NOTIFY, but a lost connection or a missed notification must not stall the relay).
MAX_SLEEP_SECONDS = 1.0
# Due work that other workers hold: look again shortly rather than at once.
MIN_SLEEP_SECONDS = 0.05
ERROR_PAUSE_SECONDS = 2.0
# The sealer looks at least this often (an event whose transaction is still behind an
# older open one cannot be sealed when its NOTIFY arrives).
SEAL_INTERVAL_SECONDS = 0.25
# While deliveries keep coming, update the gauges this often.
OBSERVE_INTERVAL_SECONDS = 1.0


class SealLoop(threading.Thread):
    """Seals the log, and runs its readers (the websocket publisher), as soon as events
    commit: beside the relay, so that live updates never wait for a busy relay."""

    def __init__(self, worker: "RelayWorker"):
        super().__init__(name="sealer", daemon=True)
        self.worker = worker

    def run(self) -> None:
        while not self.worker.stopping:
            try:
                # Listen before the first pass, so that nothing committed in between waits.
                with raw_connection() as listener:
                    listener.execute(f"LISTEN {LOG_CHANNEL}")
                    while not self.worker.stopping:
                        close_old_connections()
                        audit_seal_and_follow()
                        for _notification in listener.notifies(
                            timeout=SEAL_INTERVAL_SECONDS, stop_after=1
                        ):
                            break
            except Exception:
                # A lost connection or a bug must not end sealing: log, pause, start again.
                logger.exception("worker.seal_failed")
                close_old_connections()
                self.worker.pause(ERROR_PAUSE_SECONDS)
        close_old_connections()


class RelayWorker:
    def __init__(self, *, batch_size: int | None = None, poll_seconds: float | None = None):
        self.batch_size = batch_size or settings.EVENTS_RELAY_BATCH_SIZE
        self.poll_seconds = poll_seconds or settings.EVENTS_RELAY_POLL_SECONDS
        self.stopping = False
        self._stopped = threading.Event()
        self._maintained_at = 0.0
        self._beaten_at = -float("inf")
        self.name = f"{socket.gethostname()}:{os.getpid()}"
        self._heartbeat = (
            Path(settings.WORKER_HEARTBEAT_FILE) if settings.WORKER_HEARTBEAT_FILE else None
        )

    def beat(self) -> None:
        """Tell the liveness probe that the loop still turns."""
        if self._heartbeat is not None:
            self._heartbeat.touch()

    def stop(self, *_signal_args) -> None:
        self.stopping = True
        self._stopped.set()

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
        self._maintained_at = time.monotonic()
        try:
            created = services.audit_partitions_ensure()
            purged = services.deliveries_purge()
            services.worker_heartbeats_purge()
        except Exception:  # maintenance must never stop the relay; tried again in a day
            logger.exception("worker.maintenance_failed")
            return
        finally:
            # Also after a failure: the alert on partitions running out reads this.
            self.observe_partitions()
        for projection in registry.all_projections():
            try:
                created += projection.maintain()
            except Exception:  # one read model's upkeep must not stop the others
                logger.exception("worker.projection_maintenance_failed", projection=projection.name)
        if created or purged:
            logger.info("worker.maintained", partitions_created=created, deliveries_purged=purged)

    def observe_partitions(self) -> None:
        try:
            metrics.audit_partitions_ahead.set(selectors.audit_partition_months_ahead())
        except Exception:  # a gauge must never stop the relay
            logger.exception("worker.observe_failed")

    def observe(self) -> None:
        now = time.monotonic()
        if now - self._beaten_at >= settings.WORKER_HEARTBEAT_SECONDS:
            services.worker_heartbeat_record(worker=self.name)
            self._beaten_at = now
        metrics.outbox_lag_seconds.set(selectors.outbox_lag_seconds())
        metrics.dead_letters.set(selectors.dead_letter_count())
        metrics.seal_lag_seconds.set(selectors.seal_lag_seconds())

    def run(self, *, once: bool = False) -> None:
        """Relay until SIGTERM or SIGINT. A lost database connection (PostgreSQL restarted,
        a connection cut) is not an end: the worker connects again, listens again and
        catches up, so its supervisor sees it exit only when it was told to stop or on a
        fault it cannot work around (a configuration error raised before this loop)."""
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        sealer = None if once else SealLoop(self)
        if sealer is not None:
            sealer.start()
        logger.info("worker.started", batch_size=self.batch_size)
        try:
            while not self.stopping:
                try:
                    # Listen before the first look, so that nothing committed in between
                    # is missed; after a reconnect the first look catches up.
                    with raw_connection() as listener:
                        listener.execute(f"LISTEN {CHANNEL}")
                        self._relay(listener, once=once)
                except DatabaseError:
                    if once:
                        raise
                    logger.warning("worker.connection_lost", exc_info=True)
                    close_old_connections()
                    self.beat()  # waiting for the database is alive, not stuck
                    self.pause(ERROR_PAUSE_SECONDS)
                if once:
                    break
        finally:
            # However the relay ended, the sealer ends with it.
            self.stop()
            if sealer is not None:
                sealer.join(timeout=10)
        close_old_connections()
        logger.info("worker.stopped")

    def pause(self, seconds: float) -> None:
        self._stopped.wait(seconds)

    def _relay(self, listener, *, once: bool) -> None:
        observed_at = 0.0
        while not self.stopping:
            relayed = 0
            self.beat()
            try:
                close_old_connections()
                self.maintain()
                registry.run_due_jobs()
                relayed = self.drain()
                now = time.monotonic()
                if once:
                    audit_seal_and_follow()
                # The gauges are not needed per hop of a busy saga: while work keeps
                # coming they are updated every so often, and always when idle.
                if once or not relayed or now - observed_at >= OBSERVE_INTERVAL_SECONDS:
                    self.observe()
                    observed_at = now
                ceiling = min(self.poll_seconds, MAX_SLEEP_SECONDS)
                wait = max(selectors.seconds_until_next_due(ceiling=ceiling), MIN_SLEEP_SECONDS)
            except Exception:
                # A database hiccup or a bug must not end the relay: log, pause, go on.
                logger.exception("worker.loop_failed")
                close_old_connections()
                wait = ERROR_PAUSE_SECONDS
            if once:
                return
            if relayed:
                continue  # what it relayed may have made the next step due: look again
            # Raises when the listening connection is gone: run() connects again.
            for _notification in listener.notifies(timeout=wait, stop_after=1):
                break
