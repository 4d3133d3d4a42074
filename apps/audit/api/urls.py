from django.urls import path

from apps.audit.api import views

urlpatterns = [
    path("events/", views.EventListView.as_view(), name="event-list"),
    path("events/export.csv", views.EventExportView.as_view(), name="event-export"),
    path("events/<uuid:id>/", views.EventDetailView.as_view(), name="event-detail"),
]
