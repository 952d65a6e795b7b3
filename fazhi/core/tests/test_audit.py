"""Audit trail: SM3 chain, append-only (ORM and database triggers), tamper detection, view logging."""
from __future__ import annotations

import hashlib
import io
import json

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from fazhi.core import audit
from fazhi.core.models import AuditChainHead, AuditRecord


# ---------------------------------------------------------------------------
# helpers: a DBA with direct database access (drops/disables the triggers, edits rows)
# ---------------------------------------------------------------------------
def disable_triggers():
    """Simulates a DBA. Inside the test's transaction, so it is undone when the test ends."""
    with connection.cursor() as c:
        if connection.vendor == "sqlite":
            for name in audit.SQLITE_TRIGGERS:
                c.execute(f"DROP TRIGGER {name}")
        else:
            # Deferred foreign-key checks of the rows just inserted must run before an ALTER TABLE.
            c.execute("SET CONSTRAINTS ALL IMMEDIATE")
            c.execute("ALTER TABLE core_auditrecord DISABLE TRIGGER core_auditrecord_append_only")
            c.execute("ALTER TABLE core_auditchainhead DISABLE TRIGGER core_auditchainhead_no_rewind")
            c.execute("SET CONSTRAINTS ALL DEFERRED")


def raw(sql: str, params=()):
    with connection.cursor() as c:
        c.execute(sql, params)


def jsonb() -> str:
    return "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"


def run_verify(*extra) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit", "verify", *extra, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def chain(demo_gov, persona):
    """Five records after the demo's own: changes by 住建局经办人 on the 住建局 unit."""
    user = persona("住建局经办人")
    unit = demo_gov.units["YX-ZJJ"]
    recs = [
        audit.record(f"sample.step{i}", actor=user, unit=unit, object_type="sample.thing", object_id=str(i),
                     object_repr=f"样例事项{i}", changes={"state": ["received", f"s{i}"], "金额": i * 100})
        for i in range(1, 6)
    ]
    return recs


# ---------------------------------------------------------------------------
# the chain itself
# ---------------------------------------------------------------------------
@pytest.mark.django_db
def test_given_records_when_appended_then_seq_is_gapless_and_each_links_to_the_previous(chain):
    records = list(AuditRecord.objects.order_by("seq"))
    assert [r.seq for r in records] == list(range(1, len(records) + 1))
    assert records[0].prev_hash == audit.GENESIS
    for before, after in zip(records, records[1:]):
        assert after.prev_hash == before.hash
    head = AuditChainHead.objects.get(pk=1)
    assert (head.last_seq, head.last_hash) == (records[-1].seq, records[-1].hash)


@pytest.mark.django_db
def test_given_openssl_with_sm3_when_recording_then_the_hash_is_sm3_of_the_canonical_payload(chain):
    rec = AuditRecord.objects.get(seq=chain[0].seq)
    assert rec.algorithm == "sm3"
    payload = audit._payload(rec)
    assert payload.startswith(b"sm3|" + rec.prev_hash.encode() + b"|")
    assert rec.hash == hashlib.new("sm3", payload).hexdigest()
    # SM3 test vector of GB/T 32905-2016 Appendix A: the library really is SM3.
    assert hashlib.new("sm3", b"abc").hexdigest() == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


@pytest.mark.django_db
def test_given_a_sha256_fallback_record_in_the_chain_when_verifying_then_it_is_checked_with_its_own_algorithm(
        chain, monkeypatch):
    monkeypatch.setattr(audit, "preferred_algorithm", lambda: "sha256")  # an OpenSSL without SM3
    fallback = audit.record("sample.fallback", changes={"说明": "无国密算法的环境"})
    monkeypatch.undo()
    audit.record("sample.after", changes={})
    assert AuditRecord.objects.get(seq=fallback.seq).algorithm == "sha256"
    assert audit.verify_chain().ok

    disable_triggers()
    raw(f"UPDATE core_auditrecord SET changes = {jsonb()} WHERE seq = %s",
        [json.dumps({"说明": "改过"}, ensure_ascii=False), fallback.seq])
    result = audit.verify_chain()
    assert not result.ok and result.broken_seq == fallback.seq


@pytest.mark.django_db
def test_given_values_that_json_cannot_hold_when_recording_then_the_chain_still_verifies_after_the_round_trip(
        demo_gov):
    import datetime as dt
    import uuid
    from decimal import Decimal

    audit.record("sample.types", unit=demo_gov.units["YX"], changes={
        "日期": dt.date(2025, 10, 8), "金额": Decimal("12.50"), "编号": uuid.UUID(int=7),
        "集合": {"b", "a"}, "元组": (1, 2), 3: "整数键", "人": demo_gov.persona("住建局经办人"),
    })
    assert audit.verify_chain().ok


