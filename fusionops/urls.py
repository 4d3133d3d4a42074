from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from apps.core import views as core_views

api_v1 = [
    path("", include("apps.core.api.urls")),
    path("", include("apps.audit.api.urls")),
    path("", include("apps.events.api.urls")),
    path("", include("apps.resources.api.urls")),
    path("", include("apps.inventory.api.urls")),
    path("", include("apps.orders.api.urls")),
]

urlpatterns = [
    path("", core_views.home, name="home"),
    path("health/live", core_views.health_live, name="health-live"),
    path("health/ready", core_views.health_ready, name="health-ready"),
    path("version", core_views.version, name="version"),
    path("admin/", admin.site.urls),
    path("", include("apps.realtime.urls")),
    path("", include("apps.accounts.urls")),
    path("api/v1/", include((api_v1, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view loads its init script from a URL, so the strict CSP needs no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("django_prometheus.urls")),
]

handler400 = "apps.core.views.bad_request"
handler403 = "apps.core.views.permission_denied"
handler404 = "apps.core.views.page_not_found"
handler500 = "apps.core.views.server_error"
