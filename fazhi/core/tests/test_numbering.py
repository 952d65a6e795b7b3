"""Document numbers (文号): GB/T 9704 format, no gaps on rollback, none under parallel transactions."""
from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from fazhi.core import audit
from fazhi.core.models import AuditRecord, DocumentSequence, IssuedNumber
from fazhi.core.numbering import NumberingError, format_number, next_number

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="并发事务需要 PostgreSQL（SQLite 整库串行写入）")


class Boom(Exception):
    pass


@pytest.mark.django_db
def test_given_a_new_sequence_when_numbers_are_issued_then_they_follow_gbt_9704(demo_gov, persona):
    gov = demo_gov.units["YX"]
    numbers = [next_number(gov, "复议决定", "云府复", year=2025, actor=persona("司法局协调员")) for _ in range(12)]
    assert numbers[0] == "云府复〔2025〕1号"
    assert numbers[8] == "云府复〔2025〕9号"  # no leading zero (不编虚位)
    assert numbers[11] == "云府复〔2025〕12号"
    assert all("第" not in n and "〔2025〕" in n for n in numbers)
    assert format_number("云府复", 2026, 3) == "云府复〔2026〕3号"


@pytest.mark.django_db
def test_given_several_units_types_and_years_when_numbering_then_each_sequence_counts_on_its_own(demo_gov):
    zjj, scjg = demo_gov.units["YX-ZJJ"], demo_gov.units["YX-SCJG"]
    assert next_number(zjj, "行政处罚决定", "云住建罚", year=2025) == "云住建罚〔2025〕1号"
    assert next_number(zjj, "行政处罚决定", "云住建罚", year=2025) == "云住建罚〔2025〕2号"
    assert next_number(zjj, "行政处罚决定", "云住建罚", year=2026) == "云住建罚〔2026〕1号"
    assert next_number(zjj, "责令改正通知", "云住建改", year=2025) == "云住建改〔2025〕1号"
    assert next_number(scjg, "行政处罚决定", "云市监罚", year=2025) == "云市监罚〔2025〕1号"
    assert DocumentSequence.objects.get(unit=zjj, year=2025, doc_type="行政处罚决定").last_number == 2


@pytest.mark.django_db
def test_given_no_year_when_numbering_then_the_current_year_in_china_is_used(demo_gov):
    year = timezone.localdate().year
    assert next_number(demo_gov.units["YX"], "通知", "云府办") == f"云府办〔{year}〕1号"


@pytest.mark.django_db
def test_given_the_callers_transaction_rolls_back_when_numbering_again_then_no_number_is_lost(demo_gov):
    gov = demo_gov.units["YX"]
    assert next_number(gov, "复议决定", "云府复", year=2025) == "云府复〔2025〕1号"
    with pytest.raises(Boom):
        with transaction.atomic():
            assert next_number(gov, "复议决定", "云府复", year=2025) == "云府复〔2025〕2号"
            raise Boom  # e.g. saving the decision failed
    assert next_number(gov, "复议决定", "云府复", year=2025) == "云府复〔2025〕2号"
    assert list(IssuedNumber.objects.order_by("number").values_list("number", flat=True)) == [1, 2]


@pytest.mark.django_db
def test_given_a_rolled_back_first_number_when_numbering_then_the_sequence_starts_at_one(demo_gov):
    gov = demo_gov.units["YX"]
    with pytest.raises(Boom):
        with transaction.atomic():
            next_number(gov, "复议决定", "云府复", year=2025)
            raise Boom
    assert not DocumentSequence.objects.exists()
    assert next_number(gov, "复议决定", "云府复", year=2025) == "云府复〔2025〕1号"


