"""Import and export of skills, resources and projects (through the catalogue service)."""

from apps.core.imports import CatalogueResource
from apps.resources.models import Project, Resource, Skill


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
