import pytest

from apps.core.models import SystemSetting
from tests.factories import SystemSettingFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, roles=["Admin"]))
    return client


def test_admin_creates_a_setting_through_the_service(admin_client):
    response = admin_client.post(
        "/admin/core/systemsetting/add/",
        {"key": "portal.timezone", "value": '"Europe/Berlin"', "description": "Home zone"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    setting = SystemSetting.objects.get(key="portal.timezone")
    assert setting.value == "Europe/Berlin"
    assert setting.updated_by.groups.filter(name="Admin").exists()


def test_admin_shows_the_size_limit_as_a_form_error(admin_client):
    response = admin_client.post(
        "/admin/core/systemsetting/add/",
        {"key": "too.big", "value": '"' + "x" * 70000 + '"', "description": ""},
    )
    assert response.status_code == 200
    assert "the limit is 65536" in response.content.decode()
    assert not SystemSetting.objects.filter(key="too.big").exists()


def test_admin_deletes_through_the_service(admin_client):
    SystemSettingFactory(key="old.one")
    response = admin_client.post("/admin/core/systemsetting/old.one/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not SystemSetting.objects.filter(key="old.one").exists()


def test_viewer_staff_sees_settings_read_only(client):
    SystemSettingFactory(key="portal.locale", value="en")
    client.force_login(UserFactory(is_staff=True, roles=["Viewer"]))
    assert client.get("/admin/core/systemsetting/").status_code == 200
    response = client.post(
        "/admin/core/systemsetting/portal.locale/change/", {"value": '"ru"', "description": ""}
    )
    assert response.status_code == 403
    assert SystemSetting.objects.get(key="portal.locale").value == "en"


def test_admin_header_is_the_portal_name_setting(admin_client):
    SystemSettingFactory(key="portal.name", value="Acme Field Ops")
    assert "Acme Field Ops" in admin_client.get("/admin/").content.decode()


def test_home_page_links_admin_and_docs(client):
    html = client.get("/").content.decode()
    assert 'href="/admin/"' in html
    assert 'href="/api/docs/"' in html
