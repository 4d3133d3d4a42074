"""A database migrated while the event log was the audit and events apps keeps its roles'
grants when it is migrated now."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType

pytestmark = pytest.mark.django_db

adopt = importlib.import_module("apps.eventlog.migrations.0007_adopt_content_types").adopt


def old_grant(app_label: str, model: str, codename: str, role: str) -> Permission:
    content_type = ContentType.objects.create(app_label=app_label, model=model)
    permission = Permission.objects.create(
        content_type=content_type, codename=codename, name=codename
    )
    Group.objects.get_or_create(name=role)[0].permissions.add(permission)
    return permission


def test_old_content_types_move_to_the_event_log_with_their_grants():
    # As on a database from then: the event log's own content type does not exist yet.
    ContentType.objects.filter(app_label="eventlog", model="seal").delete()
    old_grant("audit", "seal", "view_seal", "AuditViewer")
    # ...and where it does (permissions were created for both), the grant is carried over.
    old_grant("events", "delivery", "change_delivery", "Operator")

    adopt(apps, None)

    assert not ContentType.objects.filter(app_label__in=["audit", "events"]).exists()
    auditors = Group.objects.get(name="AuditViewer").permissions
    assert auditors.filter(content_type__app_label="eventlog", codename="view_seal").exists()
    operators = Group.objects.get(name="Operator").permissions
    assert operators.filter(content_type__app_label="eventlog", codename="change_delivery").exists()


def test_a_new_database_has_nothing_to_adopt():
    before = set(ContentType.objects.values_list("app_label", "model"))
    adopt(apps, None)
    assert set(ContentType.objects.values_list("app_label", "model")) == before
