from django.http import JsonResponse
from django.urls import path

from apps.core.models import SystemSetting
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


urlpatterns = [path("bench/bare-settings", bare_settings), *portal_urlpatterns]
