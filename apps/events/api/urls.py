from django.urls import path

from apps.events.api import views

urlpatterns = [
    path("ops/dead-letters/", views.DeadLetterListView.as_view(), name="dead-letter-list"),
    path(
        "ops/dead-letters/<int:pk>/replay",
        views.DeadLetterReplayView.as_view(),
        name="dead-letter-replay",
    ),
]