@pytest.mark.django_db
def test_given_a_numbered_document_when_issued_then_the_number_records_it_and_is_audited(demo_gov, persona):
    gov, user = demo_gov.units["YX"], persona("司法局协调员")
    target = demo_gov.units["YX-ZJJ"]  # any model instance stands for the numbered document
    text = next_number(gov, "复议决定", "云府复", year=2025, obj=target, actor=user)
    issued = IssuedNumber.objects.get(text=text)
    assert (issued.object_type, issued.object_id) == ("core.unit", str(target.pk))
    rec = AuditRecord.objects.get(action="number.issue")
    assert rec.actor_id == user.pk and rec.unit_id == gov.pk
    assert rec.changes["文号"] == [None, "云府复〔2025〕1号"]
    assert audit.verify_chain().ok


@pytest.mark.django_db
@pytest.mark.parametrize("doc_type, prefix, year, message", [
    ("复议决定", "", 2025, "机关代字"),
    ("复议决定", "云府 复", 2025, "机关代字“云府 复”无效"),
    ("复议决定", "云府复〔", 2025, "无效"),
    ("", "云府复", 2025, "文书类型"),
    ("复议决定", "云府复", 25, "年份无效"),
])
def test_given_bad_input_when_numbering_then_a_chinese_error_and_nothing_is_issued(demo_gov, doc_type, prefix,
                                                                                   year, message):
    with pytest.raises(NumberingError, match=message):
        next_number(demo_gov.units["YX"], doc_type, prefix, year=year)
    assert not IssuedNumber.objects.exists() and not DocumentSequence.objects.exists()


@pytest.mark.django_db
def test_given_two_types_sharing_a_prefix_when_their_numbers_collide_then_the_second_is_refused(demo_gov):
    zjj = demo_gov.units["YX-ZJJ"]
    assert next_number(zjj, "行政处罚决定", "云住建", year=2025) == "云住建〔2025〕1号"
    with pytest.raises(NumberingError, match="已被其他文书类型或单位使用"):
        next_number(zjj, "责令改正通知", "云住建", year=2025)
    assert IssuedNumber.objects.count() == 1


# ---------------------------------------------------------------------------
# parallel transactions (PostgreSQL)
# ---------------------------------------------------------------------------
def _run_threads(count: int, work) -> list[BaseException]:
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def runner(i):
        try:
            barrier.wait(timeout=30)
            work(i)
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            errors.append(exc)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "线程未在规定时间内结束（疑似死锁）"
    return errors


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_given_8_threads_numbering_in_parallel_transactions_then_exactly_1_to_200_without_gap_or_duplicate(demo_gov):
    unit = demo_gov.units["YX"]
    issued: list[str] = []
    lock = threading.Lock()

    def work(_i):
        for _ in range(25):
            with transaction.atomic():
                text = next_number(unit, "复议决定", "云府复", year=2025)
            with lock:
                issued.append(text)

    errors = _run_threads(8, work)
    assert errors == []
    assert sorted(issued) == sorted(f"云府复〔2025〕{n}号" for n in range(1, 201))
    numbers = sorted(IssuedNumber.objects.values_list("number", flat=True))
    assert numbers == list(range(1, 201))
    assert DocumentSequence.objects.get().last_number == 200
    assert audit.verify_chain().ok


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_given_a_thread_whose_transaction_fails_when_numbering_in_parallel_then_no_gap_is_left(demo_gov):
    unit = demo_gov.units["YX-ZJJ"]
    kept: list[str] = []
    lost: list[str] = []
    lock = threading.Lock()

    def work(i):
        for j in range(10):
            try:
                with transaction.atomic():
                    text = next_number(unit, "行政处罚决定", "云住建罚", year=2025)
                    if i == 0 and j % 2 == 0:
                        with lock:
                            lost.append(text)
                        raise Boom  # the document could not be saved: the number must come back
            except Boom:
                continue
            with lock:
                kept.append(text)

    errors = _run_threads(4, work)
    assert errors == []
    assert len(lost) == 5 and len(kept) == 35
    assert sorted(kept) == sorted(f"云住建罚〔2025〕{n}号" for n in range(1, 36))
    assert sorted(IssuedNumber.objects.values_list("number", flat=True)) == list(range(1, 36))
