from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from apps.platform import views as platform_views

api_v1 = [
    path("", include("apps.core.api.urls")),
    path("", include("apps.eventlog.api.urls")),
    path("", include("apps.resources.api.urls")),
    path("", include("apps.inventory.api.urls")),
    path("", include("apps.orders.api.urls")),
    path("", include("apps.integrations.api.urls")),
    path("", include("apps.accounts.api.urls")),
    path("", include("apps.reports.api.urls")),
]

urlpatterns = [
    path("", platform_views.home, name="home"),
    path("health/live", platform_views.health_live, name="health-live"),
    path("health/ready", platform_views.health_ready, name="health-ready"),
    path("version", platform_views.version, name="version"),
    path("admin/", admin.site.urls),
    # The language switcher posts here (the choice is kept in a cookie).
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("apps.realtime.urls")),
    path("", include("apps.accounts.urls")),
    path("api/v1/", include((api_v1, "api"))),
    path("", include("apps.graph.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view loads its init script from a URL, so the strict CSP needs no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    # Last: any other API path is a 404 problem, with DEBUG on too (where Django would
    # answer its HTML page instead of handler404).
    re_path(r"^api/", platform_views.api_not_found, name="api-not-found"),
]

handler400 = "apps.platform.views.bad_request"
handler403 = "apps.platform.views.permission_denied"
handler404 = "apps.platform.views.page_not_found"
handler500 = "apps.platform.views.server_error"