@pytest.mark.django_db
def test_given_an_intact_chain_when_running_fazhi_audit_verify_then_exit_0_with_a_chinese_summary(chain):
    code, out, err = run_verify()
    total = AuditRecord.objects.count()
    assert code == 0, err
    assert out.startswith(f"审计链完整：共 {total} 条记录")
    head = AuditChainHead.objects.get(pk=1)
    assert f"链头：{head.last_seq}:{head.last_hash}" in out
    assert err == ""


@pytest.mark.django_db
def test_given_an_empty_trail_when_verifying_then_it_is_complete():
    assert audit.verify_chain().ok
    code, out, _ = run_verify()
    assert code == 0 and "审计链完整" in out


# ---------------------------------------------------------------------------
# append-only: ORM and database
# ---------------------------------------------------------------------------
@pytest.mark.django_db
def test_given_a_record_when_the_orm_tries_to_change_or_delete_it_then_it_refuses(chain):
    rec = AuditRecord.objects.get(seq=chain[2].seq)
    rec.action = "forged"
    with pytest.raises(PermissionError, match="只能追加"):
        rec.save()
    with pytest.raises(PermissionError, match="只能追加"):
        rec.delete()
    with pytest.raises(PermissionError, match="只能追加"):
        AuditRecord.objects.filter(seq=rec.seq).update(action="forged")
    with pytest.raises(PermissionError, match="只能追加"):
        AuditRecord.objects.filter(seq=rec.seq).delete()
    with pytest.raises(PermissionError, match="只能追加"):
        with transaction.atomic():  # bulk_update opens its own atomic block
            AuditRecord.objects.bulk_update([rec], ["action"])
    assert AuditRecord.objects.get(seq=rec.seq).action == "sample.step3"
    assert audit.verify_chain().ok


@pytest.mark.django_db
def test_given_the_migration_triggers_when_raw_sql_updates_or_deletes_a_record_then_the_database_refuses(chain):
    assert audit.missing_triggers() == []
    seq = chain[2].seq
    with pytest.raises(DatabaseError, match="只能追加，不能修改"):
        with transaction.atomic():
            raw("UPDATE core_auditrecord SET action = 'forged' WHERE seq = %s", [seq])
    with pytest.raises(DatabaseError, match="只能追加，不能删除"):
        with transaction.atomic():
            raw("DELETE FROM core_auditrecord WHERE seq = %s", [seq])
    with pytest.raises(DatabaseError, match="不能回退"):
        with transaction.atomic():
            raw("UPDATE core_auditchainhead SET last_seq = last_seq - 1")
    assert AuditRecord.objects.filter(seq=seq, action="sample.step3").exists()
    assert audit.verify_chain().ok


# ---------------------------------------------------------------------------
# tamper detection (the triggers dropped, as a DBA could)
# ---------------------------------------------------------------------------
@pytest.mark.django_db
def test_given_a_records_changes_altered_in_the_database_when_verifying_then_it_names_that_record(chain):
    target = chain[2]
    disable_triggers()
    raw(f"UPDATE core_auditrecord SET changes = {jsonb()} WHERE seq = %s",
        [json.dumps({"state": ["received", "s3"], "金额": 30000}, ensure_ascii=False), target.seq])

    result = audit.verify_chain()
    assert not result.ok
    assert result.broken_seq == target.seq
    assert result.checked == target.seq - 1

    code, out, err = run_verify()
    assert code == 1 and out == ""
    when = f"{timezone.localtime(target.at):%Y-%m-%d %H:%M:%S}"
    assert f"第 {target.seq} 号审计记录（{when}，sample.step3）的内容已被篡改" in err


@pytest.mark.django_db
def test_given_a_middle_record_deleted_when_verifying_then_it_names_the_missing_seq_and_its_neighbours(chain):
    gone, before, after = chain[2], chain[1], chain[3]
    disable_triggers()
    raw("DELETE FROM core_auditrecord WHERE seq = %s", [gone.seq])

    code, _out, err = run_verify()
    assert code == 1
    assert f"第 {gone.seq} 号审计记录缺失（已被删除）" in err
    assert f"第 {before.seq} 号（" in err and f"sample.step2）与第 {after.seq} 号（" in err
    assert audit.verify_chain().broken_seq == gone.seq


@pytest.mark.django_db
def test_given_the_last_record_deleted_when_verifying_then_the_truncated_tail_is_named(chain):
    last = chain[-1]
    disable_triggers()
    raw("DELETE FROM core_auditrecord WHERE seq = %s", [last.seq])

    result = audit.verify_chain()
    assert not result.ok and result.broken_seq == last.seq
    code, _out, err = run_verify()
    assert code == 1
    assert f"第 {last.seq} 号及以后的审计记录缺失（已被删除）" in err
    assert f"现存最后一条为第 {last.seq - 1} 号" in err


