import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.platform.api.fields import (
    AwareDateTimeField,
    IdField,
    IdListField,
    UtcDateTimeField,
    WallClockField,
)
from apps.platform.api.serializers import ModelSerializer, Serializer
from apps.resources.choices import AllocationStatus, MatchStrategy, ResourceKind
from apps.resources.models import WEEKDAYS, Project, Resource, Skill, validate_timezone

AVAILABILITY_MAX_WINDOW = timedelta(days=31)
MAX_SKILLS_ASKED = 20


class SkillSerializer(ModelSerializer):
    class Meta:
        model = Skill
        fields = ["id", "name", "description"]


@extend_schema_field({"type": "string", "enum": sorted(zoneinfo.available_timezones())})
class TimeZoneField(serializers.CharField):
    """An IANA time zone name (Europe/Berlin)."""

    def __init__(self, **kwargs):
        super().__init__(max_length=64, validators=[validate_timezone], **kwargs)


class ResourceSerializer(ModelSerializer):
    skills = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Skill.objects.all(), required=False
    )
    work_days = serializers.ListField(
        child=serializers.ChoiceField(choices=WEEKDAYS),
        required=False,
        allow_empty=False,
        min_length=1,
        help_text=_("ISO weekdays: 1 is Monday, 7 is Sunday."),
    )
    work_start = WallClockField(required=False)
    work_end = WallClockField(required=False, help_text=_("00:00 means midnight."))
    timezone = TimeZoneField(required=False)
    created_at = UtcDateTimeField(read_only=True)
    updated_at = UtcDateTimeField(read_only=True)

    class Meta:
        model = Resource
        fields = [
            "id", "name", "kind", "skills", "hourly_cost", "timezone", "work_days",
            "work_start", "work_end", "active", "created_at", "updated_at",
        ]  # fmt: skip
        extra_kwargs = {"hourly_cost": {"min_value": 0}}

    def validate_work_days(self, value):
        return sorted(set(value))


class ProjectSerializer(ModelSerializer):
    created_at = UtcDateTimeField(read_only=True)
    updated_at = UtcDateTimeField(read_only=True)

    class Meta:
        model = Project
        fields = ["id", "code", "name", "active", "created_at", "updated_at"]
        extra_kwargs = {"code": {"trim_whitespace": False}}


class AllocationSerializer(Serializer):
    """An allocation as every endpoint returns it (the AllocationDto)."""

    id = serializers.IntegerField(read_only=True)
    project = serializers.IntegerField(source="project_id", read_only=True)
    project_code = serializers.CharField(source="project.code", read_only=True)
    resource = serializers.IntegerField(source="resource_id", read_only=True)
    resource_name = serializers.CharField(source="resource.name", read_only=True)
    vars()["from"] = UtcDateTimeField(source="period.lower", read_only=True)  # a keyword
    to = UtcDateTimeField(source="period.upper", read_only=True)
    status = serializers.CharField(read_only=True)
    note = serializers.CharField(read_only=True)
    created_by = serializers.SerializerMethodField()
    created_at = UtcDateTimeField(read_only=True)
    cancelled_at = UtcDateTimeField(read_only=True, allow_null=True)
    cancel_reason = serializers.CharField(read_only=True)

    def get_created_by(self, allocation) -> str | None:
        return allocation.created_by.username if allocation.created_by_id else None


class AllocationItemSerializer(Serializer):
    resource = IdField()
    vars()["from"] = AwareDateTimeField()
    to = AwareDateTimeField()


class AllocateSerializer(Serializer):
    """Input of POST /api/v1/allocate/."""

    project = IdField()
    items = AllocationItemSerializer(many=True, allow_empty=False, min_length=1, max_length=500)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class CancelSerializer(Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class AvailabilityQuerySerializer(Serializer):
    """Query of GET /api/v1/resources/availability/."""

    resources = IdListField(max_ids=500, required=False, help_text=_("Resource ids."))
    kind = serializers.ChoiceField(choices=ResourceKind.choices, required=False)
    skill = serializers.CharField(
        required=False, help_text=_("Skill ids or names, comma-separated: resources with all.")
    )
    vars()["from"] = AwareDateTimeField()
    to = AwareDateTimeField()
    min_duration = serializers.DurationField(required=False, help_text=_("For example 01:30:00."))
    working_hours = serializers.BooleanField(
        required=False, default=False, help_text=_("Clip free time to each resource's hours.")
    )

    def validate_skill(self, value):
        references = list(dict.fromkeys(s.strip() for s in value.split(",") if s.strip()))
        if len(references) > MAX_SKILLS_ASKED:
            raise serializers.ValidationError(
                _("Ask for at most %(count)d skills.") % {"count": MAX_SKILLS_ASKED}
            )
        return references

    def validate(self, attrs):
        if attrs["from"] >= attrs["to"]:
            raise serializers.ValidationError({"to": [_("The end must be after the start.")]})
        if attrs["to"] - attrs["from"] > AVAILABILITY_MAX_WINDOW:
            raise serializers.ValidationError(
                {"to": [_("Ask for at most %(days)d days at a time.") % {"days": 31}]}
            )
        return attrs


class FreeSlotSerializer(Serializer):
    vars()["from"] = UtcDateTimeField()
    to = UtcDateTimeField()


class ResourceAvailabilitySerializer(Serializer):
    resource = serializers.IntegerField(source="id")
    name = serializers.CharField()
    kind = serializers.CharField()
    slots = FreeSlotSerializer(many=True)


class ProjectIdsQuerySerializer(Serializer):
    ids = IdListField(max_ids=100, help_text=_("Project ids."))


class DemandSerializer(Serializer):
    key = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=ResourceKind.choices, required=False, allow_null=True)
    skills = serializers.ListField(
        child=serializers.CharField(max_length=100),
        required=False,
        default=list,
        max_length=MAX_SKILLS_ASKED,
    )
    vars()["from"] = AwareDateTimeField()
    to = AwareDateTimeField()

    def validate(self, attrs):
        if attrs["from"] >= attrs["to"]:
            raise serializers.ValidationError({"to": [_("The end must be after the start.")]})
        if attrs["to"] - attrs["from"] > timedelta(days=settings.RESOURCES_MAX_ALLOCATION_DAYS):
            raise serializers.ValidationError(
                {"to": [_("A booking lasts at most %(days)d days.")
                        % {"days": settings.RESOURCES_MAX_ALLOCATION_DAYS}]}
            )  # fmt: skip
        return attrs


