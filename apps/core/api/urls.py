from apps.core.api import views
from apps.platform.api.routes import api_path

urlpatterns = [
    *api_path("settings/", views.SystemSettingListView.as_view(), name="setting-list"),
    *api_path(
        "settings/<str:key>/",
        views.SystemSettingDetailView.as_view(),
        name="setting-detail",
        old="settings/<str:key>",
    ),
]
