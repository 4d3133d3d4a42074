"""Writes of the core app. Each function is one transaction."""

from django.db import transaction
from django.utils.translation import gettext as _

from apps.core.events import SETTING_CHANGED, SETTING_DELETED
from apps.core.models import SystemSetting
from apps.core.validators import is_setting_key, validate_setting
from apps.eventlog.services import event_emit
from apps.platform.exceptions import NotFound


@transaction.atomic
def system_setting_set(
    *, key: str, value, actor, description: str | None = None
) -> tuple[SystemSetting, bool]:
    """Create or replace a setting's value; a description of None keeps the current one.

    Returns the setting and whether it was created.
    """
    validate_setting(key, value)
    setting, created = SystemSetting.objects.select_for_update().get_or_create(
        key=key,
        defaults={"value": value, "description": description or "", "updated_by": actor},
    )
    if not created:
        setting.value = value
        if description is not None:
            setting.description = description
        setting.updated_by = actor
        setting.save(update_fields=["value", "description", "updated_by", "updated_at"])
    event_emit(
        SETTING_CHANGED,
        aggregate_id=key,
        payload={
            "key": key,
            "value": value,
            "description": setting.description,
            "created": created,
        },
        actor=actor,
    )
    return setting, created


@transaction.atomic
def system_setting_delete(*, key: str, actor) -> None:
    setting = (
        SystemSetting.objects.select_for_update().filter(key=key).first()
        if is_setting_key(key)
        else None
    )
    if setting is None:
        raise NotFound(_("There is no setting %(key)s.") % {"key": key})
    setting.delete()
    event_emit(
        SETTING_DELETED,
        aggregate_id=key,
        payload={"key": key, "last_value": setting.value},
        actor=actor,
    )
