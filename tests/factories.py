from datetime import timedelta

import factory
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory

from apps.accounts import services as account_services
from apps.accounts.models import User
from apps.core.models import SystemSetting


class UserFactory(DjangoModelFactory):
    """A user; `roles=["Viewer", ...]` puts it in those (migration-created) groups."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            groups = list(Group.objects.filter(name__in=extracted))
            assert len(groups) == len(extracted), f"unknown roles in {extracted}"
            self.groups.add(*groups)


class SystemSettingFactory(DjangoModelFactory):
    class Meta:
        model = SystemSetting

    key = factory.Sequence(lambda n: f"test.setting-{n}")
    value = factory.Sequence(lambda n: {"n": n})
    description = "A setting made by a test."


def issue_token(user, ttl=timedelta(hours=1)) -> str:
    _token, secret = account_services.api_token_issue(user=user, ttl=ttl, actor=None)
    return secret
