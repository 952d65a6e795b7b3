"""The application shell (issue 2 item 13): navigation, unit switcher, user, logout, request id."""
from __future__ import annotations

import re

import pytest
from django.test import Client

from fazhi.core.models import Membership, Role

NAV = {
    "首页": "/",
    "我的待办与期限": "/inbox/",
    "行政复议": "/reconsideration/",
    "行政应诉": "/litigation/",
    "行政执法监督": "/enforcement/",
    "报告对标": "/benchmark/",
    "统计填报": "/returns/",
    "年度报告": "/reports/",
    "期限计算器": "/deadline/",
    "单位": "/units/",
    "附件": "/attachments/",
    "指标": "/metrics/",
    "工作日历": "/calendar/",
    "审计日志": "/audit/",
}


def nav_links(page: str) -> dict[str, str]:
    nav = re.search(r'<nav class="mainnav".*?</nav>', page, re.S).group(0)
    return {label: href for href, label in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav)}


@pytest.mark.django_db
def test_given_logged_in_operator_when_opening_home_then_shell_with_nav_user_and_logout(client_of):
    page = client_of("住建局经办人").get("/").content.decode()
    assert "法治政府建设工作平台" in page
    assert nav_links(page) == NAV
    assert "王晓燕" in page
    assert re.search(r'<form class="logout-form" method="post" action="/logout/">\s*<input type="hidden" '
                     r'name="csrfmiddlewaretoken"', page)
    assert "云溪区住房和城乡建设局" in page and "经办人" in page


@pytest.mark.django_db
def test_given_a_page_when_rendered_then_footer_shows_the_request_id_of_the_response(client_of):
    response = client_of("住建局经办人").get("/units/")
    rid = response["X-Request-ID"]
    assert re.search(rf"请求编号：<code>{re.escape(rid)}</code>", response.content.decode())


@pytest.mark.django_db
def test_given_units_page_when_rendered_then_its_nav_item_is_marked_current(client_of):
    page = client_of("住建局经办人").get("/units/").content.decode()
    assert re.search(r'<a href="/units/" class="active" aria-current="page">单位</a>', page)
    assert not re.search(r'<a href="/" class="active"', page)


@pytest.mark.django_db
def test_given_anonymous_when_on_login_page_then_no_nav_and_no_unit_switcher(client):
    page = client.get("/login/").content.decode()
    assert 'class="mainnav"' not in page and "/switch-unit/" not in page and 'action="/logout/"' not in page


@pytest.mark.django_db
def test_given_any_page_when_rendered_then_htmx_is_local_and_configured_without_inline_styles(client_of):
    page = client_of("住建局经办人").get("/").content.decode()
    assert '<script src="/static/fazhi/htmx.min.js" defer></script>' in page
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false}\'>' in page
    # htmx requests carry the CSRF token (the cookie is HttpOnly, so scripts cannot read it).
    assert re.search(r'<body hx-headers=\'\{"X-CSRFToken": "[A-Za-z0-9]+"\}\'>', page)


@pytest.mark.django_db
def test_given_static_assets_when_requested_then_served_locally(client):
    for path in ("/static/fazhi/app.css", "/static/fazhi/htmx.min.js"):
        response = client.get(path)
        assert response.status_code == 200, path
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert len(body) > 1000


# --- Unit switcher ---------------------------------------------------------------------

@pytest.fixture
def two_unit_user(demo_gov, persona):
    """住建局经办人 who also serves as an operator in 青石街道 (a secondment)."""
    user = persona("住建局经办人")
    Membership.objects.create(user=user, unit=demo_gov.units["YX-QS"], role=Role.OPERATOR, title="挂职")
    return user


@pytest.mark.django_db
def test_given_two_home_units_when_rendering_then_switcher_lists_both_with_submit(two_unit_user, demo_gov):
    client = Client()
    client.force_login(two_unit_user)
    page = client.get("/").content.decode()
    form = re.search(r'<form class="unit-switcher" method="post" action="/switch-unit/">.*?</form>', page, re.S)
    assert form, "no unit switcher form"
    form = form.group(0)
    assert 'name="csrfmiddlewaretoken"' in form and '<button type="submit"' in form
    options = re.findall(r'<option value="(\d+)"( selected)?>([^<]+)</option>', form)
    assert [(name, bool(sel)) for _id, sel, name in options] == [
        ("云溪区住房和城乡建设局", True), ("云溪区青石街道办事处", False)]


