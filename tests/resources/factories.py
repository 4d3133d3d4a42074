from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from apps.resources.choices import ResourceKind
from apps.resources.models import Project, Resource, Skill


class SkillFactory(DjangoModelFactory):
    class Meta:
        model = Skill
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"skill-{n}")


class ResourceFactory(DjangoModelFactory):
    class Meta:
        model = Resource
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Resource {n}")
    kind = ResourceKind.EQUIPMENT
    hourly_cost = Decimal("50.00")

    @factory.post_generation
    def skills(self, create, extracted, **kwargs):
        if create and extracted:
            self.skills.set(extracted)


class ProjectFactory(DjangoModelFactory):
    class Meta:
        model = Project

    code = factory.Sequence(lambda n: f"P-{n:04d}")
    name = factory.Sequence(lambda n: f"Project {n}")
