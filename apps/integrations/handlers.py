"""What the integrations app runs on the event log: the fan-out (a reader of the sealed
log), the deliveries to each endpoint (subscribers `webhook:<id>`), the job that disables
endpoints that keep failing, and the broker bridges that are configured."""

from django.conf import settings
from django.utils import timezone

from apps.eventlog.registry import registry
from apps.integrations import bridges, services, webhooks
from apps.integrations.models import WebhookEndpoint

registry.sealed_reader(services.webhooks_fan_out)

for bridge in bridges.configured():
    bridges.subscribe(bridge)


@registry.subscriber_family(
    "webhook", max_attempts=lambda: settings.WEBHOOK_MAX_ATTEMPTS, external=True
)
def deliver(event, key: str) -> dict:
    """POST the event's public contract to endpoint `key`, signed; the outcome is kept with
    the delivery. A non-2xx answer, a timeout or a refused URL fails the attempt (retried
    with backoff, a dead letter after the last)."""
    endpoint = WebhookEndpoint.objects.filter(pk=int(key)).first()
    if endpoint is None or not endpoint.active:
        # Deleted or disabled since the event was handed to it: replay re-sends if wanted.
        return {"skipped": "the endpoint is deleted" if endpoint is None else "disabled"}
    event_type = registry.event_type(event.type)
    secrets = [endpoint.secret]
    if endpoint.previous_secret and endpoint.previous_secret_expires_at > timezone.now():
        secrets.append(endpoint.previous_secret)
    return webhooks.post(
        endpoint.url,
        secrets=secrets,
        message_id=str(event.id),
        body=webhooks.body_of(event, event_type.public_payload(event.payload)),
    )


@registry.periodic("integrations.disable_failing_endpoints", every_seconds=lambda: 60)
def disable_failing_endpoints() -> int:
    return services.webhook_endpoints_disable_failing()