@pytest.mark.django_db
def test_given_home_unit_when_switching_then_stored_and_shown_selected(two_unit_user, demo_gov):
    client = Client()
    client.force_login(two_unit_user)
    qs = demo_gov.units["YX-QS"]
    response = client.post("/switch-unit/", {"unit": qs.pk, "next": "/units/"})
    assert response.status_code == 302 and response["Location"] == "/units/"
    assert client.session["active_unit_id"] == qs.pk
    page = client.get("/").content.decode()
    assert re.search(rf'<option value="{qs.pk}" selected>云溪区青石街道办事处</option>', page)
    assert "当前单位已切换为：云溪区青石街道办事处" in page


@pytest.mark.django_db
def test_given_unit_not_a_home_unit_when_switching_then_refused_and_session_unchanged(two_unit_user, demo_gov):
    client = Client()
    client.force_login(two_unit_user)
    scjg = demo_gov.units["YX-SCJG"]
    response = client.post("/switch-unit/", {"unit": scjg.pk}, follow=True)
    assert "active_unit_id" not in client.session
    assert "无法切换到该单位" in response.content.decode()
    for junk in ("abc", "", "999999999"):
        client.post("/switch-unit/", {"unit": junk})
        assert "active_unit_id" not in client.session


@pytest.mark.django_db
def test_given_coordinator_when_switching_to_a_unit_in_scope_but_not_home_then_refused(persona, demo_gov):
    """A coordinator sees every unit, but acts for the unit they belong to."""
    client = Client()
    client.force_login(persona("司法局协调员"))
    client.post("/switch-unit/", {"unit": demo_gov.units["YX-ZJJ"].pk})
    assert "active_unit_id" not in client.session


@pytest.mark.django_db
def test_given_external_next_when_switching_then_redirect_stays_on_site(two_unit_user, demo_gov):
    client = Client()
    client.force_login(two_unit_user)
    response = client.post("/switch-unit/", {"unit": demo_gov.units["YX-QS"].pk, "next": "https://evil.example/"})
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_given_switch_unit_when_requested_by_get_or_anonymous_then_refused(client, two_unit_user):
    assert client.post("/switch-unit/", {"unit": 1})["Location"].startswith("/login/")
    client.force_login(two_unit_user)
    assert client.get("/switch-unit/").status_code == 405


# --- Login redirects -----------------------------------------------------------------------

@pytest.mark.django_db
def test_given_next_on_site_when_logging_in_then_goes_there_but_never_off_site(demo_gov):
    from django.conf import settings

    client = Client()
    response = client.post("/login/?next=/units/", {"username": "zjj_operator",
                                                    "password": settings.FAZHI_DEMO_PASSWORD, "next": "/units/"})
    assert response["Location"] == "/units/"
    other = Client()
    response = other.post("/login/", {"username": "zjj_operator", "password": settings.FAZHI_DEMO_PASSWORD,
                                      "next": "https://evil.example/"})
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_given_logged_in_when_opening_login_then_redirected_home(client_of):
    response = client_of("住建局经办人").get("/login/")
    assert response.status_code == 302 and response["Location"] == "/"


@pytest.mark.django_db
def test_given_user_without_unit_when_home_then_told_to_ask_the_administrator(db):
    from fazhi.core.models import User

    user = User.objects.create(username="newcomer", display_name="新同事")
    client = Client()
    client.force_login(user)
    page = client.get("/").content.decode()
    assert "您尚未加入任何单位" in page and "/switch-unit/" not in page


@pytest.mark.django_db
def test_given_single_home_unit_when_rendering_then_unit_named_without_switcher(client_of):
    page = client_of("住建局经办人").get("/").content.decode()
    assert '<span class="current-unit" title="当前单位">云溪区住房和城乡建设局</span>' in page
    assert 'action="/switch-unit/"' not in page
