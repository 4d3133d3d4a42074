"""Writes of the integrations app: webhook endpoints, and handing events to them.

Deliveries to an endpoint are outbox deliveries of the subscriber `webhook:<id>`: the
relay's retries, backoff, dead letters and replay are theirs. The fan-out (a reader of
the sealed log, so in commit order) gives each public event to the active endpoints that
want it; `deliver` (handlers.py) makes the POST.
"""

import base64
import secrets as tokens
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.eventlog.registry import event_type_matches, registry
from apps.eventlog.selectors import sealed_events
from apps.eventlog.services import Fanned, deliveries_add, deliveries_redo, event_emit
from apps.integrations import events, webhooks
from apps.integrations.models import FanOutCursor, WebhookEndpoint
from apps.integrations.selectors import dead_letters_since_enabled
from apps.platform.exceptions import NotFound

_FAN_OUT_LOCK = "fusionops.integrations.fan_out"
FAN_OUT_BATCH = 500
REPLAY_LIMIT = 10_000
EDITABLE = ("url", "event_types", "description", "active")


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 24 random bytes in base64."""
    return "whsec_" + base64.b64encode(tokens.token_bytes(24)).decode()


def webhook_endpoint_check(*, url: str, event_types: list[str]) -> None:
    """ValidationError (by field) unless the portal may call `url` and every pattern
    matches a public event type."""
    errors = {}
    try:
        webhooks.target_of(url)
    except webhooks.UrlRefused as exc:
        errors["url"] = [str(exc)]
    if not event_types:
        errors["event_types"] = [
            _("Name at least one event type, a prefix such as orders.*, or *.")
        ]
    else:
        public = [t.name for t in registry.event_types() if t.public is not None]
        unknown = [
            p for p in event_types if not any(event_type_matches([p], name) for name in public)
        ]
        if unknown:
            errors["event_types"] = [
                _("%(patterns)s match no public event type (see /api/v1/events/catalogue/).")
                % {"patterns": ", ".join(unknown)}
            ]
    if errors:
        raise ValidationError(errors)


def _facts(endpoint: WebhookEndpoint) -> dict:
    return {"endpoint_id": endpoint.pk, "url": endpoint.url, "owner": endpoint.owner.get_username()}


@transaction.atomic
def webhook_endpoint_create(
    *, owner, url: str, event_types: list[str], description: str = "", actor
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; returns it and its secret (shown this once)."""
    webhook_endpoint_check(url=url, event_types=event_types)
    secret = new_secret()
    endpoint = WebhookEndpoint.objects.create(
        owner=owner, url=url, event_types=event_types, description=description, secret=secret,
        enabled_at=timezone.now(),
    )  # fmt: skip
    event_emit(
        events.ENDPOINT_CREATED,
        aggregate_id=endpoint.pk,
        payload={**_facts(endpoint), "event_types": event_types, "description": description},
        actor=actor,
    )
    return endpoint, secret


