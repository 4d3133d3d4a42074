from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from apps.core import services
from apps.core.models import SettingChange, SystemSetting
from apps.core.validators import validate_setting
from apps.eventlog.admin import AuditHistoryMixin
from apps.platform.admin_mixins import ReadOnlyAdminMixin


class SystemSettingForm(forms.ModelForm):
    class Meta:
        model = SystemSetting
        fields = ["key", "value", "description"]

    def clean(self):
        cleaned = super().clean()
        key = cleaned.get("key", self.instance.key)
        if "value" in cleaned:
            try:
                validate_setting(key, cleaned["value"])
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned


@admin.register(SystemSetting)
class SystemSettingAdmin(AuditHistoryMixin, admin.ModelAdmin):
    audit_aggregate_type = "core.setting"
    form = SystemSettingForm
    list_display = ["key", "value", "description", "updated_at", "updated_by"]
    search_fields = ["key", "description"]
    list_select_related = ["updated_by"]
    readonly_fields = ["updated_at", "updated_by"]

    def get_readonly_fields(self, request, obj=None):
        # The key is the identity of a setting; a different key is a different setting.
        return [*self.readonly_fields, "key"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        saved, _created = services.system_setting_set(
            key=obj.key,
            value=form.cleaned_data["value"],
            description=form.cleaned_data.get("description", ""),
            actor=request.user,
        )
        form.instance = saved

    def delete_model(self, request, obj):
        services.system_setting_delete(key=obj.key, actor=request.user)

    def delete_queryset(self, request, queryset):
        for key in queryset.values_list("key", flat=True):
            services.system_setting_delete(key=key, actor=request.user)


@admin.register(SettingChange)
class SettingChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every value each setting has had (kept from the audit log; read-only)."""

    list_display = ["key", "value", "deleted", "changed_by", "changed_at"]
    list_filter = ["deleted"]
    search_fields = ["=key", "changed_by"]
