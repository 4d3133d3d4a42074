from apps.platform.api.routes import api_path
from apps.resources.api import views

urlpatterns = [
    *api_path("skills/", views.SkillListView.as_view(), name="skill-list"),
    *api_path(
        "skills/<int:pk>/",
        views.SkillDetailView.as_view(),
        name="skill-detail",
        old="skills/<int:pk>",
    ),
    *api_path("resources/", views.ResourceListView.as_view(), name="resource-list"),
    *api_path(
        "resources/availability/",
        views.AvailabilityView.as_view(),
        name="resource-availability",
        old="resources/availability",
    ),
    *api_path(
        "resources/<int:pk>/",
        views.ResourceDetailView.as_view(),
        name="resource-detail",
        old="resources/<int:pk>",
    ),
    *api_path("projects/", views.ProjectListView.as_view(), name="project-list"),
    *api_path(
        "projects/allocations/",
        views.ProjectAllocationsView.as_view(),
        name="project-allocations",
        old="projects/allocations",
    ),
    *api_path(
        "projects/<int:pk>/",
        views.ProjectDetailView.as_view(),
        name="project-detail",
        old="projects/<int:pk>",
    ),
    *api_path("allocate/", views.AllocateView.as_view(), name="allocate", old="allocate"),
    *api_path("allocations/", views.AllocationListView.as_view(), name="allocation-list"),
    *api_path(
        "allocations/<int:pk>/",
        views.AllocationDetailView.as_view(),
        name="allocation-detail",
        old="allocations/<int:pk>",
    ),
    *api_path(
        "allocations/<int:pk>/cancel/",
        views.AllocationCancelView.as_view(),
        name="allocation-cancel",
        old="allocations/<int:pk>/cancel",
    ),
    *api_path("match/", views.MatchView.as_view(), name="match", old="match"),
    *api_path(
        "audit/allocations/<int:project_id>/",
        views.AllocationHistoryView.as_view(),
        name="allocation-history",
        old="audit/allocations/<int:project_id>",
        old_view=views.LegacyAllocationHistoryView.as_view(),
    ),
]
