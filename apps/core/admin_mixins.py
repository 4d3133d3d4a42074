from import_export.admin import ImportExportMixin

from apps.core import catalogue


class ImportExportThroughServicesMixin(ImportExportMixin):
    """CSV and XLSX import (previewed, every row's errors shown, nothing written until
    confirmed, all or nothing) and export; the resources write through the services as
    the person importing."""

    def get_import_resource_kwargs(self, request, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "actor": request.user}

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "actor": request.user}


class CatalogueAdminMixin:
    """Reference data edited in the admin is written through apps.core.catalogue, like the
    API: validated, locked and audited the same way."""

    def save_model(self, request, obj, form, change):
        names = form.changed_data if change else list(form.cleaned_data)
        fields = {name: form.cleaned_data[name] for name in names}
        if change:
            saved = catalogue.catalogue_update(instance=obj, actor=request.user, **fields)
        else:
            saved = catalogue.catalogue_create(model=type(obj), actor=request.user, **fields)
        obj.pk = saved.pk

    def save_related(self, request, form, formsets, change):
        for formset in formsets:  # many-to-many fields were set by the catalogue service
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request, obj):
        catalogue.catalogue_delete(instance=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            catalogue.catalogue_delete(instance=obj, actor=request.user)
