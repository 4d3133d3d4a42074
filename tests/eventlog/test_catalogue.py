"""Every event the portal records is of a declared type, and every declared public payload
is what its JSON Schema says."""

import io
import json

import jsonschema
import pytest
from django.core.management import call_command

from apps.eventlog.contracts import EVENT_TYPE_PATTERN
from apps.eventlog.registry import registry
from apps.eventlog.services import portal_event_namespaces

pytestmark = pytest.mark.django_db

# Every app of the portal that records events declares them.
PORTAL_NAMESPACES = {"accounts", "core", "events", "inventory", "orders", "payments", "resources"}


def portal_types():
    return [t for t in registry.event_types() if t.name.split(".")[0] in PORTAL_NAMESPACES]


def test_every_app_declares_its_events():
    namespaces = {event_type.name.split(".")[0] for event_type in portal_types()}
    assert namespaces == PORTAL_NAMESPACES
    assert len(portal_types()) >= 45


@pytest.mark.parametrize("event_type", portal_types(), ids=lambda t: t.name)
def test_each_declared_public_payload_validates_against_its_schema(event_type):
    assert EVENT_TYPE_PATTERN.match(event_type.name)
    assert event_type.name.split(".")[0] in portal_event_namespaces()
    assert event_type.description
    if event_type.public is None:
        assert event_type.public_payload(event_type.example) is None
        return
    public = event_type.public_payload(event_type.example)
    schema = event_type.public_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(public, schema, cls=jsonschema.Draft202012Validator)
    # What leaves names only the contract's fields, whatever else is inside.
    assert set(public) == set(event_type.public_fields())
    assert event_type.public_payload({**event_type.example, "internal_only": 1}) == public


def test_a_renamed_internal_field_breaks_the_contract_instead_of_the_public_payload():
    booked = registry.event_type("resources.allocation.created")
    renamed = {**booked.example, "project": booked.example["project_id"]}
    del renamed["project_id"]
    with pytest.raises(ValueError, match="project_id"):
        booked.public_payload(renamed)


def test_live_events_name_their_message_and_topics():
    live = {t.name: (t.live.message, t.live.topics) for t in portal_types() if t.live}
    assert live["resources.allocation.created"] == (
        "allocationCreated",
        ("allocations", "project:{project_id}"),
    )
    assert live["inventory.stock.low"] == ("stockLow", ("inventory",))
    assert live["orders.order.placed"] == ("orderStatusChanged", ("orders",))
    booked = registry.event_type("resources.allocation.created")
    assert booked.live.topics_for(booked.public_payload(booked.example)) == [
        "allocations",
        "project:2",
    ]


def test_the_catalogue_command_prints_each_type_with_its_topics_and_public_fields():
    out = io.StringIO()
    call_command("event_catalogue", stdout=out)
    lines = {line.split("\t")[0]: line.split("\t")[1:] for line in out.getvalue().splitlines()}
    assert lines["resources.allocation.created"] == [
        "v1",
        "allocations,project:{project_id}",
        "allocation_id,project_id,resource_id,from,to,status,note",
    ]
    assert lines["accounts.user.logged_in"] == ["v1", "-", "(internal)"]
    assert set(lines) == {t.name for t in registry.event_types()}


def test_the_catalogue_is_served_as_json_schema_to_anyone_with_a_role(client_as, api_client):
    response = client_as("Integration").get("/api/v1/events/catalogue/")
    assert response.status_code == 200
    entries = {entry["type"]: entry for entry in response.json()["event_types"]}
    booked = entries["resources.allocation.created"]
    assert booked["version"] == 1
    assert booked["message_type"] == "allocationCreated"
    assert booked["schema"]["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(booked["schema"]["required"]) >= {"allocation_id", "from", "to"}
    assert entries["accounts.token.issued"]["schema"] is None
    out = io.StringIO()
    call_command("event_catalogue", "--json", stdout=out)
    assert json.loads(out.getvalue()) == response.json()
    assert api_client.get("/api/v1/events/catalogue/").status_code == 401


def test_every_live_topic_an_event_declares_is_one_clients_can_subscribe_to():
    from apps.realtime import topics

    for event_type in registry.event_types():
        for template in event_type.live.topics if event_type.live else ():
            assert topics.template_key(template) is not None, (event_type.name, template)


def test_the_readme_lists_every_public_event_as_the_catalogue_does():
    import re

    from django.conf import settings

    out = io.StringIO()
    call_command("event_catalogue", "--markdown", stdout=out)
    readme = (settings.BASE_DIR / "README.md").read_text()
    (listed,) = re.findall(
        r"<!-- event-catalogue -->\n(.*?)\n<!-- /event-catalogue -->", readme, re.S
    )
    assert listed == out.getvalue().strip(), "run manage.py event_catalogue --markdown"
    assert "`orders.order.placed`" in listed and "testing." not in listed
