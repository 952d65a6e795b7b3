"""Import, re-import, bad input, the command, the pages, compare and the Excel export."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from fazhi.benchmark import services
from fazhi.benchmark.accuracy import SEED_DIR
from fazhi.benchmark.models import Fact, Report
from fazhi.benchmark.text import ReportInputError
from fazhi.core.models import AuditRecord

SEED_002 = SEED_DIR / "002_3ed9f38cde86c434.txt"
SEED_004 = SEED_DIR / "004_9e406318b9223388.txt"


@pytest.fixture
def gov(demo_gov):
    return demo_gov.units["YX"]


def test_given_a_report_when_imported_then_original_facts_and_audit_are_stored(gov, persona):
    user = persona("司法局协调员")
    data = SEED_002.read_bytes()
    result = services.import_file(data, "baoan.txt", unit=gov, user=user)
    r = result.report
    assert result.created and bytes(r.original) == data and len(r.sha256) == 64
    assert (r.region, r.level, r.year, r.unit) == ("深圳市宝安区", "district", 2023, gov)
    assert r.facts.filter(metric="reconsideration.concluded").get().value == 437
    assert r.checks[0]["ok"] is True
    rec = AuditRecord.objects.filter(action="benchmark.import").get()
    assert rec.object_id == str(r.pk) and rec.actor == user


def test_given_the_same_file_when_imported_again_then_nothing_changes(gov, persona):
    user = persona("司法局协调员")
    data = SEED_004.read_bytes()
    first = services.import_file(data, "pds.txt", unit=gov, user=user)
    counts = (Report.objects.count(), Fact.objects.count(), AuditRecord.objects.count())
    again = services.import_file(data, "renamed.txt", unit=gov, user=user)
    assert not again.created and again.report.pk == first.report.pk and again.report.filename == "pds.txt"
    assert (Report.objects.count(), Fact.objects.count(), AuditRecord.objects.count()) == counts
    assert "未作任何更改" in again.message


@pytest.mark.parametrize("data", [b"", b"\x00\x01\x02binary" * 50,
                                  "<html><body><ul><li>首页</li><li>政务公开</li></ul>404 页面不存在</body></html>".encode()])
def test_given_bad_input_when_imported_then_a_message_and_nothing_half_imported(gov, data):
    audit_before = AuditRecord.objects.count()
    with pytest.raises(ReportInputError) as exc:
        services.import_file(data, "bad.html", unit=gov)
    assert str(exc.value)
    assert Report.objects.count() == 0 and Fact.objects.count() == 0 and AuditRecord.objects.count() == audit_before


def test_given_an_auditor_when_importing_then_refused(gov, persona):
    with pytest.raises(PermissionError):
        services.import_file(SEED_002.read_bytes(), "x.txt", unit=gov, user=persona("人大监督员"))
    assert Report.objects.count() == 0


def test_given_files_when_the_import_command_runs_then_good_ones_are_imported_and_bad_ones_reported(gov, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command("benchmark", "import", str(SEED_002), str(empty), stdout=out, stderr=err)
    assert "已导入" in out.getvalue() and "文件为空" in err.getvalue()
    assert Report.objects.count() == 1
    out = io.StringIO()
    call_command("benchmark", "import", str(SEED_002), stdout=out)
    assert "未作任何更改" in out.getvalue() and Report.objects.count() == 1


def test_given_a_file_when_extract_json_runs_then_it_prints_the_facts_and_stores_nothing(db):
    out = io.StringIO()
    call_command("benchmark", "extract", str(SEED_004), "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert set(data) == {"region", "level", "year", "facts"}
    assert (data["region"], data["level"], data["year"]) == ("平顶山市", "city", 2020)
    assert {"metric": "reconsideration.received", "value": 98, "unit": "件", "approx": False,
            "quote": "市政府全年收到行政復議申請98件"} in data["facts"]
    assert Report.objects.count() == 0


def test_given_a_missing_file_when_extract_runs_then_a_chinese_error(db):
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("benchmark", "extract", "/nonexistent/report.txt")


# --- pages ------------------------------------------------------------------
def test_given_a_coordinator_when_uploading_then_the_report_is_listed_and_shown(client_of, gov):
    client = client_of("司法局协调员")
    upload = SimpleUploadedFile("baoan.txt", SEED_002.read_bytes(), content_type="text/plain")
    empty = SimpleUploadedFile("empty.txt", b"", content_type="text/plain")
    response = client.post("/benchmark/upload/", {"files": [upload, empty]}, follow=True)
    page = response.content.decode()
    assert response.status_code == 200 and "深圳市宝安区" in page and "文件为空" in page
    report = Report.objects.get()
    assert report.unit == gov
    detail = client.get(report.get_absolute_url()).content.decode()
    assert "办结437宗" in detail and "与其组成部分相符" in detail and "健全行政执法工作体系" in detail


def test_given_an_operator_of_another_unit_when_opening_a_report_then_404(client_of, gov):
    report = services.import_file(SEED_002.read_bytes(), "b.txt", unit=gov).report
    assert client_of("市监局经办人").get(report.get_absolute_url()).status_code == 404
    assert "深圳市宝安区" not in client_of("市监局经办人").get("/benchmark/").content.decode()
    assert client_of("人大监督员").get(report.get_absolute_url()).status_code == 200


def test_given_reports_when_comparing_then_own_figures_sit_beside_them_with_quotes_chart_and_excel(client_of, gov):
    services.import_file(SEED_002.read_bytes(), "b.txt", unit=gov)
    services.import_file((SEED_DIR / "003_650c11a8165dddab.txt").read_bytes(), "j.txt", unit=gov)
    client = client_of("司法局协调员")
    query = ("?metric=reconsideration.concluded&metric=reconsideration.revoked&metric=clocks.concluded"
             "&year=2023&year=2021&norm=per_case")
    page = client.get("/benchmark/compare/" + query).content.decode()
    assert "深圳市宝安区" in page and "天津市蓟州区" in page and "云溪区人民政府（本系统数据）" in page
    assert "办结437宗" in page and "<svg" in page
    assert "4.35" in page  # 19 revoked ÷ 437 concluded × 100
    response = client.get("/benchmark/compare.xlsx" + query)
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    rows = list(wb["对标比较"].iter_rows(values_only=True))
    assert any(r[0] == "深圳市宝安区" and r[1] == 2023 and 437 in r for r in rows)
    assert any(r[0] == "云溪区人民政府（本系统数据）" and r[1] == 2021 for r in rows)
    assert any("办结437宗" in (r[7] or "") for r in wb["原文引文"].iter_rows(values_only=True))


def test_given_reports_when_the_compare_command_runs_then_it_prints_a_table_and_writes_excel(gov, tmp_path):
    services.import_file(SEED_004.read_bytes(), "p.txt", unit=gov)
    out = io.StringIO()
    target = tmp_path / "cmp.xlsx"
    call_command("benchmark", "compare", "--metric", "reconsideration.received", "--year", "2020",
                 "--xlsx", str(target), "--json", stdout=out)
    data = json.loads(out.getvalue().split("\n", 1)[1])
    assert data["rows"][0]["values"]["reconsideration.received"]["value"] == 98
    assert Path(target).stat().st_size > 0
    with pytest.raises(CommandError, match="请至少选择"):
        call_command("benchmark", "compare", "--metric", "no.such_metric")
