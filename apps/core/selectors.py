"""Reads of the core app."""

from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

from apps.core.models import SystemSetting
from apps.core.validators import is_setting_key
from apps.platform.exceptions import NotFound

# The fields of a setting as the API shows it; lists read them as plain rows (no model
# instances), which is most of what a list request costs.
SETTING_ROW_FIELDS = ("key", "value", "description", "updated_at")


def system_setting_rows() -> QuerySet:
    """Settings as dicts, in key order, with `updated_by` as the username."""
    return (
        SystemSetting.objects.order_by("key")
        .values(*SETTING_ROW_FIELDS)
        .annotate(updated_by_username=F("updated_by__username"))
    )


def system_setting_get(*, key: str) -> SystemSetting:
    if not is_setting_key(key):
        raise NotFound(_("There is no setting %(key)s.") % {"key": key})
    try:
        return SystemSetting.objects.select_related("updated_by").get(key=key)
    except SystemSetting.DoesNotExist:
        raise NotFound(_("There is no setting %(key)s.") % {"key": key}) from None


def system_setting_value(key: str, default=None):
    """The value of a setting, or `default` when it is not set."""
    if not is_setting_key(key):
        return default
    value = SystemSetting.objects.filter(key=key).values_list("value", flat=True).first()
    return default if value is None else value
