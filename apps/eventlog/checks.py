"""System checks of the event log (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

from apps.eventlog.keys import LEGACY_KEY_ID


@register(Tags.security, deploy=True)
def audit_keys_of_its_own(app_configs, **kwargs):
    if settings.AUDIT_SIGNING_KEY_ID == LEGACY_KEY_ID:
        return [
            Warning(
                "The audit log is signed with SECRET_KEY: rotating it (after a leak, say) "
                "would cost the history its proof.",
                hint="Set AUDIT_SIGNING_KEYS and AUDIT_SIGNING_KEY_ID (manage.py "
                "audit_rotate_key makes a key), keeping 'secret-key' for what it signed.",
                id="eventlog.W001",
            )
        ]
    return []
