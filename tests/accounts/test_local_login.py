"""Username and password at the admin's form: only while local login is on, throttled,
and audited."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from apps.eventlog.models import Event
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def sign_in(client, username, password):
    return client.post("/admin/login/", {"username": username, "password": password})


def test_repeated_failures_lock_the_form_for_that_user_even_with_the_right_password(settings):
    settings.LOCAL_LOGIN_FAILURES_ALLOWED = 3
    UserFactory(username="staffer", is_staff=True)
    client = Client()
    for _ in range(3):
        assert b"Please enter the correct username" in sign_in(client, "staffer", "wrong").content
    locked = sign_in(client, "staffer", PASSWORD)
    assert b"Too many failed sign-ins" in locked.content
    assert SESSION_KEY not in client.session
    UserFactory(username="colleague", is_staff=True)
    assert sign_in(Client(), "colleague", PASSWORD).status_code == 302  # others may


def test_sign_ins_and_failures_are_audited_without_the_password(settings):
    user = UserFactory(username="auditme", is_staff=True)
    client = Client()
    sign_in(client, "auditme", "not-the-password")
    sign_in(client, "auditme", PASSWORD)
    failed = Event.objects.get(type="accounts.user.login_failed")
    assert failed.payload == {"username": "auditme", "address": "127.0.0.1"}
    logged = Event.objects.get(type="accounts.user.logged_in")
    assert logged.aggregate_id == str(user.pk)
    assert logged.payload["method"] == "password"
    assert "not-the-password" not in str(failed.payload) + str(logged.payload)
