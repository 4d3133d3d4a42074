from django.urls import path

from apps.resources.api import views

urlpatterns = [
    path("skills/", views.SkillListView.as_view(), name="skill-list"),
    path("skills/<int:pk>", views.SkillDetailView.as_view(), name="skill-detail"),
    path("resources/", views.ResourceListView.as_view(), name="resource-list"),
    path("resources/availability", views.AvailabilityView.as_view(), name="resource-availability"),
    path("resources/<int:pk>", views.ResourceDetailView.as_view(), name="resource-detail"),
    path("projects/", views.ProjectListView.as_view(), name="project-list"),
    path(
        "projects/allocations",
        views.ProjectAllocationsView.as_view(),
        name="project-allocations",
    ),
    path("projects/<int:pk>", views.ProjectDetailView.as_view(), name="project-detail"),
    path("allocate", views.AllocateView.as_view(), name="allocate"),
    path("allocations/", views.AllocationListView.as_view(), name="allocation-list"),
    path("allocations/<int:pk>", views.AllocationDetailView.as_view(), name="allocation-detail"),
    path(
        "allocations/<int:pk>/cancel",
        views.AllocationCancelView.as_view(),
        name="allocation-cancel",
    ),
    path("match", views.MatchView.as_view(), name="match"),
    path(
        "audit/allocations/<int:project_id>",
        views.AllocationHistoryView.as_view(),
        name="allocation-history",
    ),
]
