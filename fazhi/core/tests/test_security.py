"""Security baseline (issue 2 item 14; 等保2.0 三级 GB/T 22239-2019, OWASP ASVS)."""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher, check_password
from django.contrib.sessions.models import Session
from django.test import Client, RequestFactory
from django.utils import timezone

from fazhi.core.models import AuditRecord, User
from fazhi.core.views import errors

PASSWORD = settings.FAZHI_DEMO_PASSWORD
PROJECT = Path(settings.PROJECT_DIR)


def login(client: Client, username: str, password: str = PASSWORD):
    return client.post("/login/", {"username": username, "password": password})


# --- Login, failures, lockout -------------------------------------------------------

@pytest.mark.django_db
def test_given_anonymous_when_opening_home_then_redirected_to_chinese_login_page(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    page = client.get(response["Location"]).content.decode()
    assert "用户名" in page and "密码" in page and ">登录<" in page


@pytest.mark.django_db
def test_given_demo_user_when_logging_in_then_home_and_login_is_audited(client, persona):
    user = persona("住建局经办人")
    response = login(client, "zjj_operator")
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    rec = AuditRecord.objects.filter(action="login").last()
    assert rec is not None and rec.actor_id == user.pk and rec.request_id


@pytest.mark.django_db
def test_given_wrong_password_or_unknown_name_when_logging_in_then_same_generic_error(client, demo_gov):
    wrong_password = login(client, "zjj_operator", "Wrong#Pass123").content.decode()
    unknown_user = login(client, "nobody_here", "Wrong#Pass123").content.decode()
    assert "用户名或密码错误" in wrong_password and "用户名或密码错误" in unknown_user
    failures = AuditRecord.objects.filter(action="login_failed")
    assert {r.object_repr for r in failures} == {"zjj_operator", "nobody_here"}
    # The password typed is never in the audit trail.
    assert not any("Wrong#Pass123" in str(r.changes) for r in failures)


@pytest.mark.django_db
def test_given_inactive_account_when_right_password_then_same_generic_error(client, persona):
    user = persona("住建局经办人")
    User.objects.filter(pk=user.pk).update(is_active=False)
    page = login(client, "zjj_operator").content.decode()
    assert "用户名或密码错误" in page
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_given_limit_failures_when_logging_in_then_locked_even_with_right_password(client, demo_gov):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        assert login(client, "zjj_operator", "Wrong#Pass123").status_code == 200
    locked = login(client, "zjj_operator", "Wrong#Pass123")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "锁定" in page and "自动解除" in page
    # The page names the local time the lock ends (Asia/Shanghai), 30 minutes by default.
    unlock = timezone.localtime(timezone.now() + dt.timedelta(hours=settings.AXES_COOLOFF_TIME))
    assert unlock.strftime("%H:%M") in page or (unlock - dt.timedelta(minutes=1)).strftime("%H:%M") in page
    # Locked: the right password does not get in either.
    right = login(client, "zjj_operator")
    assert right.status_code == 429 and "_auth_user_id" not in client.session
    # The lockout itself is an audit event (等保2.0 安全审计).
    assert AuditRecord.objects.filter(action="account_locked", object_repr="zjj_operator").exists()


@pytest.mark.django_db
def test_given_unknown_name_when_failing_limit_times_then_same_lock_page(client, demo_gov):
    """The lock page must not tell an existing account from a name that has none."""
    pages = {}
    for name in ("zjj_operator", "no_such_person"):
        c = Client()
        for _ in range(settings.AXES_FAILURE_LIMIT):
            response = login(c, name, "Wrong#Pass123")
        assert response.status_code == 429
        pages[name] = re.sub(r"请求编号：<code>[^<]*</code>|csrfmiddlewaretoken\" value=\"[^\"]*\"|"
                             r"X-CSRFToken\": \"[^\"]*\"|\d{1,2}:\d{2}", "", response.content.decode())
        assert name not in pages[name]
    assert pages["zjj_operator"] == pages["no_such_person"]


@pytest.mark.django_db
def test_given_locked_account_when_cool_off_has_passed_then_login_works(client, demo_gov):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "zjj_operator", "Wrong#Pass123")
    assert login(client, "zjj_operator").status_code == 429
    # Move the failures back beyond the cool-off period (no sleeping).
    past = timezone.now() - dt.timedelta(hours=settings.AXES_COOLOFF_TIME, minutes=1)
    AccessAttempt.objects.filter(username="zjj_operator").update(attempt_time=past)
    response = login(client, "zjj_operator")
    assert response.status_code == 302 and client.session.get("_auth_user_id")


