"""Import and export of skills, resources and projects (through the catalogue service),
and the export of bookings."""

from import_export import fields, resources

from apps.core.imports import CatalogueResource
from apps.resources.models import Allocation, Project, Resource, Skill


class SkillResource(CatalogueResource):
    class Meta(CatalogueResource.Meta):
        model = Skill
        import_id_fields = ["name"]
        fields = ["name", "description"]


class ResourceResource(CatalogueResource):
    class Meta(CatalogueResource.Meta):
        model = Resource
        import_id_fields = ["name"]
        fields = ["name", "kind", "hourly_cost", "timezone", "active"]


class ProjectResource(CatalogueResource):
    class Meta(CatalogueResource.Meta):
        model = Project
        import_id_fields = ["code"]
        fields = ["code", "name", "active"]


class AllocationExport(resources.ModelResource):
    """Bookings as exported from the admin (never imported: booking goes through the
    booking service). The resource is `bookable`: a field named `resource` collides with
    the export form's own."""

    bookable = fields.Field(attribute="resource__name", column_name="resource")
    project_code = fields.Field(attribute="project__code", column_name="project")
    starts_at = fields.Field(attribute="period__lower", column_name="from")
    ends_at = fields.Field(attribute="period__upper", column_name="to")

    class Meta:
        model = Allocation
        fields = ["id", "bookable", "project_code", "starts_at", "ends_at", "status", "note"]
        export_order = fields
