"""Inventory benchmarks (run by `make bench` through bench/run.py, against its gunicorn).

Movement throughput through POST /api/v1/stock/issue/, 8 concurrent clients: issues spread
over 1,000 SKUs, and all on one hot SKU (every request waits for the same row lock).
Reports movements/s and p95, and checks the ledger afterwards.

Usage: python -m bench.inventory BASE_URL
"""

import json
import os
import statistics
import subprocess
import sys
from datetime import timedelta
from decimal import Decimal

import django

django.setup()

from django.contrib.auth.models import Group  # noqa: E402

from apps.accounts.models import User  # noqa: E402
from apps.accounts.services import api_token_issue  # noqa: E402
from apps.inventory import selectors, services  # noqa: E402
from apps.inventory.models import Item, Location, StockLevel  # noqa: E402

DURATION = os.environ.get("BENCH_DURATION", "6s")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
SKUS = 1000


def warehouse_token() -> str:
    user, _ = User.objects.get_or_create(username="bench-warehouse")
    user.groups.add(Group.objects.get(name="Warehouse"))
    _token, secret = api_token_issue(user=user, ttl=timedelta(hours=2), actor=None)
    return secret


def wrk(url: str, env: dict) -> dict:
    result = subprocess.run(
        ["wrk", "-t2", "-c8", f"-d{DURATION}", "-s", "bench/issue.lua", url],
        capture_output=True, text=True, check=True, env={**os.environ, **env},
    )  # fmt: skip
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(base_url: str) -> None:
    token = warehouse_token()
    warehouse = Location.objects.create(code="BENCH-WH", name="bench", kind="warehouse")
    items = Item.objects.bulk_create(
        [Item(sku=f"BENCH-{n:04d}", name="bench", unit_price=Decimal("1")) for n in range(SKUS)]
    )
    ids = sorted(item.pk for item in items)
    assert ids == list(range(ids[0], ids[0] + SKUS)), "item ids must be consecutive"
    # Plenty of stock, received through the service: the bench measures issuing.
    for item_id in ids:
        services.stock_receive(
            item_id=item_id, location_id=warehouse.pk, quantity=10**6, actor=None
        )
    env = {
        "BENCH_TOKEN": token,
        "BENCH_FIRST_ITEM": str(ids[0]),
        "BENCH_LOCATION": str(warehouse.pk),
    }
    url = base_url + "/api/v1/stock/issue/"
    wrk(url, {**env, "BENCH_ITEMS": str(SKUS)})  # warm up
    rounds = [
        {
            "spread": wrk(url, {**env, "BENCH_ITEMS": str(SKUS)}),
            "hot": wrk(url, {**env, "BENCH_ITEMS": "1"}),
        }
        for _ in range(ROUNDS)
    ]
    for name in ("spread", "hot"):
        runs = [r[name] for r in rounds]
        rate = statistics.median(r["rps"] for r in runs)
        print(f"inventory.issue_{name}.movements_per_s {rate:.0f}")
        print(f"inventory.issue_{name}.p95_ms {statistics.median(r['p95_ms'] for r in runs):.2f}")
        print(f"inventory.issue_{name}.errors {sum(r['errors'] for r in runs)}")
    differences = selectors.ledger_differences()
    negative = StockLevel.objects.filter(on_hand__lt=0).count()
    print(f"inventory.ledger_differences {len(differences)} (negative levels {negative})")


if __name__ == "__main__":
    main(sys.argv[1])
