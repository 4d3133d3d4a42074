from django.conf import settings
from django.contrib import admin
from django.http import JsonResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from apps.accounts.login import LocalLoginForm
from apps.accounts.oidc import LogoutView
from apps.accounts.provider import oidc_enabled
from apps.core.selectors import system_setting_value
from apps.realtime import topics
from apps.realtime.selectors import head_position
from apps.realtime.views import allow_socket, live_labels, websocket_url
from apps.reports.selectors import home_overview
from fusionops.admin_home import home_payload, home_sections

PORTAL_NAME_SETTING = "portal.name"


class FusionOpsAdminSite(admin.AdminSite):
    site_title = _("FusionOps")
    index_title = _("Operations")
    login_form = LocalLoginForm
    login_template = "admin/fusionops_login.html"
    # The topics whose messages change what the home shows (audit: every event, for the
    # Admin's outbox and seal figures).
    HOME_TOPICS = (topics.ALLOCATIONS, topics.INVENTORY, topics.ORDERS, topics.AUDIT)

    def login(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "sso_enabled": oidc_enabled(),
            "local_login": settings.FUSIONOPS_LOCAL_LOGIN,
        }
        return super().login(request, extra_context)

    def logout(self, request, extra_context=None):
        # People who came through the identity provider leave it too.
        if oidc_enabled() and getattr(request.user, "oidc_subject", None):
            return LogoutView.as_view()(request)
        return super().logout(request, extra_context)

    def each_context(self, request):
        context = super().each_context(request)
        # The portal's name is a system setting, so each deployment can show its own.
        context["site_header"] = system_setting_value(PORTAL_NAME_SETTING, default="FusionOps")
        return context

    def get_urls(self):
        return [
            path("home/figures", self.admin_view(self.home_figures), name="home-figures"),
            *super().get_urls(),
        ]

    def index(self, request, extra_context=None):
        # The position first: whatever commits while the figures are read reaches the
        # socket and refreshes them again.
        position = head_position()
        sections = home_sections(home_overview(request.user))
        roles = frozenset(request.user.groups.values_list("name", flat=True))
        ws_url = websocket_url(request)
        extra_context = {
            **(extra_context or {}),
            "home_sections": sections,
            "home_config": {
                **home_payload(sections),
                "wsUrl": ws_url,
                "position": position,
                "topics": [
                    topic
                    for topic in self.HOME_TOPICS
                    if topics.may_read(roles, superuser=request.user.is_superuser, topic=topic)
                ],
                "heartbeatSeconds": settings.REALTIME_HEARTBEAT_SECONDS,
                "labels": live_labels(),
                "figuresUrl": reverse("admin:home-figures"),
            },
        }
        return allow_socket(super().index(request, extra_context), ws_url)

    def home_figures(self, request):
        """The home's figures now: what its script fetches when a live message arrives."""
        return JsonResponse(home_payload(home_sections(home_overview(request.user))))