@transaction.atomic
def webhook_endpoint_change(*, endpoint_id: int, actor, **changes) -> WebhookEndpoint:
    """Change an endpoint's URL, event types, description or active flag. Activating a
    disabled endpoint starts its dead-letter count afresh."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    endpoint = _locked(endpoint_id)
    webhook_endpoint_check(
        url=changes.get("url", endpoint.url),
        event_types=changes.get("event_types", endpoint.event_types),
    )
    changed = {
        name: [getattr(endpoint, name), value]
        for name, value in changes.items()
        if getattr(endpoint, name) != value
    }
    if not changed:
        return endpoint
    for name, value in changes.items():
        setattr(endpoint, name, value)
    if changes.get("active") and "active" in changed:
        endpoint.enabled_at = timezone.now()
        endpoint.disabled_reason = ""
    endpoint.save()
    event_emit(
        events.ENDPOINT_CHANGED,
        aggregate_id=endpoint.pk,
        payload={**_facts(endpoint), "changes": changed},
        actor=actor,
    )
    return endpoint


@transaction.atomic
def webhook_endpoint_delete(*, endpoint_id: int, actor) -> None:
    endpoint = _locked(endpoint_id)
    facts = _facts(endpoint)
    endpoint.delete()
    event_emit(events.ENDPOINT_DELETED, aggregate_id=endpoint_id, payload=facts, actor=actor)


@transaction.atomic
def webhook_endpoint_rotate_secret(*, endpoint_id: int, actor) -> tuple[WebhookEndpoint, str]:
    """A new secret (returned, shown this once); the current one keeps signing beside it
    for WEBHOOK_SECRET_OVERLAP_HOURS, so receivers can switch without missing a delivery."""
    endpoint = _locked(endpoint_id)
    secret = new_secret()
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = timezone.now() + timedelta(
        hours=settings.WEBHOOK_SECRET_OVERLAP_HOURS
    )
    endpoint.secret = secret
    endpoint.save()
    event_emit(
        events.ENDPOINT_SECRET_ROTATED,
        aggregate_id=endpoint.pk,
        payload={
            **_facts(endpoint),
            "previous_secret_expires_at": endpoint.previous_secret_expires_at.isoformat(),
        },
        actor=actor,
    )
    return endpoint, secret


@transaction.atomic
def webhook_endpoint_test(*, endpoint_id: int, actor):
    """Record a test event that goes to this endpoint only (through the outbox, like any
    other delivery); returns the recorded event."""
    endpoint = _locked(endpoint_id)
    return event_emit(
        events.WEBHOOK_TESTED,
        aggregate_id=endpoint.pk,
        payload={"endpoint_id": endpoint.pk, "message": "A test event from FusionOps."},
        actor=actor,
    )


@transaction.atomic
def webhook_endpoint_replay(*, endpoint_id: int, from_position: int, actor) -> int:
    """Deliver again every public event from `from_position` on (at most REPLAY_LIMIT) that
    the endpoint wants, whatever became of the earlier deliveries; returns how many."""
    if from_position < 1:
        raise ValidationError({"from_position": [_("Positions start at 1.")]})
    endpoint = _locked(endpoint_id)
    page = sealed_events(after=from_position - 1, limit=REPLAY_LIMIT, types=_public_types())
    wanted = [event for event in page.events if _goes_to(event, endpoint)]
    count = deliveries_redo(
        fanned=[Fanned(e.id, e.recorded_at, e.type, endpoint.subscriber) for e in wanted]
    )
    event_emit(
        events.ENDPOINT_REPLAYED,
        aggregate_id=endpoint.pk,
        payload={
            **_facts(endpoint),
            "from_position": from_position,
            "through_position": page.scanned_through,
            "events": count,
        },
        actor=actor,
    )
    return count


def webhook_endpoints_disable_failing() -> int:
    """Disable every active endpoint with WEBHOOK_DISABLE_AFTER_DEAD_LETTERS dead letters
    since it was (re-)enabled, saying why (its owner sees it in the admin); the worker runs
    it every minute. Returns how many were disabled."""
    limit = settings.WEBHOOK_DISABLE_AFTER_DEAD_LETTERS
    disabled = 0
    for endpoint_id, dead in dead_letters_since_enabled().items():
        if dead < limit:
            continue
        with transaction.atomic():
            endpoint = _locked(endpoint_id)
            if not endpoint.active:
                continue
            reason = _("Disabled after %(count)d deliveries failed for good.") % {"count": dead}
            endpoint.active = False
            endpoint.disabled_reason = reason
            endpoint.save(update_fields=["active", "disabled_reason", "updated_at"])
            event_emit(
                events.ENDPOINT_DISABLED,
                aggregate_id=endpoint.pk,
                payload={**_facts(endpoint), "dead_letters": dead, "reason": reason},
                actor=None,
            )
            disabled += 1
    return disabled


def _public_types() -> list[str]:
    return [t.name for t in registry.event_types() if t.public is not None]


def _goes_to(event, endpoint: WebhookEndpoint) -> bool:
    if event.type == events.WEBHOOK_TESTED.name:  # a test goes to the endpoint it names
        return event.payload.get("endpoint_id") == endpoint.pk
    return event_type_matches(endpoint.event_types, event.type)


def webhooks_fan_out() -> int:
    """Give sealed public events past the fan-out cursor to the active endpoints that want
    them, in commit order, moving the cursor in the same transaction; returns how many
    positions were read. One fan-out at a time (others return at once)."""
    read = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(hashtext(%s))", [_FAN_OUT_LOCK])
            if not cursor.fetchone()[0]:
                return read
            # Made by a migration, and only there: a database emptied under a running
            # worker (a test's flush) is filled again with that row, which one made here
            # would collide with.
            cursor_row = FanOutCursor.objects.select_for_update().filter(id=1).first()
            if cursor_row is None:
                return read
            endpoints = list(WebhookEndpoint.objects.filter(active=True))
            if not endpoints:  # nobody to give anything to: only keep up with the log
                cursor.execute("SELECT coalesce(max(position), 0) FROM audit_seal")
                head = cursor.fetchone()[0]
                if head > cursor_row.position:
                    read += head - cursor_row.position
                    cursor_row.position = head
                    cursor_row.save(update_fields=["position"])
                return read
            page = sealed_events(
                after=cursor_row.position, limit=FAN_OUT_BATCH, types=_public_types()
            )
            if page.scanned_through is None:
                return read
            deliveries_add(
                fanned=[
                    Fanned(event.id, event.recorded_at, event.type, endpoint.subscriber)
                    for event in page.events
                    for endpoint in endpoints
                    if _goes_to(event, endpoint) and event.recorded_at >= endpoint.created_at
                ]
            )
            read += page.scanned_through - cursor_row.position
            cursor_row.position = page.scanned_through
            cursor_row.save(update_fields=["position"])
        if not page.full:
            return read


def _locked(endpoint_id: int) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.select_for_update().filter(pk=endpoint_id).first()
    if endpoint is None:
        raise NotFound(_("There is no webhook endpoint %(id)s.") % {"id": endpoint_id})
    return endpoint
