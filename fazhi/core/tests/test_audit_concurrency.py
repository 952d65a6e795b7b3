"""The audit chain stays linear when many transactions append at once (PostgreSQL)."""
from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from fazhi.core import audit
from fazhi.core.models import AuditChainHead, AuditRecord, Unit

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="并发事务需要 PostgreSQL（SQLite 整库串行写入）")


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_given_8_threads_appending_in_parallel_when_verifying_then_the_chain_is_linear_and_gapless():
    unit = Unit.objects.create(code="T-GOV", name="并发测试区人民政府", kind=Unit.Kind.GOVERNMENT)
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def work(i):
        try:
            barrier.wait(timeout=30)
            for j in range(20):
                try:
                    with transaction.atomic():
                        audit.record("sample.parallel", unit=unit, object_type="sample.thing",
                                     object_id=f"{i}-{j}", changes={"线程": i, "次序": j})
                        if j % 5 == 4:  # a failing service: its record must vanish without a gap
                            raise RuntimeError("回滚")
                except RuntimeError:
                    continue
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            errors.append(exc)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "线程未在规定时间内结束（疑似死锁）"
    assert errors == []

    seqs = list(AuditRecord.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    assert len(seqs) == 8 * 16  # every fifth transaction of each thread rolled back
    assert AuditChainHead.objects.get(pk=1).last_seq == len(seqs)
    result = audit.verify_chain()
    assert result.ok, result.message
