"""The portal's URLs plus an API view that fails, to test what a 500 looks like."""

from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from fusionops.urls import urlpatterns as portal_urlpatterns


class FailingView(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        raise RuntimeError("database password is hunter2")


def failing_django_view(request):
    raise RuntimeError("database password is hunter2")


class FailingViewWithSecretLocal(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        password = "Sup3r-Secret-Pw"  # a local a traceback renderer could show
        raise RuntimeError(f"failed after reading {len(password)} characters")


urlpatterns = [
    path("api/v1/test/fail-with-secret-local", FailingViewWithSecretLocal.as_view()),
    path("api/v1/test/fail", FailingView.as_view()),
    path("api/v1/test/fail-plain", failing_django_view),
    *portal_urlpatterns,
]

handler500 = "apps.platform.views.server_error"
