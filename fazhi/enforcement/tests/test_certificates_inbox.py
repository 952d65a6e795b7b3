"""证件到期提醒: certificates expiring within 60 days, or expired but still marked valid, scoped by unit."""
import datetime as dt

import pytest

from fazhi.core import clocks
from fazhi.enforcement.models import Body, Certificate, Officer

from .conftest import D

ON = D(2025, 6, 3)


@pytest.fixture
def certs(demo_gov):
    zjj, scjg = demo_gov.units["YX-ZJJ"], demo_gov.units["YX-SCJG"]
    body = Body.objects.create(unit=zjj, code="ZJJ", name="云溪区住房和城乡建设局")
    made = {}

    def cert(number, unit, name, valid_to, status=Certificate.Status.VALID):
        o = Officer.objects.create(unit=unit, body=body if unit == zjj else None, name=name)
        made[number] = Certificate.objects.create(officer=o, number=number, issuer="云州市人民政府",
                                                  valid_from=D(2021, 7, 1), valid_to=valid_to, status=status)

    cert("ZF-30D", zjj, "王三十", D(2025, 7, 3))                 # 30 days after ON
    cert("ZF-2Y", zjj, "李两年", D(2027, 6, 3))                  # valid for two more years
    cert("ZF-60D", zjj, "周六十", D(2025, 8, 2))                 # exactly the 60th day: still listed
    cert("ZF-61D", zjj, "吴六一", D(2025, 8, 3))                 # the 61st day: not yet
    cert("ZF-OLD", zjj, "郑过期", D(2025, 5, 1))                 # expired, still marked valid
    cert("ZF-DONE", zjj, "孙注销", D(2025, 6, 20), Certificate.Status.REVOKED)  # no longer in use
    cert("SJ-30D", scjg, "赵市监", D(2025, 7, 1))                # another unit's
    return made


def test_given_certificates_when_the_unit_reads_the_expiry_list_then_it_shows_only_its_own_due_ones(
        certs, client_of):
    page = client_of("住建局经办人").get("/enforcement/certificates/expiring/", {"on": "2025-06-03"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "ZF-30D" in text and "还有 30 天到期" in text
    assert "ZF-60D" in text
    assert "ZF-OLD" in text and "已过期，仍登记为有效" in text
    for absent in ("ZF-2Y", "ZF-61D", "ZF-DONE", "SJ-30D"):
        assert absent not in text, absent


def test_given_certificates_when_the_coordinator_reads_the_expiry_list_then_every_unit_is_included(
        certs, client_of):
    text = client_of("司法局协调员").get("/enforcement/certificates/expiring/", {"on": "2025-06-03"}).content.decode()
    assert "ZF-30D" in text and "SJ-30D" in text and "ZF-2Y" not in text


def test_given_the_api_when_asked_for_expiring_certificates_then_the_same_rule_and_scope_apply(certs, client_of):
    data = client_of("市监局经办人").get("/api/enforcement/certificates/expiring", {"on": "2025-06-03"}).json()
    assert [(c["number"], c["expired"]) for c in data] == [("SJ-30D", False)]
    data = client_of("住建局经办人").get("/api/enforcement/certificates/expiring", {"on": "2025-06-03"}).json()
    assert [c["number"] for c in data] == ["ZF-OLD", "ZF-30D", "ZF-60D"]


def test_given_a_bad_date_when_reading_the_expiry_list_then_today_is_used_with_a_chinese_notice(certs, client_of):
    text = client_of("住建局经办人").get("/enforcement/certificates/expiring/", {"on": "2025-02-30"}).content.decode()
    assert "日期无效" in text


def test_given_a_certificate_expiring_soon_when_the_overview_is_read_then_it_is_in_the_reminder_section(
        demo_gov, client_of):
    # The overview always uses today; the certificate is placed relative to it.
    today = clocks.today()
    o = Officer.objects.create(unit=demo_gov.units["YX-ZJJ"], name="冯临期")
    Certificate.objects.create(officer=o, number="ZF-SOON", issuer="云州市人民政府", valid_from=D(2021, 1, 1),
                               valid_to=today + dt.timedelta(days=30))
    Certificate.objects.create(officer=o, number="ZF-LATER", issuer="云州市人民政府", valid_from=D(2021, 1, 1),
                               valid_to=today + dt.timedelta(days=730))
    text = client_of("住建局经办人").get("/enforcement/").content.decode()
    assert "证件到期提醒" in text and "ZF-SOON" in text and "ZF-LATER" not in text
    assert "ZF-SOON" not in client_of("市监局经办人").get("/enforcement/").content.decode()


def test_given_expiring_certificates_then_the_core_inbox_reminds_their_unit_only(certs, persona, client_of):
    from fazhi.core.inbox import reminders_for

    labels = " ".join(r.label for r in reminders_for(persona("住建局经办人"), on=ON))
    assert "ZF-30D" in labels and "ZF-60D" in labels and "ZF-OLD" in labels
    assert "ZF-2Y" not in labels and "ZF-61D" not in labels and "ZF-DONE" not in labels and "SJ-30D" not in labels
    old = next(r for r in reminders_for(persona("住建局经办人"), on=ON) if "ZF-OLD" in r.label)
    assert old.overdue and old.due == D(2025, 5, 1)
    other = " ".join(r.label for r in reminders_for(persona("市监局经办人"), on=ON))
    assert "SJ-30D" in other and "ZF-30D" not in other
    # The page shows the reminders section (relative to today, so only the expired one is certain).
    page = client_of("住建局经办人").get("/inbox/").content.decode()
    assert "到期提醒" in page and "ZF-OLD" in page
