from django.urls import path

from apps.core.api import views

urlpatterns = [
    path("settings/", views.SystemSettingListView.as_view(), name="setting-list"),
    path("settings/<str:key>", views.SystemSettingDetailView.as_view(), name="setting-detail"),
]
