from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from apps.accounts import services
from apps.accounts.models import ApiToken, User

admin.site.register(User, UserAdmin)


class TokenStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("active", _("Active")), ("expired", _("Expired")), ("revoked", _("Revoked"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        match self.value():
            case "active":
                return queryset.filter(revoked_at__isnull=True, expires_at__gt=now)
            case "expired":
                return queryset.filter(revoked_at__isnull=True, expires_at__lte=now)
            case "revoked":
                return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued with `manage.py issue_token`; here they are listed and revoked."""

    list_display = ["id", "user", "name", "status", "created_at", "expires_at", "last_used_at"]
    list_filter = [TokenStatusFilter]
    list_select_related = ["user"]
    search_fields = ["user__username", "name", "id"]
    readonly_fields = [field.name for field in ApiToken._meta.fields]
    actions = ["revoke_tokens"]

    @admin.display(description=_("status"))
    def status(self, obj):
        if obj.revoked_at:
            return _("revoked")
        return _("active") if obj.is_active_at(timezone.now()) else _("expired")

    @admin.action(description=_("Revoke selected tokens"), permissions=["change"])
    def revoke_tokens(self, request, queryset):
        for token in queryset:
            services.api_token_revoke(token=token, actor=request.user)
        count = len(queryset)
        self.message_user(
            request,
            ngettext("Revoked %(count)d token.", "Revoked %(count)d tokens.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Revoked tokens stay listed: who had access, and until when, is part of the record.
        return False
