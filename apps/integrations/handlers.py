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
    "webhook", max_attempts=lambda: settings.WEBHOOK_MAX_ATTEMPTS, batch=True
)
def deliver(events, key: str) -> list[dict | Exception]:
    """POST each event's public contract to endpoint `key`, signed, one after another in
    the order they were claimed; each outcome is kept with its delivery. A non-2xx answer,
    a timeout or a refused URL fails that attempt (retried with backoff, a dead letter
    after the last), and the rest of the batch is not sent this time: nothing overtakes
    the failed one, and a receiver that hangs holds the worker for one timeout, not one
    per delivery."""
    endpoint = WebhookEndpoint.objects.filter(pk=int(key)).first()
    if endpoint is None or not endpoint.active:
        # Deleted or disabled since the events were handed to it: replay re-sends if wanted.
        skipped = {"skipped": "the endpoint is deleted" if endpoint is None else "disabled"}
        return [skipped] * len(events)
    secrets = [endpoint.secret]
    if endpoint.previous_secret and endpoint.previous_secret_expires_at > timezone.now():
        secrets.append(endpoint.previous_secret)
    outcomes: list[dict | Exception] = []
    for event in events:
        if outcomes and isinstance(outcomes[-1], Exception):
            outcomes.append(
                webhooks.DeliveryFailed(
                    "not sent: an earlier delivery to this endpoint failed just now", None
                )
            )
            continue
        public = registry.event_type(event.type).public_payload(event.payload)
        try:
            outcomes.append(
                webhooks.post(
                    endpoint.url,
                    secrets=secrets,
                    message_id=str(event.id),
                    body=webhooks.body_of(event, public),
                )
            )
        except webhooks.DeliveryFailed as failure:
            outcomes.append(failure)
    return outcomes


@registry.periodic("integrations.disable_failing_endpoints", every_seconds=lambda: 60)
def disable_failing_endpoints() -> int:
    return services.webhook_endpoints_disable_failing()
