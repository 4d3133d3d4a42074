from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        # Imported once the app registry is ready: these modules import the models (an
        # AppConfig module cannot). The schema extension registers itself on import.
        from apps.accounts import login, schema, signals  # noqa: F401

        signals.connect()
        login.connect()