class MatchSerializer(Serializer):
    """Input of POST /api/v1/match/."""

    demands = DemandSerializer(many=True, allow_empty=False, min_length=1)
    resources = serializers.ListField(
        child=IdField(), required=False, allow_empty=False, min_length=1, max_length=5000
    )
    strategy = serializers.ChoiceField(
        choices=MatchStrategy.choices, required=False, default=MatchStrategy.HUNGARIAN
    )
    commit = serializers.BooleanField(required=False, default=False)
    project = IdField(required=False, help_text=_("Required with commit: what to book for."))
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)

    def validate_demands(self, demands):
        if len(demands) > settings.RESOURCES_MATCH_MAX_DEMANDS:
            raise serializers.ValidationError(
                _("Send at most %(count)d demands.")
                % {"count": settings.RESOURCES_MATCH_MAX_DEMANDS}
            )
        keys = [demand["key"] for demand in demands]
        if len(set(keys)) != len(keys):
            raise serializers.ValidationError(_("Each demand needs a key of its own."))
        first = min(demand["from"] for demand in demands)
        if max(demand["to"] for demand in demands) - first > AVAILABILITY_MAX_WINDOW:
            raise serializers.ValidationError(_("Plan at most 31 days in one request."))
        return demands

    def validate(self, attrs):
        if attrs["commit"] and "project" not in attrs:
            raise serializers.ValidationError({"project": [_("Name the project to book for.")]})
        return attrs


class HistoryQuerySerializer(Serializer):
    vars()["from"] = AwareDateTimeField(required=False)
    to = AwareDateTimeField(required=False)
    page = serializers.IntegerField(min_value=1, required=False, default=1, max_value=1_000_000)
    page_size = serializers.IntegerField(min_value=1, max_value=500, required=False, default=50)


class HistoryItemSerializer(Serializer):
    allocationId = serializers.IntegerField(source="allocation_id")
    resourceId = serializers.IntegerField(source="resource_id")
    vars()["from"] = UtcDateTimeField(source="starts_at")
    to = UtcDateTimeField(source="ends_at")
    status = serializers.CharField()
    recorded = UtcDateTimeField(source="recorded_at")


class AllocationHistoryEntrySerializer(Serializer):
    event_id = serializers.UUIDField(help_text="The booking or cancellation event.")
    allocation_id = serializers.IntegerField()
    resource_id = serializers.IntegerField()
    starts_at = UtcDateTimeField()
    ends_at = UtcDateTimeField()
    status = serializers.ChoiceField(choices=AllocationStatus.choices)
    actor = serializers.CharField(help_text="Who booked or cancelled (empty for the system).")
    recorded_at = UtcDateTimeField()


class MatchAssignmentSerializer(Serializer):
    demand = serializers.CharField(help_text="The demand's key, as sent.")
    resource = serializers.IntegerField()
    resource_name = serializers.CharField()
    cost = serializers.FloatField(help_text="The resource's cost for the demand's window.")
    allocation = serializers.IntegerField(
        allow_null=True, help_text="The booking made for it (with commit), else null."
    )


class MatchUnassignedSerializer(Serializer):
    demand = serializers.CharField()
    reason = serializers.CharField(help_text="Why no resource was assigned.")


class MatchResultSerializer(Serializer):
    """What POST /match answers: the assignment, and what it booked when asked to."""

    strategy = serializers.CharField()
    total_cost = serializers.FloatField()
    assignments = MatchAssignmentSerializer(many=True)
    unassigned = MatchUnassignedSerializer(many=True)
    committed = serializers.BooleanField()


def match_answer(plan, *, strategy: str, committed: bool) -> dict:
    """What a match answers (a MatchResultSerializer's data): who does which demand at what
    cost, what stays unserved and why, and the bookings made when committed."""
    demands = plan.demands
    return {
        "strategy": strategy,
        "total_cost": round(plan.assignment.total_cost, 2),
        "assignments": [
            {
                "demand": demands[row].key,
                "resource": resource_id,
                "resource_name": plan.names[resource_id],
                "cost": round(cost, 2),
                "allocation": plan.allocation_ids.get(row),
            }
            for row, resource_id, cost in plan.assignment.pairs
        ],
        "unassigned": [
            {"demand": demands[row].key, "reason": reason}
            for row, reason in plan.assignment.unassigned
        ],
        "committed": committed,
    }
