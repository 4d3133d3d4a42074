"""The webhook endpoints in the admin: thin, every change through the services. A secret
is shown once (when made or rotated); each endpoint has its delivery log, with replay."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from apps.eventlog.admin import AuditHistoryMixin
from apps.integrations import selectors, services
from apps.integrations.models import WebhookEndpoint


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=2000, assume_scheme="https")

    class Meta:
        model = WebhookEndpoint
        fields = ["owner", "url", "event_types", "description", "active"]

    def clean(self):
        cleaned = super().clean()
        if "url" in cleaned and "event_types" in cleaned:
            try:
                services.webhook_endpoint_check(
                    url=cleaned["url"], event_types=cleaned["event_types"]
                )
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned


class ReplayForm(forms.Form):
    from_position = forms.IntegerField(label=_("From position"), min_value=1)


def _secret_message(request, endpoint, secret) -> None:
    messages.warning(
        request,
        _("The secret of %(url)s, shown this once: %(secret)s")
        % {"url": endpoint.url, "secret": secret},
    )


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(AuditHistoryMixin, admin.ModelAdmin):
    audit_aggregate_type = "integrations.webhook_endpoint"
    form = WebhookEndpointForm
    list_display = ["url", "owner", "event_types", "active", "disabled_reason", "deliveries_link"]
    list_filter = ["active"]
    search_fields = ["url", "description", "owner__username"]
    list_select_related = ["owner"]
    readonly_fields = ["disabled_reason", "enabled_at", "previous_secret_expires_at"]
    actions = ["send_test_event", "rotate_secret"]

    def get_queryset(self, request):
        return selectors.webhook_endpoints_for(request.user)

    def get_changeform_initial_data(self, request):
        return {"owner": request.user.pk}

    @admin.display(description=_("deliveries"))
    def deliveries_link(self, endpoint):
        url = reverse("admin:integrations_webhookendpoint_deliveries", args=[endpoint.pk])
        return format_html('<a href="{}">{}</a>', url, _("Delivery log"))

    def changelist_view(self, request, extra_context=None):
        # The owner of an endpoint the portal disabled hears of it here.
        for endpoint in (
            selectors.webhook_endpoints_for(request.user)
            .filter(owner=request.user, active=False)
            .exclude(disabled_reason="")
        ):
            messages.error(request, f"{endpoint.url}: {endpoint.disabled_reason}")
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        fields = form.cleaned_data
        if change:
            form.instance = services.webhook_endpoint_change(
                endpoint_id=obj.pk,
                actor=request.user,
                **{name: fields[name] for name in services.EDITABLE},
            )
        else:
            form.instance, secret = services.webhook_endpoint_create(
                owner=fields["owner"],
                url=fields["url"],
                event_types=fields["event_types"],
                description=fields["description"],
                actor=request.user,
            )
            _secret_message(request, form.instance, secret)

    def delete_model(self, request, obj):
        services.webhook_endpoint_delete(endpoint_id=obj.pk, actor=request.user)

    def delete_queryset(self, request, queryset):
        for endpoint_id in queryset.values_list("pk", flat=True):
            services.webhook_endpoint_delete(endpoint_id=endpoint_id, actor=request.user)

    @admin.action(description=_("Send a test event"), permissions=["change"])
    def send_test_event(self, request, queryset):
        for endpoint in queryset:
            services.webhook_endpoint_test(endpoint_id=endpoint.pk, actor=request.user)
        count = queryset.count()
        messages.success(
            request,
            ngettext(
                "A test event is on its way.", "%(count)d test events are on their way.", count
            )
            % {"count": count},
        )

    @admin.action(description=_("Rotate the secret"), permissions=["change"])
    def rotate_secret(self, request, queryset):
        for endpoint in queryset:
            rotated, secret = services.webhook_endpoint_rotate_secret(
                endpoint_id=endpoint.pk, actor=request.user
            )
            _secret_message(request, rotated, secret)

    def get_urls(self):
        return [
            path(
                "<int:endpoint_id>/deliveries/",
                self.admin_site.admin_view(self.deliveries_view),
                name="integrations_webhookendpoint_deliveries",
            ),
            *super().get_urls(),
        ]

    def deliveries_view(self, request, endpoint_id):
        """The endpoint's latest deliveries by position, and replay from a position."""
        endpoint = get_object_or_404(self.get_queryset(request), pk=endpoint_id)
        if not self.has_view_permission(request, endpoint):
            raise PermissionDenied
        form = ReplayForm(request.POST or None)
        if request.method == "POST":
            if not self.has_change_permission(request, endpoint):
                raise PermissionDenied
            if form.is_valid():
                try:
                    count = services.webhook_endpoint_replay(
                        endpoint_id=endpoint.pk,
                        from_position=form.cleaned_data["from_position"],
                        actor=request.user,
                    )
                except ValidationError as exc:
                    form.add_error(None, exc)
                else:
                    messages.success(
                        request,
                        ngettext(
                            "%(count)d event will be delivered again.",
                            "%(count)d events will be delivered again.",
                            count,
                        )
                        % {"count": count},
                    )
                    return redirect(request.path)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Deliveries to %(url)s") % {"url": endpoint.url},
            "endpoint": endpoint,
            "deliveries": selectors.webhook_delivery_list(endpoint)[:200],
            "form": form,
            "can_replay": self.has_change_permission(request, endpoint),
        }
        return TemplateResponse(request, "admin/integrations/deliveries.html", context)
