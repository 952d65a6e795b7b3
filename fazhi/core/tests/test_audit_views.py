"""The audit log page: who may open it, what each sees, the filters and the chain-check button."""
from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fazhi.core import audit
from fazhi.core.models import AuditRecord, Membership, Role, Unit, User

from .test_audit import disable_triggers, raw

LOG = "/audit/"


@pytest.fixture
def records(demo_gov, persona):
    zjj = demo_gov.units["YX-ZJJ"]
    return {
        "zjj": audit.record("sample.accept", actor=persona("住建局经办人"), unit=zjj, object_type="sample.thing",
                            object_id="41", object_repr="住建局第41号事项", changes={"state": ["received", "accepted"]}),
        "qs": audit.record("sample.accept", actor=persona("青石街道经办人"), unit=demo_gov.units["YX-QS"],
                           object_type="sample.thing", object_id="42", object_repr="青石街道第42号事项"),
        "system": audit.record("login_failed", object_type="core.user", object_repr="nobody",
                               changes={"用户名": "nobody"}),
    }


@pytest.fixture
def other_government_coordinator(db):
    gov = Unit.objects.create(code="LS", name="柳山县人民政府", kind=Unit.Kind.GOVERNMENT)
    user = User.objects.create_user("ls_coordinator", password="Liushan@2026demo", display_name="柳山协调员")
    Membership.objects.create(user=user, unit=gov, role=Role.COORDINATOR)
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["人大监督员", "司法局协调员", "系统管理员"])
def test_given_a_government_wide_role_when_opening_the_audit_log_then_every_units_records_are_listed(
        records, client_of, who):
    response = client_of(who).get(LOG)
    assert response.status_code == 200
    page = response.content.decode()
    assert "住建局第41号事项" in page and "青石街道第42号事项" in page
    assert "登录失败" in page  # a system record, labelled in Chinese
    assert "received → accepted" in page


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["住建局经办人", "住建局负责人", "法律顾问"])
def test_given_an_operator_leader_or_advisor_when_opening_the_audit_log_then_403(records, client_of, who):
    response = client_of(who).get(LOG)
    assert response.status_code == 403
    assert "住建局第41号事项" not in response.content.decode()


@pytest.mark.django_db
def test_given_a_coordinator_of_another_government_when_opening_the_log_then_our_units_records_are_hidden(
        records, other_government_coordinator):
    response = other_government_coordinator.get(LOG)
    assert response.status_code == 200
    page = response.content.decode()
    assert "住建局第41号事项" not in page and "青石街道第42号事项" not in page


@pytest.mark.django_db
def test_given_filters_when_listing_then_only_matching_records_are_shown(records, client_of):
    client = client_of("人大监督员")
    page = client.get(LOG, {"object": "sample.thing:41"}).content.decode()
    assert "住建局第41号事项" in page and "青石街道第42号事项" not in page

    page = client.get(LOG, {"actor": "qingshi_operator"}).content.decode()
    assert "青石街道第42号事项" in page and "住建局第41号事项" not in page

    page = client.get(LOG, {"unit": "YX-ZJJ"}).content.decode()
    assert "住建局第41号事项" in page and "青石街道第42号事项" not in page

    page = client.get(LOG, {"action": "登录失败"}).content.decode()
    assert "nobody" in page and "住建局第41号事项" not in page

    today = timezone.localdate()
    page = client.get(LOG, {"date_from": today.isoformat(), "date_to": today.isoformat()}).content.decode()
    assert "住建局第41号事项" in page
    yesterday = today - dt.timedelta(days=1)
    page = client.get(LOG, {"date_to": yesterday.isoformat()}).content.decode()
    assert "住建局第41号事项" not in page and "没有符合条件的审计记录" in page


@pytest.mark.django_db
def test_given_a_date_that_does_not_exist_when_filtering_then_400_with_a_chinese_message(records, client_of):
    response = client_of("人大监督员").get(LOG, {"date_from": "2025-02-29"})
    assert response.status_code == 400
    assert "起始日期“2025-02-29”无效" in response.content.decode()


@pytest.mark.django_db
def test_given_an_auditor_when_pressing_verify_then_the_chain_is_reported_complete_and_the_check_is_audited(
        records, client_of, persona):
    client = client_of("人大监督员")
    assert "校验审计链" in client.get(LOG).content.decode()
    response = client.post(reverse("core:audit_verify"), follow=True)
    assert response.status_code == 200
    assert "审计链完整" in response.content.decode()
    rec = AuditRecord.objects.get(action="audit.verify")
    assert rec.actor_id == persona("人大监督员").pk and rec.changes["结果"] == "通过"


@pytest.mark.django_db
def test_given_a_tampered_record_when_an_admin_presses_verify_then_the_page_names_it(records, client_of):
    disable_triggers()
    raw("UPDATE core_auditrecord SET object_repr = '被改过' WHERE seq = %s", [records["qs"].seq])
    response = client_of("系统管理员").post(reverse("core:audit_verify"), follow=True)
    page = response.content.decode()
    assert f"第 {records['qs'].seq} 号审计记录" in page and "已被篡改" in page


@pytest.mark.django_db
def test_given_a_coordinator_when_posting_verify_then_403_and_the_button_is_not_shown(records, client_of):
    client = client_of("司法局协调员")
    assert "校验审计链</button>" not in client.get(LOG).content.decode()
    assert client.post(reverse("core:audit_verify")).status_code == 403
    assert not AuditRecord.objects.filter(action="audit.verify").exists()
