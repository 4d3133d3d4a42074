"""Writes of reference data (skills, resources, projects, items, locations): validated by
the model and its constraints, locked while they change, and audited as
`<app>.<model>.created|updated|deleted`. Apps call these from their services."""

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, transaction
from django.db.models import ManyToManyField, ProtectedError
from django.utils.translation import gettext as _
from pydantic import create_model

from apps.eventlog.contracts import EventType, PublicPayload
from apps.eventlog.registry import registry
from apps.eventlog.services import UndeclaredEventType, event_emit
from apps.platform.exceptions import Conflict


class InUse(Conflict):
    """The record is referenced elsewhere and cannot be deleted (deactivate it instead)."""

    problem_type = "in-use"
    title = _("The record is in use.")


def snapshot(instance) -> dict:
    """The record's fields as JSON values (many-to-many as sorted ids)."""
    values = {}
    for field in instance._meta.concrete_fields:
        values[field.attname] = field.value_from_object(instance)
    for field in instance._meta.many_to_many:
        values[field.name] = sorted(related.pk for related in getattr(instance, field.name).all())
    return json.loads(json.dumps(values, cls=DjangoJSONEncoder))


VERBS = ("created", "updated", "deleted")


@dataclass(frozen=True)
class CatalogueEvents:
    created: EventType
    updated: EventType
    deleted: EventType


def _type_name(label: str, verb: str) -> str:
    return f"{label}.{verb}"


def declare_catalogue_events(
    model: type, *, record: type[PublicPayload], example: dict
) -> CatalogueEvents:
    """Declare the three events of a catalogue model (`<app>.<model>.created|updated|
    deleted`): their public payload is the record (`record`, its fields as the catalogue
    snapshots them); an update adds the names of the fields that `changed`."""
    label = model._meta.label_lower
    noun = model._meta.verbose_name
    updated_record = create_model(
        f"{record.__name__}Updated", __base__=record, changed=(list[str], ...)
    )
    publics = {"created": record, "updated": updated_record, "deleted": record}
    examples = {"updated": {**example, "changed": ["name"]}}
    return CatalogueEvents(
        *(
            registry.declare(
                _type_name(label, verb),
                aggregate_type=label,
                public=publics[verb],
                example=examples.get(verb, example),
                description=f"A {noun} was {verb} in the catalogue.",
            )
            for verb in VERBS
        )
    )


def _record(instance, verb: str, actor, *, changed: Sequence[str] = ()) -> None:
    event_type = registry.event_type(_type_name(instance._meta.label_lower, verb))
    if event_type is None:
        raise UndeclaredEventType(f"{instance._meta.label} declares no catalogue events")
    payload = snapshot(instance)
    if verb == "updated":
        payload["changed"] = sorted(changed)
    event_emit(event_type, aggregate_id=instance.pk, payload=payload, actor=actor)


def _save(instance, relations: dict[str, Iterable]) -> None:
    # full_clean checks field validators and the model's CHECK and UNIQUE constraints, so
    # bad input is a 400 with field errors rather than an IntegrityError; a duplicate
    # written concurrently, after the check, is a conflict.
    instance.full_clean()
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        raise Conflict(_("Another record with these values was saved meanwhile.")) from None
    for name, related in relations.items():
        getattr(instance, name).set(related)


def _split(model, fields: dict) -> tuple[dict, dict]:
    many = {f.name for f in model._meta.many_to_many if isinstance(f, ManyToManyField)}
    plain = {name: value for name, value in fields.items() if name not in many}
    relations = {
        name: value for name, value in fields.items() if name in many and value is not None
    }
    return plain, relations


@transaction.atomic
def catalogue_create(*, model: type, actor, **fields):
    plain, relations = _split(model, fields)
    instance = model(**plain)
    _save(instance, relations)
    _record(instance, "created", actor)
    return instance


@transaction.atomic
def catalogue_update(*, instance, actor, **fields):
    """Change some fields (many-to-many ones replace the set); the event lists only the
    fields whose values really changed."""
    # NO KEY: rows that refer to this one (stock movements, bookings) are not held up.
    instance = type(instance).objects.select_for_update(no_key=True).get(pk=instance.pk)
    plain, relations = _split(type(instance), fields)
    changed = [name for name, value in plain.items() if getattr(instance, name) != value]
    before = {name: {r.pk for r in getattr(instance, name).all()} for name in relations}
    for name, value in plain.items():
        setattr(instance, name, value)
    _save(instance, relations)
    changed += [
        name for name, related in relations.items() if before[name] != {r.pk for r in related}
    ]
    _record(instance, "updated", actor, changed=changed)
    return instance


@transaction.atomic
def catalogue_delete(*, instance, actor) -> None:
    """Delete a record nothing refers to; InUse otherwise."""
    instance = type(instance).objects.select_for_update().get(pk=instance.pk)
    _record(instance, "deleted", actor)
    try:
        with transaction.atomic():
            instance.delete()
            # Foreign keys are checked at commit; check now, so a reference committed
            # meanwhile is answered like any other.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    except (ProtectedError, IntegrityError):
        raise InUse(
            _("%(name)s is in use and cannot be deleted; deactivate it instead.")
            % {"name": instance}
        ) from None