@pytest.mark.django_db
def test_given_failures_below_limit_when_success_then_counter_resets(client, demo_gov):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login(client, "zjj_operator", "Wrong#Pass123")
    assert login(client, "zjj_operator").status_code == 302
    client.post("/logout/")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "zjj_operator", "Wrong#Pass123").status_code == 200


# --- Logout and session idle timeout ----------------------------------------------------

@pytest.mark.django_db
def test_given_logged_in_when_logout_by_get_then_refused_and_still_logged_in(client_of):
    client = client_of("住建局经办人")
    assert client.get("/logout/").status_code == 405
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_given_logged_in_when_logout_by_post_then_logged_out_and_audited(client, persona):
    user = persona("住建局经办人")
    login(client, "zjj_operator")
    response = client.post("/logout/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert client.get("/").status_code == 302
    assert AuditRecord.objects.filter(action="logout", actor=user).exists()


@pytest.mark.django_db
def test_given_session_idle_beyond_age_when_requesting_then_logged_out(client, demo_gov):
    login(client, "zjj_operator")
    assert client.get("/").status_code == 200
    key = client.session.session_key
    # The last request was SESSION_COOKIE_AGE + 1 seconds ago: the session expired a second ago.
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.django_db
def test_given_active_session_when_requesting_then_idle_window_slides(client, demo_gov):
    login(client, "zjj_operator")
    key = client.session.session_key
    # One minute of life left; a request must renew it to the full idle age.
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + dt.timedelta(minutes=1))
    assert client.get("/").status_code == 200
    expiry = Session.objects.get(session_key=key).expire_date
    remaining = (expiry - timezone.now()).total_seconds()
    assert settings.SESSION_COOKIE_AGE - 60 < remaining <= settings.SESSION_COOKIE_AGE
    assert settings.SESSION_COOKIE_AGE <= 30 * 60  # 等保: idle timeout of at most 30 minutes


# --- Password policy and change --------------------------------------------------------

@pytest.mark.django_db
def test_given_weak_new_password_when_changing_then_refused_in_chinese(client_of, persona):
    client = client_of("住建局经办人")
    user = persona("住建局经办人")
    response = client.post("/password/", {
        "old_password": PASSWORD, "new_password1": "abcdefghijk", "new_password2": "abcdefghijk",
    })
    assert response.status_code == 200
    assert "密码须至少包含大写字母、小写字母、数字、符号中的三类" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert not AuditRecord.objects.filter(action="password_change").exists()


@pytest.mark.django_db
def test_given_short_password_when_changing_then_refused(client_of, persona):
    client = client_of("住建局经办人")
    response = client.post("/password/", {
        "old_password": PASSWORD, "new_password1": "Ab1#x", "new_password2": "Ab1#x",
    })
    assert response.status_code == 200
    persona("住建局经办人").refresh_from_db()
    assert User.objects.get(username="zjj_operator").check_password(PASSWORD)


@pytest.mark.django_db
def test_given_wrong_old_password_when_changing_then_refused(client_of):
    client = client_of("住建局经办人")
    response = client.post("/password/", {
        "old_password": "Not#The1Old", "new_password1": "Qingshi#River2026", "new_password2": "Qingshi#River2026",
    })
    assert "原密码不正确" in response.content.decode()
    assert User.objects.get(username="zjj_operator").check_password(PASSWORD)


@pytest.mark.django_db
def test_given_strong_password_when_changing_then_saved_audited_and_still_logged_in(client_of, persona):
    client = client_of("住建局经办人")
    response = client.post("/password/", {
        "old_password": PASSWORD, "new_password1": "Qingshi#River2026", "new_password2": "Qingshi#River2026",
    })
    assert response.status_code == 302 and response["Location"] == "/password/done/"
    user = User.objects.get(username="zjj_operator")
    assert user.check_password("Qingshi#River2026")
    rec = AuditRecord.objects.get(action="password_change")
    assert rec.actor_id == user.pk and user.password not in str(rec.changes)
    assert client.get("/").status_code == 200


def test_given_complexity_validator_when_two_classes_then_error_three_classes_then_ok():
    from django.core.exceptions import ValidationError

    from fazhi.core.security import ComplexityValidator

    with pytest.raises(ValidationError):
        ComplexityValidator().validate("alllowercase123")
    ComplexityValidator().validate("Lower1case_and")


# --- Hashing ------------------------------------------------------------------------------

