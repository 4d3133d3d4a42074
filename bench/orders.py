"""Order saga benchmarks (run by `make bench` through bench/run.py).

- throughput: 300 orders committed at once while one (or two) `run_worker` processes wait;
  orders/s from that commit until the last is fulfilled. Target: 100/s with one;
- latency: orders placed at 50 per second for 10 s with one (and with two) workers
  running; time from placement to fulfilment (the order's own timestamps, one clock), p50
  and p95. Target: p95 < 150 ms with two.
"""

import os
import statistics
import time
from decimal import Decimal

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import transaction  # noqa: E402

from apps.inventory import services as inventory  # noqa: E402
from apps.inventory.models import Item, Location  # noqa: E402
from apps.orders import services  # noqa: E402
from apps.orders.models import Order  # noqa: E402
from bench.eventlog import start_workers, stop  # noqa: E402

THROUGHPUT_ORDERS = int(os.environ.get("BENCH_ORDERS", "300"))
RATE = int(os.environ.get("BENCH_ORDER_RATE", "50"))
SECONDS = 10


def shelf(tag: str) -> list[tuple[int, int]]:
    location = Location.objects.create(code=f"BENCH-{tag}", name="bench", kind="warehouse")
    items = Item.objects.bulk_create(
        [Item(sku=f"BENCH-{tag}-{n}", name="bench", unit_price=Decimal("1")) for n in range(20)]
    )
    for item in items:
        inventory.stock_receive(
            item_id=item.pk, location_id=location.pk, quantity=10**6, actor=None
        )
    return [(item.pk, location.pk) for item in items]


def place(stock, n: int) -> int:
    item, location = stock[n % len(stock)]
    return services.order_place(
        customer_reference=f"bench-{n}",
        lines=[services.LineRequest(item, location, Decimal(1))],
        actor=None,
    ).pk


def throughput(worker_count: int) -> None:
    stock = shelf(f"T{worker_count}")
    workers = start_workers(worker_count)
    try:
        # All orders commit at once; the clock runs from that commit to the last one done.
        with transaction.atomic():
            orders = [place(stock, n) for n in range(THROUGHPUT_ORDERS)]
        started = time.perf_counter()
        while Order.objects.filter(
            pk__in=orders, status__in=["placed", "reserved", "paid"]
        ).exists():
            if time.perf_counter() - started > 600:
                raise SystemExit("orders did not finish within 10 minutes")
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
    finally:
        stop(workers)
    fulfilled = Order.objects.filter(pk__in=orders, status="fulfilled").count()
    rate = fulfilled / elapsed
    verdict = (" meets" if rate >= 100 else " BELOW") + " target 100" if worker_count == 1 else ""
    print(f"orders.fulfilled_per_s.workers_{worker_count} {rate:.1f}{verdict}")


def latency(worker_count: int) -> None:
    stock = shelf(f"L{worker_count}")
    workers = start_workers(worker_count)
    try:
        orders = []
        began = time.perf_counter()
        for n in range(RATE * SECONDS):
            orders.append(place(stock, n))
            pause = began + (n + 1) / RATE - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
        deadline = time.perf_counter() + 60
        while Order.objects.filter(pk__in=orders).exclude(status="fulfilled").exists():
            if time.perf_counter() > deadline:
                raise SystemExit("orders were not fulfilled within a minute")
            time.sleep(0.05)
    finally:
        stop(workers)
    durations = sorted(
        (updated - created).total_seconds() * 1000
        for created, updated in Order.objects.filter(pk__in=orders).values_list(
            "created_at", "updated_at"
        )
    )
    p95 = durations[int(len(durations) * 0.95) - 1]
    label = f"orders.placed_to_fulfilled.workers_{worker_count}"
    print(f"{label}.p50_ms {statistics.median(durations):.1f} at {RATE}/s")
    verdict = f" ({'meets' if p95 < 150 else 'ABOVE'} target < 150)" if worker_count == 2 else ""
    print(f"{label}.p95_ms {p95:.1f}{verdict}")


if __name__ == "__main__":
    assert "bench" in settings.DATABASES["default"]["NAME"], "runs on a bench database only"
    throughput(1)
    throughput(2)
    latency(1)
    latency(2)
