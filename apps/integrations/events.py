"""The events of the integrations app. Changes to endpoints stay inside the portal (their
URLs and owners are nobody else's business); the test event is public: it is what an
endpoint receives when its owner asks for a test."""

from pydantic import Field

from apps.eventlog.contracts import PublicPayload
from apps.eventlog.registry import registry

_ENDPOINT = {"endpoint_id": 7, "url": "https://erp.example.com/hooks/fusionops", "owner": "erp"}

ENDPOINT_CREATED = registry.declare(
    "integrations.webhook_endpoint.created",
    aggregate_type="integrations.webhook_endpoint",
    description="A webhook endpoint was registered.",
    public=None,
    example={**_ENDPOINT, "event_types": ["orders.*"], "description": "ERP"},
)
ENDPOINT_CHANGED = registry.declare(
    "integrations.webhook_endpoint.changed",
    aggregate_type="integrations.webhook_endpoint",
    description="A webhook endpoint's URL, event types, description or state changed.",
    public=None,
    example={**_ENDPOINT, "changes": {"active": [True, False]}},
)
ENDPOINT_DELETED = registry.declare(
    "integrations.webhook_endpoint.deleted",
    aggregate_type="integrations.webhook_endpoint",
    description="A webhook endpoint was deleted.",
    public=None,
    example=_ENDPOINT,
)
ENDPOINT_SECRET_ROTATED = registry.declare(
    "integrations.webhook_endpoint.secret_rotated",
    aggregate_type="integrations.webhook_endpoint",
    description="A webhook endpoint got a new secret; the previous one signs until it expires.",
    public=None,
    example={**_ENDPOINT, "previous_secret_expires_at": "2027-04-06T10:00:00+00:00"},
)
ENDPOINT_DISABLED = registry.declare(
    "integrations.webhook_endpoint.disabled",
    aggregate_type="integrations.webhook_endpoint",
    description="A webhook endpoint was disabled after too many dead letters.",
    public=None,
    example={**_ENDPOINT, "dead_letters": 20, "reason": "20 deliveries failed for good"},
)
ENDPOINT_REPLAYED = registry.declare(
    "integrations.webhook_endpoint.replayed",
    aggregate_type="integrations.webhook_endpoint",
    description="Events from a position on were delivered to a webhook endpoint again.",
    public=None,
    example={**_ENDPOINT, "from_position": 1200, "through_position": 1300, "events": 42},
)


class WebhookTestedV1(PublicPayload):
    endpoint_id: int
    message: str = Field(description="Says that this is a test, sent on its owner's request.")


WEBHOOK_TESTED = registry.declare(
    "integrations.webhook.tested",
    aggregate_type="integrations.webhook_endpoint",
    description="A test event, delivered only to the endpoint it was asked for.",
    public=WebhookTestedV1,
    example={"endpoint_id": 7, "message": "A test event from FusionOps."},
)
