from apps.eventlog.api import views
from apps.platform.api.routes import api_path

urlpatterns = [
    *api_path("events/", views.EventListView.as_view(), name="event-list"),
    *api_path(
        "events/export/",
        views.EventExportView.as_view(),
        name="event-export",
        old="events/export.csv",
    ),
    *api_path(
        "events/catalogue/",
        views.EventCatalogueView.as_view(),
        name="event-catalogue",
        old="events/catalogue",
    ),
    *api_path("events/<uuid:id>/", views.EventDetailView.as_view(), name="event-detail"),
    *api_path("audit/verify/", views.AuditVerifyView.as_view(), name="audit-verify"),
    *api_path("ops/dead-letters/", views.DeadLetterListView.as_view(), name="dead-letter-list"),
    *api_path(
        "ops/dead-letters/<int:pk>/replay/",
        views.DeadLetterReplayView.as_view(),
        name="dead-letter-replay",
        old="ops/dead-letters/<int:pk>/replay",
    ),
]
