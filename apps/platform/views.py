"""Plain Django views: landing page, health, version, and error pages for non-DRF paths."""

import sys

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from apps.platform import health
from apps.platform.problems import problem_response
from apps.platform.unavailable import (
    RETRY_AFTER_SECONDS,
    database_unavailable,
    unavailable_problem,
)
from apps.platform.version import version_info


@require_GET
def home(request):
    return render(request, "home.html", {"version": version_info()})


@never_cache
@require_GET
def health_live(request):
    """The process answers; nothing else is checked (a liveness probe must not cascade)."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def health_ready(request):
    results = health.readiness()
    failed = [name for name, result in results.items() if not result.ok]
    # Without the database nothing else can be judged; with it, degraded is still ready.
    degraded = {} if failed else health.degradations()
    behind = [name for name, result in degraded.items() if not result.ok]
    body = {
        "status": "fail" if failed else "degraded" if behind else "ok",
        "checks": {name: result.as_dict() for name, result in {**results, **degraded}.items()},
    }
    if failed:
        body["failed"] = failed
    if behind:
        body["degraded"] = behind
    return JsonResponse(body, status=503 if failed else 200)


@require_GET
def version(request):
    return JsonResponse(version_info())


def wants_problem(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def bad_request(request, exception, template_name="400.html"):
    if wants_problem(request):
        return problem_response(status=400, detail=_("The request could not be understood."))
    return defaults.bad_request(request, exception)


def permission_denied(request, exception, template_name="403.html"):
    if wants_problem(request):
        return problem_response(
            status=403, detail=_("You do not have permission to perform this action.")
        )
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception, template_name="404.html"):
    if wants_problem(request):
        return problem_response(
            status=404, detail=_("There is no API resource at %(path)s.") % {"path": request.path}
        )
    return defaults.page_not_found(request, exception)


@csrf_exempt  # it changes nothing: an unsafe method with a cookie is still just a 404
def api_not_found(request):
    return page_not_found(request, None)


def server_error(request, template_name="500.html"):
    # Django calls this while handling the exception: a lost database is a 503, not a bug.
    if database_unavailable(sys.exc_info()[1]):
        if wants_problem(request):
            return unavailable_problem()
        # Plain text: a page template could need the database again (the user, the menu).
        response = HttpResponse(
            _("The portal cannot reach its database just now. Try again in a moment."),
            status=503, content_type="text/plain; charset=utf-8",
        )  # fmt: skip
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if wants_problem(request):
        return problem_response(
            status=500,
            detail=_("An unexpected error occurred. Quote the request id when reporting it."),
        )
    return defaults.server_error(request)
