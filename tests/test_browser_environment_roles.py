"""In a real browser: an Admin gives someone a role in one environment on their page in Django's
admin (the inline's "Add another" row works under the portal's CSP), and that person then sees
only what the role allows."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Permission, User

from adminui.accounts.models import EnvironmentRole
from tests.browser import log_in, screenshot
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("two_environments")]


def test_an_admin_hides_an_environment_from_someone_in_the_admin(page, transactional_db):
    ada = make_user(User, "ada", "Admin")
    # An earlier live-server test's flush drops what migration 0002 gave the Admin group.
    ada.groups.get().permissions.add(*Permission.objects.filter(content_type__app_label="auth"))
    vic = make_user(User, "vic", "Editor")
    log_in(page, "ada", PASSWORD)
    page.goto(f"/admin/auth/user/{vic.pk}/change/")
    page.get_by_text(re.compile("Add another role in one environment", re.I)).click()
    row = page.locator("tr.dynamic-environment_roles").first
    row.locator("select[name$='-environment']").select_option("prod")
    row.locator("select[name$='-role']").select_option("none")
    screenshot(page, "admin-roles-per-environment")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(lambda url: url.endswith("/admin/auth/user/"))
    assert EnvironmentRole.objects.get(user=vic).role == "none"

    page.get_by_role("button", name="Log out").click()
    log_in(page, "vic", PASSWORD)
    assert page.url.endswith("/staging/"), "the first environment vic sees"
    response = page.goto("/prod/keys/")
    assert response is not None and response.status == 404
    assert "There is no environment “prod” in this portal." in page.content()
