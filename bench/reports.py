"""Report refresh time (run by `make bench` through bench/run.py, on the events database):
a month of 10,000 bookings over 100 resources and 100,000 stock movements over 200 levels
(written straight into the tables, as the services would leave them), then every report
refreshed twice, concurrently, as the worker does: the first refresh after the data came,
and one with nothing new.
"""

import os
import time
from datetime import UTC, datetime

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from apps.reports.services import reports_refresh  # noqa: E402

BOOKINGS = int(os.environ.get("BENCH_REPORT_BOOKINGS", "10000"))
MOVEMENTS = int(os.environ.get("BENCH_REPORT_MOVEMENTS", "100000"))
MONTH = datetime(2031, 3, 1, tzinfo=UTC)


def seed() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO resources_resource (name, kind, hourly_cost, timezone, work_days,"
            " work_start, work_end, active, created_at, updated_at)"
            " SELECT 'report-' || n, (ARRAY['person','equipment','vehicle','room'])[1 + n % 4],"
            " 50, 'UTC', '{1,2,3,4,5}', '08:00', '17:00', true, now(), now()"
            " FROM generate_series(1, 100) n RETURNING id"
        )
        resources = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "INSERT INTO resources_project (code, name, active, created_at, updated_at)"
            " VALUES ('BENCH-REPORTS', 'bench', true, now(), now()) RETURNING id"
        )
        project = cursor.fetchone()[0]
        # Each resource: BOOKINGS / 100 bookings of 2 hours, 3 hours apart, over the month.
        per_resource = BOOKINGS // len(resources)
        cursor.execute(
            "INSERT INTO resources_allocation (resource_id, project_id, period, status, note,"
            " created_at, cancel_reason)"
            " SELECT r, %s, tstzrange(%s + k * interval '3 hours' + (r %% 3) * interval '1 hour',"
            " %s + k * interval '3 hours' + (r %% 3) * interval '1 hour' + interval '2 hours'),"
            " 'booked', '', now(), '' FROM unnest(%s::bigint[]) r, generate_series(0, %s - 1) k",
            [project, MONTH, MONTH, resources, per_resource],
        )
        cursor.execute(
            "INSERT INTO inventory_item (sku, name, unit, unit_price, active, auto_reorder,"
            " created_at, updated_at)"
            " SELECT 'RPT-' || n, 'report item ' || n, 'pcs', 2.5, true, false, now(), now()"
            " FROM generate_series(1, 20) n RETURNING id"
        )
        items = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "INSERT INTO inventory_location (code, name, kind) SELECT 'RPT-WH' || n,"
            " 'report warehouse ' || n, 'warehouse' FROM generate_series(1, 10) n RETURNING id"
        )
        locations = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "INSERT INTO inventory_stockmovement (item_id, location_id, kind, quantity,"
            " on_hand_delta, reserved_delta, on_hand_after, reserved_after, reference, reason,"
            " created_at)"
            " SELECT (%s::bigint[])[1 + n %% 20], (%s::bigint[])[1 + (n / 20) %% 10], 'receipt',"
            " 1, 1, 0, n, 0, '', '', %s + (n * interval '1 month') / %s"
            " FROM generate_series(1, %s) n",
            [items, locations, MONTH, MOVEMENTS, MOVEMENTS],
        )


def main() -> None:
    assert "bench" in settings.DATABASES["default"]["NAME"], "runs on a bench database only"
    seed()
    for label in ("first", "again"):
        started = time.perf_counter()
        taken = reports_refresh()
        total = time.perf_counter() - started
        for name, seconds in taken.items():
            print(f"reports.refresh_{label}.{name}_s {seconds:.2f}")
        print(f"reports.refresh_{label}.all_s {total:.2f}")
    print(f"# {BOOKINGS} bookings in a month over 100 resources, {MOVEMENTS} stock movements")


if __name__ == "__main__":
    main()
