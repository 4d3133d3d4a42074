"""The commands `make setup` runs: ensure_database and load_demo_data."""

import os
import subprocess
import sys
import uuid

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections

from apps.core.models import DemoFixture, SystemSetting
from apps.platform.db import raw_connection


def database_exists(name: str) -> bool:
    with raw_connection(dbname="postgres") as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()


@pytest.mark.django_db
def test_ensure_database_creates_a_missing_database_once():
    name = f"fusionops_ensure_{uuid.uuid4().hex[:8]}"
    server = connections["default"].settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "fusionops.settings.development",
        "DATABASE_URL": f"postgres://{server['USER']}@{server['HOST']}:{server['PORT']}/{name}",
    }

    def run():
        return subprocess.run(
            [sys.executable, "manage.py", "ensure_database"],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    try:
        first = run()
        assert first.returncode == 0, first.stderr
        assert f"Created database {name}" in first.stdout
        assert database_exists(name)
        second = run()
        assert second.returncode == 0, second.stderr
        assert f"Database {name} exists" in second.stdout
    finally:
        with raw_connection(dbname="postgres") as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.mark.django_db
def test_demo_data_is_loaded_once_and_edits_survive_later_runs():
    call_command("load_demo_data", verbosity=0)
    assert SystemSetting.objects.get(key="portal.name").value == "FusionOps Demo"
    assert DemoFixture.objects.filter(name="demo.json").exists()
    # The record of what was loaded is not a setting anyone could delete by accident.
    assert not SystemSetting.objects.filter(key__contains="demo").exists()

    SystemSetting.objects.filter(key="portal.name").update(value="Edited")
    call_command("load_demo_data", verbosity=0)
    assert SystemSetting.objects.get(key="portal.name").value == "Edited"


@pytest.mark.django_db
def test_the_demo_plant_has_a_week_of_bookings_made_once_through_the_service():
    from apps.eventlog.models import Event
    from apps.resources.models import Allocation, Resource

    call_command("load_demo_data", verbosity=0)
    assert Resource.objects.filter(kind="person").count() >= 4
    booked = Allocation.objects.filter(note="Demo booking")
    assert booked.count() == 24
    assert (
        Event.objects.filter(
            type="resources.allocation.created", aggregate_id__in=[str(a.pk) for a in booked]
        ).count()
        == 24
    )
    call_command("load_demo_data", verbosity=0)
    assert Allocation.objects.filter(note="Demo booking").count() == 24


@pytest.mark.django_db
def test_the_demo_warehouses_hold_stock_some_of_it_low():
    from apps.inventory import selectors

    call_command("load_demo_data", verbosity=0)
    levels = selectors.stock_level_list()
    assert {level.location.code for level in levels} >= {"WH-HAM", "WH-BER"}
    assert selectors.stock_level_list(below_reorder=True).count() >= 2
    assert selectors.ledger_differences() == []
