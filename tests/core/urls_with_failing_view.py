"""The portal's URLs plus an API view that fails, to test what a 500 looks like."""

from django.db import connection
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


def lose_the_database_connection():
    """What a PostgreSQL restart does to a request in flight: the server ends its session."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")


class DatabaseLostView(APIView):
    permission_classes = [AllowAny]

    def post(self, request):
        lose_the_database_connection()


def database_lost_django_view(request):
    lose_the_database_connection()


urlpatterns = [
    path("api/v1/test/database-lost", DatabaseLostView.as_view()),
    path("test/database-lost", database_lost_django_view),
    path("api/v1/test/fail-with-secret-local", FailingViewWithSecretLocal.as_view()),
    path("api/v1/test/fail", FailingView.as_view()),
    path("api/v1/test/fail-plain", failing_django_view),
    *portal_urlpatterns,
]

handler500 = "apps.platform.views.server_error"
