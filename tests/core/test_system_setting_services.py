import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from apps.core import selectors, services
from apps.core.models import SystemSetting
from apps.platform.exceptions import NotFound
from tests.factories import SystemSettingFactory, UserFactory


@pytest.mark.django_db
def test_set_creates_then_replaces():
    actor = UserFactory()
    setting, created = services.system_setting_set(key="a.b", value=1, actor=actor)
    assert created
    setting, created = services.system_setting_set(
        key="a.b", value=2, description="two", actor=actor
    )
    assert not created
    assert selectors.system_setting_value("a.b") == 2
    assert setting.description == "two"


@pytest.mark.django_db
def test_set_reports_key_and_value_errors_together():
    with pytest.raises(ValidationError) as caught:
        services.system_setting_set(key="Bad Key", value=None, actor=None)
    assert set(caught.value.message_dict) == {"key", "value"}


@pytest.mark.django_db
def test_the_database_refuses_a_malformed_key_written_around_the_service():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        SystemSetting.objects.create(key="NOT VALID", value=1)


@pytest.mark.django_db
def test_delete_of_a_missing_setting_raises_not_found():
    with pytest.raises(NotFound):
        services.system_setting_delete(key="ghost", actor=None)


@pytest.mark.django_db
def test_value_lookup_falls_back_to_the_default():
    SystemSettingFactory(key="present", value=False)
    assert selectors.system_setting_value("present", default=True) is False
    assert selectors.system_setting_value("absent", default="fallback") == "fallback"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_first_writes_of_one_key_both_succeed():
    """Two writers creating the same key at once: one creates, the other updates; no 500."""
    barrier = threading.Barrier(2)
    outcomes, errors = [], []

    def write(value):
        try:
            barrier.wait(timeout=5)
            _setting, created = services.system_setting_set(key="race.key", value=value, actor=None)
            outcomes.append(created)
        except Exception as exc:  # collected and asserted on below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(value,)) for value in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(outcomes) == [False, True]
    assert SystemSetting.objects.get(key="race.key").value in {"one", "two"}
