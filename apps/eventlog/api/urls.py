from django.urls import path

from apps.eventlog.api import views

urlpatterns = [
    path("events/", views.EventListView.as_view(), name="event-list"),
    path("events/export.csv", views.EventExportView.as_view(), name="event-export"),
    path("events/catalogue", views.EventCatalogueView.as_view(), name="event-catalogue"),
    path("events/<uuid:id>/", views.EventDetailView.as_view(), name="event-detail"),
    path("ops/dead-letters/", views.DeadLetterListView.as_view(), name="dead-letter-list"),
    path(
        "ops/dead-letters/<int:pk>/replay",
        views.DeadLetterReplayView.as_view(),
        name="dead-letter-replay",
    ),
]
