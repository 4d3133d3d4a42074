"""The admin's booking forms, through the booking services: several resources for one
project and window (all or nothing), a reasoned cancellation, and a match of demands to
resources by the solver, booked when asked."""

from django import forms
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.platform.exceptions import DomainError
from apps.resources.choices import MatchStrategy, ResourceKind
from apps.resources.exceptions import AllocationConflict
from apps.resources.models import Project, Resource, Skill


def refusal_messages(error: Exception) -> list[str]:
    """A booking service's refusal as form errors: each booking in the way named."""
    if isinstance(error, AllocationConflict):
        return [error.detail] + [
            _("In the way: %(resource)s, %(start)s to %(end)s (booking %(id)s).")
            % {
                "resource": c["resource_name"],
                "start": timezone.localtime(c["from"]).strftime("%Y-%m-%d %H:%M"),
                "end": timezone.localtime(c["to"]).strftime("%Y-%m-%d %H:%M"),
                "id": c["allocation"],
            }
            for c in error.conflicts
        ]
    if isinstance(error, DomainError):
        return [error.detail]
    if isinstance(error, ValidationError) and hasattr(error, "message_dict"):
        return [message for messages in error.message_dict.values() for message in messages]
    return list(getattr(error, "messages", [str(error)]))


class MultiBookingForm(forms.Form):
    project = forms.ModelChoiceField(
        label=_("Project"), queryset=Project.objects.filter(active=True).order_by("code")
    )
    resources = forms.ModelMultipleChoiceField(
        label=_("Resources"),
        queryset=Resource.objects.filter(active=True).order_by("name"),
        widget=forms.SelectMultiple(attrs={"size": 12}),
    )
    starts_at = forms.SplitDateTimeField(label=_("From"), widget=AdminSplitDateTime)
    ends_at = forms.SplitDateTimeField(label=_("To"), widget=AdminSplitDateTime)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why"), max_length=2000)


class MatchForm(forms.Form):
    strategy = forms.ChoiceField(
        label=_("Strategy"), choices=MatchStrategy.choices, initial=MatchStrategy.HUNGARIAN
    )
    project = forms.ModelChoiceField(
        label=_("Book for project"),
        queryset=Project.objects.filter(active=True).order_by("code"),
        required=False,
        help_text=_("Leave empty to see the match only."),
    )
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)


class DemandForm(forms.Form):
    key = forms.CharField(label=_("Demand"), max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("any")), *ResourceKind.choices], required=False
    )
    skills = forms.ModelMultipleChoiceField(
        label=_("Skills"), queryset=Skill.objects.order_by("name"), required=False
    )
    starts_at = forms.SplitDateTimeField(label=_("From"), widget=AdminSplitDateTime)
    ends_at = forms.SplitDateTimeField(label=_("To"), widget=AdminSplitDateTime)

    def demand(self) -> dict:
        data = self.cleaned_data
        return {
            "key": data["key"],
            "kind": data["kind"] or None,
            "skills": [skill.pk for skill in data["skills"]],
            "from": data["starts_at"],
            "to": data["ends_at"],
        }


DemandFormSet = forms.formset_factory(DemandForm, extra=3, max_num=50, validate_max=True)
