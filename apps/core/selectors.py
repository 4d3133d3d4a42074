"""Reads of the core app."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from apps.core.exceptions import NotFound
from apps.core.models import SystemSetting


def system_setting_list() -> QuerySet[SystemSetting]:
    return SystemSetting.objects.select_related("updated_by").order_by("key")


def system_setting_get(*, key: str) -> SystemSetting:
    try:
        return system_setting_list().get(key=key)
    except SystemSetting.DoesNotExist:
        raise NotFound(_("There is no setting %(key)s.") % {"key": key}) from None


def system_setting_value(key: str, default=None):
    """The value of a setting, or `default` when it is not set."""
    value = SystemSetting.objects.filter(key=key).values_list("value", flat=True).first()
    return default if value is None else value
