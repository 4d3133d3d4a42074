from django.apps import AppConfig


class EventsTestAppConfig(AppConfig):
    """Subscribers and a table for tests of the event backbone (installed in tests only)."""

    name = "tests.eventsapp"
    label = "eventsapp"
