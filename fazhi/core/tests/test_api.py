"""The REST API framework: schema, authentication (session + bearer token), JSON errors, /api/units."""
from __future__ import annotations

import datetime as dt
import io
import json
import secrets
import re
import string

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, RequestFactory
from django.utils import timezone

from fazhi.core.models import ApiToken, AuditRecord

pytestmark = pytest.mark.django_db

NOT_AUTH = "请先登录或提供有效的接口令牌。"
NOT_FOUND = "未找到该记录，或您无权查看。"


def _new_token(username: str, name: str = "数据同步", *extra: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("token", "create", username, name, *extra, stdout=out, stderr=err)
    key = out.getvalue().splitlines()[0].strip()
    assert "只显示这一次" in err.getvalue()
    return key


def _bearer(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def _csrf_client(user) -> tuple[Client, str]:
    """A client that enforces CSRF like a browser, with a CSRF cookie already set."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    secret = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
    client.cookies["csrftoken"] = secret
    return client, secret


# ---------------------------------------------------------------------------
# OpenAPI schema
# ---------------------------------------------------------------------------
def test_given_no_login_when_fetching_openapi_json_then_public_valid_json_lists_the_core_paths(client):
    response = client.get("/api/openapi.json")

    assert response.status_code == 200
    schema = json.loads(response.content)
    paths = {p.rstrip("/") for p in schema["paths"]}
    for expected in ("/api/units", "/api/metrics", "/api/deadline", "/api/inbox"):
        assert expected in paths, f"{expected} 不在 OpenAPI 路径中：{sorted(paths)}"
    schemes = schema["components"]["securitySchemes"]
    assert {s.get("scheme") or s.get("in") for s in schemes.values()} >= {"bearer", "cookie"}


def test_given_the_schema_then_every_operation_requires_authentication(client):
    schema = json.loads(client.get("/api/openapi.json").content)

    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            assert op.get("security"), f"{method.upper()} {path} 未要求认证"


# ---------------------------------------------------------------------------
# Authentication
# ---------------------------------------------------------------------------
def test_given_no_login_and_no_token_when_listing_units_then_401_json_in_chinese(client, demo_gov):
    response = client.get("/api/units")

    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"code": "not_authenticated", "message": NOT_AUTH}
    assert NOT_AUTH.encode() in response.content  # Chinese as UTF-8 text, not \u escapes


def test_given_a_bearer_token_when_listing_units_then_the_tokens_user_scope_is_used(client, demo_gov):
    key = _new_token("zjj_operator")

    response = client.get("/api/units", **_bearer(key))

    assert response.status_code == 200
    codes = [u["code"] for u in response.json()]
    assert codes == ["YX-ZJJ"]
    token = ApiToken.objects.get(prefix=key[:8])
    assert token.last_used_at is not None


def test_given_token_creation_then_only_the_hash_is_stored_and_the_creation_is_audited(demo_gov):
    key = _new_token("zjj_operator", "报表同步", "--days", "30")

    token = ApiToken.objects.get(prefix=key[:8])
    assert token.key_hash != key and len(token.key_hash) == 64
    assert token.expires_at is not None
    assert dt.timedelta(days=29) < token.expires_at - timezone.now() <= dt.timedelta(days=30)
    rec = AuditRecord.objects.filter(action="api_token.create").get()
    assert rec.object_id == str(token.pk)
    assert rec.changes["用途"] == "报表同步"
    assert key not in json.dumps(rec.changes, ensure_ascii=False)


def test_given_a_revoked_token_when_calling_then_401_and_the_revocation_is_audited(client, demo_gov):
    key = _new_token("zjj_operator")
    out = io.StringIO()
    call_command("token", "revoke", key[:8], stdout=out)
    assert "已撤销" in out.getvalue()

    response = client.get("/api/units", **_bearer(key))

    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "not_authenticated"
    assert body["message"].startswith("接口令牌无效、已过期或已被撤销。")
    assert AuditRecord.objects.filter(action="api_token.revoke").count() == 1


def test_given_an_expired_token_when_calling_then_401(client, demo_gov):
    key = _new_token("zjj_operator", "临时", "--days", "1")
    ApiToken.objects.filter(prefix=key[:8]).update(expires_at=timezone.now() - dt.timedelta(minutes=1))

    response = client.get("/api/units", **_bearer(key))

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_given_an_unknown_bearer_token_even_with_a_session_when_calling_then_401(client_of):
    client = client_of("住建局经办人")
    assert client.get("/api/units").status_code == 200

    response = client.get("/api/units", HTTP_AUTHORIZATION="Bearer not-a-real-token")

    assert response.status_code == 401


def test_given_the_tokens_user_is_deactivated_when_calling_then_401(client, demo_gov):
    key = _new_token("zjj_operator")
    user = demo_gov.persona("住建局经办人")
    user.is_active = False
    user.save()

    assert client.get("/api/units", **_bearer(key)).status_code == 401


def test_given_bad_token_commands_then_chinese_errors_and_nothing_created(demo_gov):
    with pytest.raises(CommandError, match="未找到用户"):
        call_command("token", "create", "nobody", "用途", stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError, match="有效天数"):
        call_command("token", "create", "zjj_operator", "用途", "--days", "abc", stdout=io.StringIO())
    with pytest.raises(CommandError, match="有效天数应在 1 到 3650"):
        call_command("token", "create", "zjj_operator", "用途", "--days", "0", stdout=io.StringIO())
    with pytest.raises(CommandError, match="未找到前缀"):
        call_command("token", "revoke", "zzzzzzzz", stdout=io.StringIO())
    assert ApiToken.objects.count() == 0
    assert not AuditRecord.objects.filter(action__startswith="api_token").exists()


def test_given_a_session_when_posting_without_csrf_token_then_403_and_nothing_changes(demo_gov):
    from tests.sample.models import SampleMatter

    matter = SampleMatter.objects.create(unit=demo_gov.units["YX-ZJJ"], state="draft", title="住建局样例事项")
    client, _secret = _csrf_client(demo_gov.persona("住建局经办人"))

    response = client.post(f"/api/sample/{matter.pk}/transition/submit", data=json.dumps({"version": 1}),
                           content_type="application/json")

    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    matter.refresh_from_db()
    assert (matter.state, matter.version) == ("draft", 1)


def test_given_a_session_when_posting_with_the_csrf_token_then_the_change_is_made(demo_gov):
    from tests.sample.models import SampleMatter

    matter = SampleMatter.objects.create(unit=demo_gov.units["YX-ZJJ"], state="draft", title="住建局样例事项")
    client, secret = _csrf_client(demo_gov.persona("住建局经办人"))

    response = client.post(f"/api/sample/{matter.pk}/transition/submit", data=json.dumps({"version": 1}),
                           content_type="application/json", HTTP_X_CSRFTOKEN=secret)

    assert response.status_code == 200, response.content
    matter.refresh_from_db()
    assert matter.state == "review"


def test_given_a_bearer_token_when_posting_without_csrf_then_accepted(demo_gov):
    from tests.sample.models import SampleMatter

    matter = SampleMatter.objects.create(unit=demo_gov.units["YX-ZJJ"], state="draft", title="住建局样例事项")
    key = _new_token("zjj_operator")
    client = Client(enforce_csrf_checks=True)

    response = client.post(f"/api/sample/{matter.pk}/transition/submit", data=json.dumps({"version": 1}),
                           content_type="application/json", **_bearer(key))

    assert response.status_code == 200, response.content
    matter.refresh_from_db()
    assert matter.state == "review"


# ---------------------------------------------------------------------------
# Errors as JSON with a stable code and a Chinese message
# ---------------------------------------------------------------------------
def test_given_a_stale_version_when_posting_then_procedure_error_becomes_409_json(client_of, demo_gov):
    from tests.sample.models import SampleMatter

    matter = SampleMatter.objects.create(unit=demo_gov.units["YX-ZJJ"], state="draft", title="住建局样例事项")
    client = client_of("住建局经办人")

    response = client.post(f"/api/sample/{matter.pk}/transition/submit", data=json.dumps({"version": 7}),
                           content_type="application/json")

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "stale_version"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"])


def test_given_a_bad_query_parameter_then_422_with_a_chinese_summary_of_the_field(client_of):
    response = client_of("住建局经办人").get("/api/metrics?year=abc")

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["message"].startswith("请求参数有误：")
    assert "year" in body["message"] and "应为整数" in body["message"]
    assert body["details"][0]["field"] == "year"
    assert body["details"][0]["location"] == "查询参数"


def test_given_a_body_that_is_not_json_then_an_error_in_chinese(client_of, demo_gov):
    from tests.sample.models import SampleMatter

    matter = SampleMatter.objects.create(unit=demo_gov.units["YX-ZJJ"], state="draft", title="事项")
    response = client_of("住建局经办人").post(f"/api/sample/{matter.pk}/transition/submit", data="{not json",
                                               content_type="application/json")

    assert response.status_code in (400, 422)
    body = response.json()
    assert body["code"] in ("bad_request", "validation_error")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"])


def _api_request(path="/api/units"):
    request = RequestFactory().get(path)
    request.request_id = "rid-test-42"
    return request


def test_given_an_unexpected_exception_then_500_json_with_request_id_and_no_stack_trace(caplog):
    from fazhi.api import api

    response = api.on_exception(_api_request(), RuntimeError("secret internal detail"))

    assert response.status_code == 500
    body = json.loads(response.content)
    assert body["code"] == "server_error"
    assert body["message"] == "系统出现错误，已记录。请提供请求编号 rid-test-42。"
    assert "secret internal detail" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert "rid-test-42" in caplog.text  # logged, so the operator can find it


def test_given_a_deadline_error_then_400_invalid_input_with_its_message():
    from fazhi.api import api
    from fazhi.core.deadlines import DeadlineError

    response = api.on_exception(_api_request(), DeadlineError("期限格式无效：20x"))

    assert response.status_code == 400
    assert json.loads(response.content) == {"code": "invalid_input", "message": "期限格式无效：20x"}


def test_given_an_api_error_and_an_english_http_error_then_codes_and_chinese_messages():
    from ninja.errors import HttpError

    from fazhi.api import api
    from fazhi.core.api.base import ApiError

    own = api.on_exception(_api_request(), ApiError(409, "duplicate", "该文号已被使用。"))
    assert (own.status_code, json.loads(own.content)) == (409, {"code": "duplicate", "message": "该文号已被使用。"})
    ninja_own = api.on_exception(_api_request(), HttpError(400, "Cannot parse request body"))
    assert ninja_own.status_code == 400
    assert json.loads(ninja_own.content) == {"code": "bad_request", "message": "请求无法处理，请检查后重试。"}


# ---------------------------------------------------------------------------
# /api/units
# ---------------------------------------------------------------------------
def test_given_an_operator_when_reading_another_units_record_then_404_not_found(client_of):
    client = client_of("住建局经办人")

    other = client.get("/api/units/YX-SCJG")
    missing = client.get("/api/units/NO-SUCH-UNIT")

    assert other.status_code == 404 and missing.status_code == 404
    assert other.json() == {"code": "not_found", "message": NOT_FOUND}
    assert missing.json() == other.json()  # existence is not disclosed


def test_given_an_operator_when_reading_own_unit_then_details_and_roles(client_of):
    response = client_of("住建局经办人").get("/api/units/YX-ZJJ")

    assert response.status_code == 200
    body = response.json()
    assert body["code"] == "YX-ZJJ"
    assert body["name"] == "云溪区住房和城乡建设局"
    assert body["parent"] == "YX"
    assert body["depth"] == 1
    assert body["roles"] == ["operator"]
    assert body["can_change"] is True


def test_given_a_coordinator_when_listing_units_then_the_whole_government_in_tree_order(client_of, demo_gov):
    response = client_of("司法局协调员").get("/api/units")

    assert response.status_code == 200
    units = response.json()
    assert len(units) == len(demo_gov.units)
    assert units[0] == {"code": "YX", "name": "云溪区人民政府", "short_name": "云溪区政府", "kind": "government",
                        "kind_label": "人民政府", "level": "district", "parent": None, "depth": 0}
    assert all(u["parent"] == "YX" and u["depth"] == 1 for u in units[1:])
    assert [u["code"] for u in units[1:3]] == ["YX-BGS", "YX-SFJ"]  # siblings by sort order


def test_given_an_auditor_then_units_are_readable_but_not_changeable(client_of):
    body = client_of("人大监督员").get("/api/units/YX-ZJJ").json()

    assert body["roles"] == ["auditor"]
    assert body["can_change"] is False


@pytest.mark.django_db
def test_given_a_signed_in_user_when_opening_the_api_docs_then_swagger_loads_only_local_assets(client_of):
    client = client_of("司法局协调员")
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert "/static/ninja/swagger-ui-bundle.js" in assets
    assert not any(a.startswith(("http://", "https://", "//")) for a in assets)
    assert client.get("/static/ninja/swagger-ui-bundle.js").status_code == 200
