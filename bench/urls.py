from django.http import JsonResponse
from django.urls import path

from apps.core.models import SystemSetting
from apps.resources.models import Resource
from fusionops.urls import urlpatterns as portal_urlpatterns


def bare_settings(request):
    """The API's list query and nothing else: no authentication, DRF or pagination."""
    rows = SystemSetting.objects.select_related("updated_by").order_by("key")[:50]
    return JsonResponse(
        {
            "results": [
                {
                    "key": row.key,
                    "value": row.value,
                    "description": row.description,
                    "updated_at": row.updated_at.isoformat(),
                    "updated_by": row.updated_by.username if row.updated_by else None,
                }
                for row in rows
            ]
        }
    )


def bare_lookup(request):
    """The framework ceiling for a write endpoint: one indexed query, no DRF, no auth."""
    resource = Resource.objects.filter(pk=request.GET.get("id")).values("id", "name").first()
    return JsonResponse({"resource": resource})


urlpatterns = [
    path("bench/bare-settings", bare_settings),
    path("bench/bare-lookup", bare_lookup),
    *portal_urlpatterns,
]
