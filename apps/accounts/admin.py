from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from apps.accounts import selectors, services
from apps.accounts.models import ApiToken, User
from apps.eventlog.admin import AuditHistoryMixin


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    """Only a superuser can make superusers, grant single permissions or edit a superuser:
    otherwise the Admin role could give itself every right there is. Every save and delete
    goes through the accounts services, which record who changed what."""

    def save_model(self, request, obj, form, change):
        """Saved with its roles and permissions in save_related, in one service call."""

    def save_related(self, request, form, formsets, change):
        data = form.cleaned_data
        services.user_save(
            user=form.instance,
            actor=request.user,
            groups=data.get("groups"),
            permissions=data.get("user_permissions"),
        )
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request, obj):
        services.user_delete(user=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for user in queryset:
            services.user_delete(user=user, actor=request.user)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ["is_superuser", "user_permissions"]
        return readonly

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)


TOKEN_STATUS_LABELS = {"active": _("active"), "expired": _("expired"), "revoked": _("revoked")}


class TokenStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("active", _("Active")), ("expired", _("Expired")), ("revoked", _("Revoked"))]

    def queryset(self, request, queryset):
        if self.value() in selectors.TOKEN_STATUSES:
            return selectors.api_token_filter_status(queryset, self.value())
        return queryset


class IssueTokenForm(forms.ModelForm):
    """A token for yourself (or, as an Admin, for a service account): its name and how
    long it lives. The token itself is shown once, after saving."""

    expires_in_days = forms.IntegerField(
        label=_("Valid for (days)"), min_value=1, max_value=settings.API_TOKEN_MAX_DAYS,
        initial=30,
    )  # fmt: skip

    class Meta:
        model = ApiToken
        fields = ["user", "name"]

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = True
        users = self.fields["user"]
        if not actor.has_perm(selectors.ISSUE_ANY):
            users.queryset = User.objects.filter(pk=actor.pk)
        users.initial = actor.pk


@admin.register(ApiToken)
class ApiTokenAdmin(AuditHistoryMixin, admin.ModelAdmin):
    """Tokens: each user issues (and revokes) their own here, an Admin anyone's (service
    accounts); `manage.py issue_token` does the same from a shell."""

    audit_aggregate_type = "accounts.api_token"

    list_display = ["id", "user", "name", "status", "created_at", "expires_at", "last_used_at"]
    list_filter = [TokenStatusFilter]
    list_select_related = ["user"]
    search_fields = ["user__username", "name", "id"]
    readonly_fields = [field.name for field in ApiToken._meta.fields]
    actions = ["revoke_tokens"]

    def get_queryset(self, request):
        return selectors.api_tokens_for(request.user)

    def _issues(self, request) -> bool:
        return request.user.has_perm(selectors.ISSUE_OWN) or request.user.has_perm(
            selectors.ISSUE_ANY
        )

    def has_view_permission(self, request, obj=None):
        # Whoever may issue tokens sees their own (get_queryset keeps it to those).
        return super().has_view_permission(request, obj) or self._issues(request)

    def has_change_permission(self, request, obj=None):
        # Revoking: anyone's with the permission, one's own otherwise. Nothing else changes.
        if super().has_change_permission(request, obj):
            return True
        return self._issues(request) and (obj is None or obj.user_id == request.user.pk)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            return super().get_form(request, obj, change=change, **kwargs)
        form = IssueTokenForm

        class Form(form):
            def __init__(self, *args, **inner):
                super().__init__(*args, actor=request.user, **inner)

        return Form

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["user", "name", "expires_in_days"]
        return super().get_fields(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            return  # tokens do not change; they are revoked (the action)
        user = form.cleaned_data["user"]
        if not selectors.may_issue_token(request.user, for_user=user):
            raise PermissionDenied
        form.instance, secret = services.api_token_issue(
            user=user,
            ttl=timedelta(days=form.cleaned_data["expires_in_days"]),
            name=form.cleaned_data["name"],
            actor=request.user,
        )
        messages.warning(
            request,
            _("The token for %(user)s, shown this once: %(token)s")
            % {"user": user.get_username(), "token": secret},
        )

    @admin.display(description=_("status"))
    def status(self, obj):
        return TOKEN_STATUS_LABELS[selectors.api_token_status(obj)]

    @admin.action(description=_("Revoke selected tokens"), permissions=["change"])
    def revoke_tokens(self, request, queryset):
        if not super().has_change_permission(request):  # one's own only
            queryset = queryset.filter(user=request.user)
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
        return self._issues(request)

    def has_delete_permission(self, request, obj=None):
        # Revoked tokens stay listed: who had access, and until when, is part of the record.
        return False


admin.site.unregister(Group)


@admin.register(Group)
class PortalGroupAdmin(GroupAdmin):
    """Roles: saved and deleted through the accounts services, which record the
    permissions before and after."""

    def save_model(self, request, obj, form, change):
        """Saved with its permissions in save_related, in one service call."""

    def save_related(self, request, form, formsets, change):
        data = form.cleaned_data
        services.group_save(
            group=form.instance,
            actor=request.user,
            permissions=data.get("permissions"),
        )

    def delete_model(self, request, obj):
        services.group_delete(group=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for group in queryset:
            services.group_delete(group=group, actor=request.user)
