"""Optimistic concurrency: two people open the same matter at version 1; the second save is refused.

Through the engine, through the sample page (HTTP 409 with the Chinese message) and through the
sample API (409, code stale_version) — and in each case nothing of the second attempt is saved.
"""
import datetime as dt

import pytest
from django.db import connection

from fazhi.core.models import AuditRecord, Clock
from fazhi.core.procedure import StaleVersion, perform
from tests.sample.models import SampleMatter

D = dt.date


@pytest.fixture
def matter(demo_gov):
    return SampleMatter.objects.create(unit=demo_gov.units["YX-ZJJ"], state="draft", title="违法建设拆除复议",
                                       has_materials=True)


def state_of(matter):
    m = SampleMatter.objects.get(pk=matter.pk)
    return m.state, m.version, m.title, Clock.objects.filter(matter_id=m.pk).count(), AuditRecord.objects.count()


def transitions(matter):
    return AuditRecord.objects.filter(object_id=str(matter.pk), action__startswith="transition.").count()


def test_given_two_users_at_version_1_when_both_submit_through_the_service_then_the_second_is_refused(
        matter, persona):
    seen_by_operator = SampleMatter.objects.get(pk=matter.pk)
    seen_by_coordinator = SampleMatter.objects.get(pk=matter.pk)
    assert seen_by_operator.version == seen_by_coordinator.version == 1

    perform(seen_by_operator, "submit", persona("住建局经办人"), version=seen_by_operator.version, on=D(2025, 9, 26))
    after_first = state_of(matter)
    with pytest.raises(StaleVersion) as exc:
        perform(seen_by_coordinator, "submit", persona("司法局协调员"), version=seen_by_coordinator.version,
                on=D(2025, 9, 29))
    assert exc.value.message.startswith("该样例事项已被他人修改")
    assert state_of(matter) == after_first == ("review", 2, "违法建设拆除复议", 1, after_first[4])
    assert transitions(matter) == 1


def test_given_two_users_at_version_1_when_both_submit_through_the_page_then_the_second_sees_409(
        matter, client_of):
    operator, coordinator = client_of("住建局经办人"), client_of("司法局协调员")
    # Both open the page: the forms carry version 1.
    for c in (operator, coordinator):
        assert 'name="version" value="1"' in c.get(f"/sample/{matter.pk}/").content.decode()

    first = operator.post(f"/sample/{matter.pk}/transition/submit/", {"version": "1", "on": "2025-09-26"})
    assert first.status_code == 302 and first["Location"] == f"/sample/{matter.pk}/"
    after_first = state_of(matter)

    second = coordinator.post(f"/sample/{matter.pk}/transition/submit/", {"version": "1", "on": "2025-09-29"})
    assert second.status_code == 409
    html = second.content.decode()
    assert "该样例事项已被他人修改（您看到的是第 1 版，当前为第 2 版）" in html
    assert "本次操作未保存，请刷新页面后重试" in html
    assert 'name="version" value="2"' in html  # the page now offers the current version
    assert state_of(matter) == after_first and transitions(matter) == 1


def test_given_two_clients_at_version_1_when_both_submit_through_the_api_then_the_second_gets_stale_version(
        matter, client_of):
    url = f"/api/sample/{matter.pk}/transition/submit"
    operator, coordinator = client_of("住建局经办人"), client_of("司法局协调员")
    assert operator.get(f"/api/sample/{matter.pk}").json()["version"] == 1
    assert coordinator.get(f"/api/sample/{matter.pk}").json()["version"] == 1

    first = operator.post(url, {"version": 1, "on": "2025-09-26"}, content_type="application/json")
    assert first.status_code == 200 and first.json()["state"] == "review" and first.json()["version"] == 2
    after_first = state_of(matter)

    second = coordinator.post(url, {"version": 1, "on": "2025-09-29"}, content_type="application/json")
    assert second.status_code == 409
    body = second.json()
    assert body["code"] == "stale_version"
    assert "已被他人修改" in body["message"] and "请刷新页面后重试" in body["message"]
    assert state_of(matter) == after_first and transitions(matter) == 1


def test_given_two_users_editing_through_the_page_then_the_second_edit_is_refused_with_409(matter, client_of):
    operator, coordinator = client_of("住建局经办人"), client_of("司法局协调员")
    first = operator.post(f"/sample/{matter.pk}/edit/", {"version": "1", "title": "甲改的标题", "has_materials": "on"})
    assert first.status_code == 302
    second = coordinator.post(f"/sample/{matter.pk}/edit/", {"version": "1", "title": "乙改的标题"})
    assert second.status_code == 409
    assert "已被他人修改" in second.content.decode()
    m = SampleMatter.objects.get(pk=matter.pk)
    assert (m.title, m.has_materials, m.version) == ("甲改的标题", True, 2)


postgres_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="真正的并发事务需要 PostgreSQL（SQLite 整库串行写入）")


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_given_two_parallel_transactions_at_version_1_then_exactly_one_transition_happens(demo_gov):
    import threading

    matter = SampleMatter.objects.create(unit=demo_gov.units["YX-ZJJ"], state="draft", title="并发提交",
                                         has_materials=True)
    users = [demo_gov.persona("住建局经办人"), demo_gov.persona("司法局协调员")]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def work(user):
        try:
            barrier.wait(timeout=30)
            perform(SampleMatter.objects.get(pk=matter.pk), "submit", user, version=1, on=D(2025, 9, 26))
            result = "ok"
        except StaleVersion:
            result = "stale"
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            result = repr(exc)
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=work, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["ok", "stale"]
    m = SampleMatter.objects.get(pk=matter.pk)
    assert (m.state, m.version) == ("review", 2)
    assert Clock.objects.filter(matter_id=m.pk, name="review").count() == 1
    assert transitions(m) == 1


@pytest.mark.django_db
def test_given_a_too_long_title_when_editing_through_the_api_then_422_json_in_chinese_and_nothing_saved(demo_gov, client_of):
    import json

    from fazhi.core.services import do_create

    matter = do_create(SampleMatter, demo_gov.persona("住建局经办人"), unit=demo_gov.units["YX-ZJJ"],
                       fields={"title": "原标题"})
    response = client_of("住建局经办人").put(f"/api/sample/{matter.pk}", data=json.dumps(
        {"version": matter.version, "title": "长" * 101}), content_type="application/json")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error" and "100" in body["message"] and "title" in body["details"]
    matter.refresh_from_db()
    assert matter.title == "原标题" and matter.version == 1
