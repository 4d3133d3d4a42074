class ReadOnlyAdminMixin:
    """Records written only by the system (the log, projections): people look, nobody edits,
    superusers included."""

    def has_add_permission(self, request, obj=None):  # inlines pass the parent object
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