def test_given_argon2_hasher_when_hashing_then_argon2_hash_that_verifies():
    hashed = Argon2PasswordHasher().encode("Qingshi#River2026", Argon2PasswordHasher().salt())
    assert hashed.startswith("argon2$argon2id$")
    assert check_password("Qingshi#River2026", hashed)
    assert not check_password("qingshi#river2026", hashed)


def _run_settings(env_overrides: dict[str, str], code: str, tmp_path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "FAZHI_", "DATABASE_URL"))}
    env.update({"FAZHI_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "fazhi.settings"})
    env.update(env_overrides)
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=PROJECT, capture_output=True, text=True,
                          timeout=120)


SETUP = "import django; django.setup()"
GOOD_SECRET = "k3J9xq0Lw2Vb7Rt5Nn8Pz1Yc4Hm6Df0Sa9Ge2Uo"


def test_given_production_settings_when_hashing_new_password_then_argon2(tmp_path):
    code = SETUP + "; from django.contrib.auth.hashers import make_password; print(make_password('Xy#12345abc'))"
    result = _run_settings({"FAZHI_ENV": "production", "DJANGO_SECRET_KEY": GOOD_SECRET}, code, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith("argon2$")


# --- Production refuses unsafe settings -------------------------------------------------------

def test_given_production_with_debug_when_starting_then_refused_in_chinese(tmp_path):
    result = _run_settings({"FAZHI_ENV": "production", "DJANGO_DEBUG": "1", "DJANGO_SECRET_KEY": GOOD_SECRET},
                           SETUP, tmp_path)
    assert result.returncode != 0
    assert "生产环境禁止开启 DEBUG" in result.stderr


@pytest.mark.parametrize("secret", [None, "short-secret"])
def test_given_production_with_default_or_short_secret_when_starting_then_refused(tmp_path, secret):
    env = {"FAZHI_ENV": "production"}
    if secret:
        env["DJANGO_SECRET_KEY"] = secret
    result = _run_settings(env, SETUP, tmp_path)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr and "拒绝启动" in result.stderr


def test_given_production_with_long_secret_and_debug_off_when_starting_then_starts(tmp_path):
    code = SETUP + "; from django.conf import settings; print(settings.DEBUG, settings.SESSION_COOKIE_SECURE)"
    result = _run_settings({"FAZHI_ENV": "production", "DJANGO_SECRET_KEY": GOOD_SECRET}, code, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]


# --- CSRF ------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_given_no_csrf_token_when_posting_login_then_403_in_chinese(demo_gov):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "zjj_operator", "password": PASSWORD})
    assert response.status_code == 403
    assert "请刷新页面" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_given_csrf_token_when_posting_login_then_accepted(demo_gov):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/login/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = client.post("/login/", {"username": "zjj_operator", "password": PASSWORD,
                                       "csrfmiddlewaretoken": token})
    assert response.status_code == 302


@pytest.mark.django_db
def test_given_no_csrf_token_when_switching_unit_or_logging_out_then_403(persona):
    user = persona("住建局经办人")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    unit_id = user.memberships.first().unit_id
    assert client.post("/switch-unit/", {"unit": unit_id}).status_code == 403
    assert "active_unit_id" not in client.session
    assert client.post("/logout/").status_code == 403
    assert client.get("/").status_code == 200


# --- Headers ------------------------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/login/", "/", "/units/"])
def test_given_a_page_when_served_then_security_headers_and_strict_csp(client_of, url):
    response = client_of("住建局经办人").get(url, follow=False)
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Request-ID"]


@pytest.mark.django_db
def test_given_logged_in_page_when_served_then_not_cached(client_of):
    assert "no-store" in client_of("住建局经办人").get("/")["Cache-Control"]


# --- Templates: local assets, no inline script or style -----------------------------------------------------

TEMPLATE_ROOTS = [PROJECT / "fazhi" / "templates", PROJECT / "fazhi" / "core" / "templates" / "core"]
OWN_TEMPLATES = [
    PROJECT / "fazhi" / "templates" / "base.html",
    *(PROJECT / "fazhi" / "core" / "templates" / "core").glob("*.html"),
    *(PROJECT / "fazhi" / "core" / "templates" / "core" / "units").glob("*.html"),
]


def test_given_base_template_when_read_then_no_external_url():
    text = (PROJECT / "fazhi" / "templates" / "base.html").read_text()
    assert not re.search(r"https?://", text)
    assert "{% static 'fazhi/htmx.min.js' %}" in text and "includeIndicatorStyles" in text


@pytest.mark.parametrize("path", OWN_TEMPLATES, ids=lambda p: p.name)
def test_given_shell_templates_when_read_then_no_external_url_inline_script_or_style(path):
    text = path.read_text()
    assert not re.search(r"https?://", text), path
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), f"{path}: inline <script>"
    assert not re.search(r"\sstyle=|<style|\son[a-z]+=", text), f"{path}: inline style or handler"


def test_given_stylesheet_when_read_then_no_remote_import_or_font():
    css = (PROJECT / "fazhi" / "core" / "static" / "fazhi" / "app.css").read_text()
    assert not re.search(r"https?://|@import|@font-face", css)
    assert '"Microsoft YaHei"' in css


@pytest.mark.django_db
def test_given_rendered_login_page_when_read_then_every_asset_is_local(client):
    page = client.get("/login/").content.decode()
    refs = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert refs and all(r.startswith("/") or r.startswith("#") for r in refs), refs


# --- Error pages ------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_given_unknown_url_when_requested_then_chinese_404_with_shell(client_of):
    response = client_of("住建局经办人").get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "未找到" in page and "法治政府建设工作平台" in page and "Traceback" not in page


@pytest.mark.django_db
def test_given_server_error_when_rendering_then_chinese_page_with_request_id_and_no_trace():
    request = RequestFactory().get("/broken/")
    request.request_id = "req-20251001-abc"
    response = errors.server_error(request)
    page = response.content.decode()
    assert response.status_code == 500
    assert "系统繁忙" in page and "req-20251001-abc" in page
    assert "Traceback" not in page and "退出登录" not in page


@pytest.mark.django_db
def test_given_errors_when_rendered_then_400_and_403_in_chinese():
    request = RequestFactory().get("/x/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    assert "请求有误" in errors.bad_request(request).content.decode()
    assert "无权访问" in errors.permission_denied(request).content.decode()


def test_given_api_path_when_error_then_json_in_chinese():
    request = RequestFactory().get("/api/nothing")
    response = errors.server_error(request)
    assert response.status_code == 500 and response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert body["code"] == "server_error" and "系统出现错误" in body["message"]


# --- Audit records are never pruned by the app --------------------------------------------------------------

def test_given_app_code_when_searched_then_nothing_deletes_or_updates_audit_records():
    """网络安全法 第二十一条: logs kept at least six months. The app never deletes them."""
    offenders = []
    pattern = re.compile(r"AuditRecord\.objects[^\n]*\.(delete|update)\(|AuditRecord[^\n]*_raw_delete")
    for path in (PROJECT / "fazhi").rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        if pattern.search(path.read_text(encoding="utf-8")):
            offenders.append(str(path))
    assert offenders == []


# --- Admin changes are audited --------------------------------------------------------------------

@pytest.fixture
def admin_client(persona):
    admin = persona("系统管理员")
    User.objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(User.objects.get(pk=admin.pk))
    return client


@pytest.mark.django_db
def test_given_admin_when_setting_a_users_password_then_audited_without_the_hash(admin_client, persona):
    target = persona("住建局经办人")
    response = admin_client.post(f"/django-admin/core/user/{target.pk}/password/", {
        "password1": "Qingshi#River2026", "password2": "Qingshi#River2026", "usable_password": "true"})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.check_password("Qingshi#River2026")
    rec = AuditRecord.objects.get(action="admin_set_password")
    assert rec.object_id == str(target.pk) and target.password not in str(rec.changes)


@pytest.mark.django_db
def test_given_admin_when_renaming_a_unit_then_before_and_after_audited(admin_client, demo_gov):
    unit = demo_gov.units["YX-QS"]
    response = admin_client.post(f"/django-admin/core/unit/{unit.pk}/change/", {
        "code": unit.code, "name": "云溪区青石街道", "short_name": unit.short_name, "kind": unit.kind,
        "level": unit.level, "parent": unit.parent_id, "sort_order": unit.sort_order, "active": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    rec = AuditRecord.objects.get(action="admin_change")
    assert rec.changes["name"] == ["云溪区青石街道办事处", "云溪区青石街道"] and rec.unit_id == unit.pk


@pytest.mark.django_db
def test_given_admin_when_editing_calendar_rows_in_django_admin_then_refused(admin_client):
    """Calendar edits must go through the calendar service, which recomputes open clocks."""
    assert admin_client.get("/django-admin/core/calendarday/add/").status_code == 403
    assert admin_client.get("/django-admin/core/calendarday/").status_code == 200
