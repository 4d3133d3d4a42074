"""Locust users for `make bench-load` (bench/load.py runs them; they run in the bench's own
environment, .venv-bench, which has Locust and not the portal).

PortalMix is the portal's real use: 70% reads across resources, stock, orders and events;
15% bookings (random slots of a small calendar, so some are taken: a 409 is an answer, not a
failure); 10% stock moves; 5% orders with an Idempotency-Key. BareView is the framework's
ceiling on this machine: a Django view doing one list query, nothing else. Each user sends
one request a second, so the number of users is the offered rate."""

import json
import os
import random
import uuid
from datetime import UTC, datetime, timedelta

from locust import FastHttpUser, constant_throughput, task

FIXTURE = json.loads(os.environ.get("BENCH_LOAD_FIXTURE", "{}"))
# The calendar bookings fall into: wide enough that most succeed, small enough that some
# collide.
BOOKING_HOURS = 24 * 60
READS = (
    ("/api/v1/resources/?page_size=20", "GET resources"),
    ("/api/v1/stock/?page_size=20", "GET stock"),
    ("/api/v1/orders/?page_size=20", "GET orders"),
    ("/api/v1/events/?page_size=20", "GET events"),
)


class PortalMix(FastHttpUser):
    wait_time = constant_throughput(1)
    default_headers = {"Authorization": f"Bearer {FIXTURE.get('token', '')}"}

    def on_start(self):
        self.start = datetime.fromisoformat(FIXTURE["slots_start"]).astimezone(UTC)

    @task(70)
    def read(self):
        path, name = random.choice(READS)
        self.client.get(path, name=name)

    @task(15)
    def book(self):
        begins = self.start + timedelta(hours=random.randrange(BOOKING_HOURS))
        body = {
            "project": FIXTURE["project"],
            "items": [{"resource": random.choice(FIXTURE["resources"]),
                       "from": begins.isoformat(),
                       "to": (begins + timedelta(hours=1)).isoformat()}],
        }  # fmt: skip
        with self.client.post(
            "/api/v1/allocate/", json=body, name="POST allocate", catch_response=True
        ) as response:
            if response.status_code in (201, 409):  # booked, or the slot is taken
                response.success()

    @task(10)
    def move_stock(self):
        kind = random.choice(("receive", "issue"))
        body = {"item": random.choice(FIXTURE["items"]), "location": FIXTURE["location"],
                "quantity": "1", "reference": "load"}  # fmt: skip
        self.client.post(f"/api/v1/stock/{kind}/", json=body, name=f"POST stock {kind}")

    @task(5)
    def place_order(self):
        body = {
            "customer_reference": uuid.uuid4().hex,
            "lines": [{"item": random.choice(FIXTURE["items"]), "location": FIXTURE["location"],
                       "quantity": "1"}],
        }  # fmt: skip
        self.client.post(
            "/api/v1/orders/", json=body, headers={"Idempotency-Key": uuid.uuid4().hex},
            name="POST orders",
        )  # fmt: skip


class BareView(FastHttpUser):
    wait_time = constant_throughput(1)

    @task
    def bare(self):
        self.client.get("/bench/bare-settings", name="GET bare view")