@pytest.mark.django_db
def test_given_the_tail_deleted_and_the_head_rewound_when_verifying_with_an_external_anchor_then_it_is_caught(chain):
    last = chain[-1]
    anchor = f"{last.seq}:{last.hash}"
    assert run_verify("--anchor", anchor)[0] == 0
    disable_triggers()
    raw("DELETE FROM core_auditrecord WHERE seq = %s", [last.seq])
    raw("UPDATE core_auditchainhead SET last_seq = %s, last_hash = %s", [last.seq - 1, chain[-2].hash])
    assert audit.verify_chain().ok  # the chain alone cannot tell: that is what the anchor is for
    code, _out, err = run_verify("--anchor", anchor)
    assert code == 1 and f"外部锚点记载的第 {last.seq} 号审计记录已不存在" in err


@pytest.mark.django_db
def test_given_two_records_swapped_when_verifying_then_the_first_out_of_order_record_is_named(chain):
    a, b = chain[1], chain[2]
    disable_triggers()
    raw("UPDATE core_auditrecord SET seq = 999999 WHERE seq = %s", [a.seq])
    raw("UPDATE core_auditrecord SET seq = %s WHERE seq = %s", [a.seq, b.seq])
    raw("UPDATE core_auditrecord SET seq = %s WHERE seq = 999999", [b.seq])

    result = audit.verify_chain()
    assert not result.ok and result.broken_seq == a.seq
    assert "前序摘要与上一条不符" in result.message or "篡改" in result.message


@pytest.mark.django_db
def test_given_a_forged_row_inserted_beyond_the_head_when_verifying_then_it_is_reported(chain):
    last = AuditRecord.objects.order_by("-seq").first()
    forged = AuditRecord(seq=last.seq + 1, at=timezone.now(), actor_name="系统", action="forged",
                         algorithm="sm3", prev_hash=last.hash)
    forged.hash = audit.record_hash(forged)
    forged.save()  # bypasses record(): the head is not advanced
    result = audit.verify_chain()
    assert not result.ok and result.broken_seq == last.seq + 1
    assert "不在链头记载的范围内" in result.message


@pytest.mark.django_db
def test_given_the_triggers_dropped_but_the_chain_intact_when_verifying_then_it_fails_naming_the_triggers(chain):
    disable_triggers()
    code, _out, err = run_verify()
    assert code == 1
    assert "防篡改触发器缺失或被停用" in err
    assert "core_auditrecord" in err


# ---------------------------------------------------------------------------
# personal information views, show command
# ---------------------------------------------------------------------------
@pytest.mark.django_db
def test_given_a_user_viewing_a_record_with_personal_data_when_logged_then_actor_and_object_are_recorded(
        demo_gov, persona):
    viewer = persona("司法局协调员")
    applicant_holder = persona("住建局经办人")  # a User is a record holding personal information
    rec = audit.log_view(viewer, applicant_holder, what="查看申请人身份证号")
    stored = AuditRecord.objects.get(seq=rec.seq)
    assert stored.action == "view_personal_data"
    assert stored.actor_id == viewer.pk and stored.actor_name == "林思远"
    assert (stored.object_type, stored.object_id) == ("core.user", str(applicant_holder.pk))
    assert stored.changes == {"查看": "查看申请人身份证号"}
    assert audit.verify_chain().ok


@pytest.mark.django_db
def test_given_a_unit_as_the_object_when_recording_then_the_record_belongs_to_that_unit(demo_gov):
    unit = demo_gov.units["YX-QS"]
    rec = audit.record("unit.rename", obj=unit, changes={"name": ["旧名", unit.name]})
    assert rec.unit_id == unit.pk and rec.actor_name == "系统"


@pytest.mark.django_db
def test_given_records_of_an_object_when_running_audit_show_then_they_are_listed_in_chinese(chain):
    out = io.StringIO()
    call_command("audit", "show", "--object", "sample.thing:3", stdout=out)
    text = out.getvalue()
    assert f"#{chain[2].seq}" in text and "王晓燕" in text and "金额：300" in text
    assert "样例事项1" not in text and f"#{chain[0].seq} " not in text

    out = io.StringIO()
    call_command("audit", "show", "--object", "sample.thing:3", "--json", stdout=out)
    rows = json.loads(out.getvalue())
    assert [r["seq"] for r in rows] == [chain[2].seq]


@pytest.mark.django_db
def test_given_a_malformed_object_when_running_audit_show_then_a_chinese_error():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="对象格式无效"):
        call_command("audit", "show", "--object", "sample.thing")
    with pytest.raises(CommandError, match="锚点格式无效"):
        call_command("audit", "verify", "--anchor", "abc")
