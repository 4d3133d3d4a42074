"""The events of the core app: system settings, with their public contracts."""

from pydantic import Field, JsonValue

from apps.eventlog.contracts import PublicPayload
from apps.eventlog.registry import registry


class SettingChangedV1(PublicPayload):
    key: str
    value: JsonValue = Field(description="The setting's new value (any JSON but null).")
    description: str
    created: bool = Field(description="Whether the setting did not exist before.")


class SettingDeletedV1(PublicPayload):
    key: str
    last_value: JsonValue


SETTING_CHANGED = registry.declare(
    "core.setting.changed",
    aggregate_type="core.setting",
    description="A system setting was created or given a new value.",
    public=SettingChangedV1,
    example={
        "key": "orders.discount",
        "value": {"percent": 5},
        "description": "Volume discount",
        "created": False,
    },
)
SETTING_DELETED = registry.declare(
    "core.setting.deleted",
    aggregate_type="core.setting",
    description="A system setting was deleted.",
    public=SettingDeletedV1,
    example={"key": "orders.discount", "last_value": {"percent": 5}},
)
