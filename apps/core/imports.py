"""Bulk import of reference data (django-import-export) through the catalogue service: each
row is validated, locked and audited as an edit in the admin would be. Imports run in one
transaction: a bad row writes nothing (the preview shows every row's errors first)."""

from import_export import resources

from apps.core import catalogue


class CatalogueResource(resources.ModelResource):
    """A catalogue model's import and export; rows are matched on `import_id_fields`."""

    def __init__(self, *, actor=None, **kwargs):
        super().__init__(**kwargs)
        self.actor = actor

    def _fields_of(self, instance) -> dict:
        names = [field.attribute for field in self.get_import_fields() if field.attribute != "id"]
        return {name: getattr(instance, name) for name in names}

    def do_instance_save(self, instance, is_create):
        fields = self._fields_of(instance)
        if is_create:
            saved = catalogue.catalogue_create(model=type(instance), actor=self.actor, **fields)
        else:
            saved = catalogue.catalogue_update(instance=instance, actor=self.actor, **fields)
        instance.pk = saved.pk

    def delete_instance(self, instance, row, **kwargs):
        catalogue.catalogue_delete(instance=instance, actor=self.actor)

    class Meta:
        use_transactions = True
        rollback_on_validation_errors = True
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
