from django.utils.translation import gettext_lazy as _

from apps.platform.exceptions import Conflict, DomainError


class EventIdReused(Conflict):
    problem_type = "event-id-reused"
    title = _("An event with this id exists with other content.")


class NotADeadLetter(Conflict):
    problem_type = "not-a-dead-letter"
    title = _("Only a dead letter can be replayed.")


class EventIdInLogTwice(Conflict):
    """The log holds two rows with one id: planted past its triggers (verify_audit says
    where). Neither is served as the event."""

    problem_type = "event-id-in-log-twice"
    title = _("The audit log holds this event id twice.")


class EventsExceedSheet(DomainError):
    problem_type = "export-exceeds-sheet"
    title = _("The events do not fit one spreadsheet.")
