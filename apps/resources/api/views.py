from datetime import timedelta

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.catalogue import CatalogueDetailView, CatalogueListView
from apps.core.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from apps.platform.api.permissions import require_permissions
from apps.platform.api.validation import validated
from apps.platform.exceptions import NotFound
from apps.resources import selectors, services
from apps.resources.api import filters
from apps.resources.api.serializers import (
    AllocateSerializer,
    AllocationHistoryEntrySerializer,
    AllocationSerializer,
    AvailabilityQuerySerializer,
    CancelSerializer,
    HistoryItemSerializer,
    HistoryQuerySerializer,
    MatchResultSerializer,
    MatchSerializer,
    ProjectIdsQuerySerializer,
    ProjectSerializer,
    ResourceAvailabilitySerializer,
    ResourceSerializer,
    SkillSerializer,
    match_answer,
)
from apps.resources.models import AllocationHistory, Project, Resource, Skill
from apps.resources.services import AllocationItem

# --- The catalogue: skills, resources, projects -----------------------------------------


class SkillListView(CatalogueListView):
    queryset = Skill.objects.all()
    serializer_class = SkillSerializer
    filterset_class = filters.SkillFilterSet
    ordering_fields = ("id", "name")


class SkillDetailView(CatalogueDetailView):
    queryset = Skill.objects.all()
    serializer_class = SkillSerializer


_resources = Resource.objects.prefetch_related(Prefetch("skills", Skill.objects.only("id")))


class ResourceListView(CatalogueListView):
    queryset = _resources
    serializer_class = ResourceSerializer
    filterset_class = filters.ResourceFilterSet
    ordering_fields = ("id", "name", "hourly_cost")


class ResourceDetailView(CatalogueDetailView):
    queryset = _resources
    serializer_class = ResourceSerializer


class ProjectListView(CatalogueListView):
    queryset = Project.objects.all()
    serializer_class = ProjectSerializer
    filterset_class = filters.ProjectFilterSet
    ordering_fields = ("id", "code", "name")


class ProjectDetailView(CatalogueDetailView):
    queryset = Project.objects.all()
    serializer_class = ProjectSerializer


# --- Bookings ---------------------------------------------------------------------------

_allocations_out = inline_serializer(
    "AllocationsCreated", fields={"allocations": AllocationSerializer(many=True)}
)


class AllocateView(APIView):
    """Book several resources for a project in one step, all or nothing (Operator)."""

    permission_classes = [require_permissions("resources.add_allocation")]

    @extend_schema(
        request=AllocateSerializer,
        responses={201: _allocations_out},
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        examples=[
            OpenApiExample(
                "Two people for a morning",
                request_only=True,
                value={
                    "project": 3,
                    "items": [
                        {
                            "resource": 12,
                            "from": "2027-03-01T08:00:00Z",
                            "to": "2027-03-01T12:00:00Z",
                        },
                        {
                            "resource": 14,
                            "from": "2027-03-01T08:00:00Z",
                            "to": "2027-03-01T12:00:00Z",
                        },
                    ],
                    "note": "Pump overhaul",
                },
            )
        ],
    )
    @idempotent()
    def post(self, request):
        data = validated(AllocateSerializer, request.data)
        allocations = services.allocate(
            project_id=data["project"],
            items=[
                AllocationItem(item["resource"], item["from"], item["to"]) for item in data["items"]
            ],
            note=data["note"],
            actor=request.user,
        )
        return Response(
            {"allocations": AllocationSerializer(allocations, many=True).data},
            status=status.HTTP_201_CREATED,
        )


class AllocationListView(generics.ListAPIView):
    """Allocations, newest first, by resource, project, status and period (Viewer)."""

    serializer_class = AllocationSerializer
    filterset_class = filters.AllocationFilterSet
    pagination_ordering = ("-id",)
    ordering_fields = ("id", "created_at")

    def get_queryset(self):
        return selectors.allocation_list()


class AllocationDetailView(generics.RetrieveAPIView):
    serializer_class = AllocationSerializer

    def get_queryset(self):
        return selectors.allocation_list()


class AllocationCancelView(APIView):
    """Cancel a booking and free its slot; cancelling twice changes nothing (Operator)."""

    permission_classes = [require_permissions("resources.change_allocation")]

    @extend_schema(request=CancelSerializer, responses={200: AllocationSerializer})
    def post(self, request, pk):
        data = validated(CancelSerializer, request.data)
        allocation = services.allocation_cancel(
            allocation_id=pk, actor=request.user, reason=data["reason"]
        )
        return Response(
            AllocationSerializer(selectors.allocation_list().get(pk=allocation.pk)).data
        )


