"""Event types and their public contracts.

Every event the portal records is of a declared type (each app declares its own in its
events.py). A declaration names the type and its version, the aggregate it concerns, an
example of its internal payload, and, unless the event never leaves the portal, its public
contract: a typed schema of what other systems and browsers receive for it. The internal
payload may change freely; the public payload changes only with a new version.

Live updates read the declarations too: an event with `live` goes to websocket clients as
a message of that type, on the topics it names.
"""

import re
from dataclasses import dataclass, field

import pydantic

# `<namespace>.<entity>.<past tense>`, lowercase: orders.order.placed.
EVENT_TYPE_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


class PublicPayload(pydantic.BaseModel):
    """The base of every public contract. Fields of the internal payload that the contract
    does not name stay inside the portal."""

    model_config = pydantic.ConfigDict(extra="ignore", frozen=True)


class ContractViolation(ValueError):
    """An internal payload that its public contract cannot be made from."""


@dataclass(frozen=True)
class Live:
    """How an event reaches websocket clients.

    `topics` are topic names, where `{field}` is filled from the public payload (a booking
    goes to `allocations` and to `project:{project_id}`). `alias` is the message type's
    name before message types followed one convention, sent to clients that ask for the
    old names (for one release). `own_topic` is a topic each caller follows for what is
    theirs: its clients get the event when the internal payload's `owner_field` is their
    user id (an integration's own orders); the owner never leaves the portal."""

    message: str
    topics: tuple[str, ...]
    alias: str | None = None
    own_topic: str | None = None
    owner_field: str | None = None

    def topics_for(self, public: dict) -> list[str]:
        found = []
        for template in self.topics:
            try:
                found.append(template.format(**public))
            except (KeyError, IndexError, ValueError):
                continue  # the payload lacks the field: no such topic for this event
        return found


@dataclass(frozen=True)
class EventType:
    """A declared event type (see the module). Declared through `registry.declare`."""

    name: str
    version: int
    aggregate_type: str
    public: type[PublicPayload] | None
    example: dict
    live: Live | None = None
    description: str = field(default="", compare=False)

    def public_payload(self, payload: dict) -> dict | None:
        """What leaves the portal for an event of this type with this internal payload
        (None for an event that never leaves the portal)."""
        if self.public is None:
            return None
        try:
            return self.public.model_validate(payload).model_dump(mode="json", by_alias=True)
        except pydantic.ValidationError as exc:
            raise ContractViolation(f"{self.name} v{self.version}: {exc}") from exc

    def public_schema(self) -> dict | None:
        """The public payload's JSON Schema."""
        if self.public is None:
            return None
        return {"$schema": JSON_SCHEMA_DIALECT, **self.public.model_json_schema()}

    def public_fields(self) -> list[str]:
        """The public payload's field names, as they leave the portal."""
        if self.public is None:
            return []
        return [field.alias or name for name, field in self.public.model_fields.items()]

    def catalogue_entry(self) -> dict:
        return {
            "type": self.name,
            "version": self.version,
            "aggregate_type": self.aggregate_type,
            "description": self.description,
            "public": self.public is not None,
            "topics": list(self.live.topics) if self.live else [],
            "message_type": self.live.message if self.live else None,
            "schema": self.public_schema(),
        }
