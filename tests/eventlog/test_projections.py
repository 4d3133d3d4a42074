"""Projections keep read models from events, idempotently, and rebuild from the log."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from apps.core.models import SettingChange
from apps.eventlog.models import Delivery
from apps.eventlog.relay import relay_batch

pytestmark = pytest.mark.django_db


def test_setting_history_follows_changes_through_the_relay(client_as):
    admin = client_as("Admin")
    admin.put("/api/v1/settings/hist.key/", {"value": 1})
    admin.put("/api/v1/settings/hist.key/", {"value": 2})
    admin.delete("/api/v1/settings/hist.key/")
    relay_batch()
    history = list(SettingChange.objects.filter(key="hist.key").order_by("changed_at"))
    assert [(h.value, h.deleted) for h in history] == [(1, False), (2, False), (None, True)]
    assert {h.changed_by for h in history} == {admin.user.username}


def test_a_redelivered_event_changes_no_projection(client_as):
    client_as("Admin").put("/api/v1/settings/hist.once/", {"value": 1})
    relay_batch()
    Delivery.objects.filter(subscriber="projection.setting_history").update(
        status="pending", next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    # Even without the processed marker, applying again inserts nothing.
    from apps.eventlog.models import ProcessedMarker

    ProcessedMarker.objects.filter(subscriber="projection.setting_history").delete()
    relay_batch()
    assert SettingChange.objects.filter(key="hist.once").count() == 1


def test_rebuild_restores_the_read_model_from_the_log(client_as):
    admin = client_as("Admin")
    admin.put("/api/v1/settings/hist.rebuilt/", {"value": "a"})
    admin.put("/api/v1/settings/hist.rebuilt/", {"value": "b"})
    relay_batch()
    before = sorted(SettingChange.objects.values_list("event_id", "value"))
    SettingChange.objects.filter(key="hist.rebuilt").delete()
    out = io.StringIO()
    call_command("rebuild_projection", "setting_history", stdout=out)
    assert "Rebuilt setting_history" in out.getvalue()
    assert sorted(SettingChange.objects.values_list("event_id", "value")) == before


def test_rebuilding_an_unknown_projection_names_the_known_ones():
    with pytest.raises(CommandError, match="setting_history"):
        call_command("rebuild_projection", "nope")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_rebuild_works_in_bounded_transactions_so_it_never_holds_the_sealer(client_as):
    from django.db import connection

    from apps.eventlog.projections import projection_rebuild
    from apps.eventlog.registry import registry

    admin = client_as("Admin")
    for value in range(5):
        admin.put("/api/v1/settings/hist.bounded/", {"value": value})
    projection = registry.get_projection("setting_history")
    transactions = []
    apply = projection.apply

    def recording(event):
        apply(event)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_current_xact_id()")
            transactions.append(cursor.fetchone()[0])

    projection.apply = recording
    try:
        applied = projection_rebuild(projection, chunk=2)
    finally:
        projection.apply = apply
    assert applied >= 5
    assert len(set(transactions)) == -(-applied // 2)  # one transaction per chunk
    assert SettingChange.objects.filter(key="hist.bounded").count() == 5