class ProjectAllocationsView(APIView):
    """The allocations of several projects in one query: {project_id: [allocation, ...]}."""

    permission_classes = [require_permissions("resources.view_allocation")]

    @extend_schema(
        parameters=[ProjectIdsQuerySerializer],
        responses={
            200: {
                "type": "object",
                "description": "Each project's allocations, by project id.",
                "additionalProperties": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/Allocation"},
                },
            }
        },
    )
    def get(self, request):
        ids = validated(ProjectIdsQuerySerializer, request.query_params)["ids"]
        grouped = selectors.allocations_by_project(project_ids=ids)
        return Response(
            {
                str(project_id): AllocationSerializer(rows, many=True).data
                for project_id, rows in grouped.items()
            }
        )


class AvailabilityView(generics.ListAPIView):
    """Free slots per resource within a window (at most 31 days): the gaps between
    bookings, optionally clipped to working hours; resources are paged by id."""

    serializer_class = ResourceAvailabilitySerializer
    pagination_ordering = ("id",)
    ordering_fields = ("id", "name")

    def get_queryset(self):
        return Resource.objects.filter(active=True)

    @extend_schema(parameters=[AvailabilityQuerySerializer])
    def get(self, request):
        query = validated(AvailabilityQuerySerializer, request.query_params)
        skills = selectors.skill_ids_by_field({"skill": query.get("skill", [])})["skill"]
        resources = selectors.resources_matching(
            ids=query.get("resources"), kind=query.get("kind"), skills=skills
        ).only("id", "name", "kind")
        page = self.paginate_queryset(resources)
        slots = selectors.free_slots(
            resource_ids=[resource.pk for resource in page],
            starts_at=query["from"],
            ends_at=query["to"],
            min_duration=query.get("min_duration") or timedelta(0),
            working_hours=query["working_hours"],
        )
        rows = [{"id": r.pk, "name": r.name, "kind": r.kind, "slots": slots[r.pk]} for r in page]
        return self.get_paginated_response(ResourceAvailabilitySerializer(rows, many=True).data)


class MatchView(APIView):
    """Assign resources to demands at the least cost (or greedily), and book the
    assignment in one transaction when asked (Operator)."""

    permission_classes = [require_permissions("resources.view_resource")]

    @extend_schema(
        request=MatchSerializer,
        responses={200: MatchResultSerializer},
        examples=[
            OpenApiExample(
                "A welder for a shift",
                request_only=True,
                value={
                    "demands": [
                        {
                            "key": "weld-1",
                            "kind": "person",
                            "skills": ["welding"],
                            "from": "2027-03-01T06:00:00Z",
                            "to": "2027-03-01T14:00:00Z",
                        }
                    ],
                    "strategy": "hungarian",
                    "commit": False,
                },
            )
        ],
    )
    def post(self, request):
        data = validated(MatchSerializer, request.data)
        if data["commit"] and not request.user.has_perm("resources.add_allocation"):
            self.permission_denied(request, message=_("Booking needs the Operator role."))
        plan = services.match(
            demands=data["demands"],
            resource_ids=data.get("resources"),
            strategy=data["strategy"],
            project_id=data["project"] if data["commit"] else None,
            note=data["note"],
            actor=request.user,
        )
        result = MatchResultSerializer(
            match_answer(plan, strategy=data["strategy"], committed=data["commit"])
        )
        return Response(result.data)


class AllocationHistoryView(generics.ListAPIView):
    """A project's allocation history from the projection: each booking and cancellation,
    oldest first."""

    permission_classes = [require_permissions("resources.view_allocationhistory")]
    serializer_class = AllocationHistoryEntrySerializer
    filterset_class = filters.AllocationHistoryFilterSet
    pagination_ordering = ("recorded_at", "event_id")
    ordering_fields = ("recorded_at",)

    queryset = AllocationHistory.objects.none()  # the schema's model; rows: get_queryset

    def get_queryset(self):
        return selectors.allocation_history(project_id=self.kwargs["project_id"])

    def list(self, request, project_id):
        if not Project.objects.filter(pk=project_id).exists():
            raise NotFound(_("There is no such project."))
        return super().list(request, project_id)


class LegacyAllocationHistoryView(APIView):
    """The old path's answer, for one release: pages by number, with a total."""

    permission_classes = [require_permissions("resources.view_allocationhistory")]

    def get(self, request, project_id):
        query = validated(HistoryQuerySerializer, request.query_params)
        if not Project.objects.filter(pk=project_id).exists():
            raise NotFound(_("There is no such project."))
        page = selectors.allocation_history_page(
            project_id=project_id,
            recorded_from=query.get("from"),
            recorded_to=query.get("to"),
            page=query["page"],
            page_size=query["page_size"],
        )
        return Response(
            {
                "items": HistoryItemSerializer(page.items, many=True).data,
                "page": page.page,
                "page_size": page.page_size,
                "total": page.total,
            }
        )
