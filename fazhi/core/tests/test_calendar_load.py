"""Loading a year's holiday arrangement: file formats, validation, atomicity, `fazhi calendar`."""
import datetime as dt
import hashlib
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from fazhi.core import calendar_io, calendar_services
from fazhi.core.calendar_io import CalendarFileError
from fazhi.core.deadlines import simple_deadline
from fazhi.core.models import AuditRecord, CalendarDay, CalendarYear
from fazhi.core.workdays import get_calendar

D = dt.date.fromisoformat
EXAMPLE_2027 = Path(settings.PROJECT_DIR) / "docs/examples/calendar-2027-example.txt"


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write(tmp_path, name: str, content: str, encoding="utf-8") -> str:
    path = tmp_path / name
    path.write_bytes(content.encode(encoding))
    return str(path)


# --- parsing (no database) ----------------------------------------------------------------------
def test_given_the_example_file_when_parsed_then_it_is_one_clean_year():
    parsed = calendar_io.parse(EXAMPLE_2027.read_text(encoding="utf-8"), EXAMPLE_2027.name)
    assert (parsed.errors, parsed.year) == ([], 2027)
    assert (parsed.count("holiday"), parsed.count("workday")) == (29, 6)
    assert parsed.days[D("2027-02-09")] == ("holiday", "春节")
    assert parsed.days[D("2027-02-20")] == ("workday", "春节调休")
    assert parsed.days[D("2027-04-04")] == ("holiday", "清明节")  # "至" range


@pytest.mark.parametrize("line", [
    "2027-02-05~2027-02-06 holiday 春节", "2027-02-05 至 2027-02-06 假 春节", "2027-02-05～2027-02-06 休息",
    "2027-02-05~2027-02-06\t放假\t春节  # 注释",
])
def test_given_any_accepted_spelling_of_a_holiday_range_then_it_is_read(line):
    parsed = calendar_io.parse(line)
    assert parsed.errors == [] and sorted(parsed.days) == [D("2027-02-05"), D("2027-02-06")]
    assert {kind for kind, _ in parsed.days.values()} == {"holiday"}


@pytest.mark.parametrize("text, expected", [
    ("2027-02-30 休 春节", "第 1 行：日期 2027-02-30 不存在"),
    ("2027-2-3x 休", "第 1 行：“2027-2-3x”不是日期"),
    ("2027-02-08 班 春节调休", "第 1 行：2027-02-08 是星期一，调休上班日必须是星期六或星期日"),
    ("2027-02-05~2027-02-06 休 春节\n2027-02-06 班 春节", "第 2 行：2027-02-06 在第 1 行已列为法定节假日（休息），不能同时是调休上班"),
    ("2027-02-05 休 春节\n2026-10-01 休 国庆节", "第 2 行：日期 2026-10-01 不属于第 1 行确定的 2027 年"),
    ("2027-03-01 放羊 春节", "第 1 行：类型“放羊”无法识别"),
    ("\n# 只有注释\n2027-03-01", "第 3 行：缺少类型"),
    ("2027-02-13~2027-02-05 休", "第 1 行：区间 2027-02-13~2027-02-05 的结束日早于开始日"),
    ("2027-01-01~2027-03-01 休", "超过 31 天"),
    ("# 空文件\n", "文件中没有任何日期"),
])
def test_given_a_bad_line_then_it_is_reported_with_its_number_and_reason(text, expected):
    errors = [str(e) for e in calendar_io.parse(text).errors]
    assert any(expected in e for e in errors), errors


def test_given_several_bad_lines_then_every_one_is_reported():
    text = "2027-02-30 休\n2027-02-05 休 春节\n2027-02-08 班\n2027-03-01 放羊\n"
    assert [e.line for e in calendar_io.parse(text).errors] == [1, 3, 4]


def test_given_a_csv_file_with_header_then_columns_are_read():
    text = "日期或起止日期,类型,名称\n2027-02-05~2027-02-13,休,春节\n2027-02-20,workday,春节调休\n"
    parsed = calendar_io.parse(text, "notice.csv")
    assert parsed.errors == [] and (parsed.count("holiday"), parsed.count("workday")) == (9, 1)


# --- loading --------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_given_the_2027_example_when_loaded_by_command_then_the_year_exists_and_is_audited():
    out, err = run("calendar", "load", str(EXAMPLE_2027))
    assert err == ""
    assert "2027 年" in out and "法定节假日 29 天" in out and "调休上班日 6 天" in out
    year = CalendarYear.objects.get(year=2027)
    digest = hashlib.sha256(EXAMPLE_2027.read_bytes()).hexdigest()[:16]
    assert year.source == f"calendar-2027-example.txt（SHA-256 {digest}）"
    assert CalendarDay.objects.filter(date__year=2027, source=year.source).count() == 35
    record = AuditRecord.objects.get(action="calendar.load")
    assert record.changes["holidays"] == [0, 29] and record.changes["workdays"] == [0, 6]
    # The cache was invalidated: 2027 now counts its holidays and no longer warns.
    out2027 = simple_deadline(get_calendar(), D("2027-01-29"), "10wd")
    # 01-31 (make-up Sunday), 02-01..02-04, then past the Spring Festival 02-05..02-13: 02-15..02-19.
    assert (out2027.due, out2027.warnings) == (D("2027-02-19"), [])


@pytest.mark.django_db
def test_given_a_loaded_year_when_a_new_file_is_loaded_then_it_replaces_the_year(tmp_path):
    run("calendar", "load", str(EXAMPLE_2027))
    out, _ = run("calendar", "load", write(tmp_path, "notice-2027-v2.txt", "2027-02-06~2027-02-12 休 春节\n"))
    assert "原有数据（节假日 29 天、调休上班日 6 天）已被替换" in out
    assert sorted(CalendarDay.objects.filter(date__year=2027).values_list("date", flat=True)) == \
        [D("2027-02-06") + dt.timedelta(days=i) for i in range(7)]
    assert CalendarYear.objects.get(year=2027).source.startswith("notice-2027-v2.txt")


@pytest.mark.django_db
def test_given_a_file_with_errors_then_each_goes_to_stderr_and_nothing_is_loaded(tmp_path):
    path = write(tmp_path, "bad-2027.txt", "2027-02-05~2027-02-13 休 春节\n2027-02-30 休\n2027-02-08 班 调休\n")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="3 处错误，未载入任何数据"):
        call_command("calendar", "load", path, stdout=out, stderr=err)
    assert out.getvalue() == ""
    assert "第 2 行：日期 2027-02-30 不存在" in err.getvalue()
    assert "第 3 行：2027-02-08 是星期一" in err.getvalue()
    assert "第 3 行：2027-02-08 在第 1 行已列为法定节假日（休息）" in err.getvalue()
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert not CalendarDay.objects.filter(date__year=2027).exists()
    assert not AuditRecord.objects.filter(action="calendar.load").exists()


@pytest.mark.django_db
def test_given_a_failure_during_the_load_then_the_existing_year_is_untouched(monkeypatch):
    """Atomic: if anything fails after the old rows were deleted, they come back."""
    before = sorted(CalendarDay.objects.filter(date__year=2026).values_list("date", "kind", "name", "source"))
    parsed = calendar_io.parse("2026-02-16 休 春节\n")

    def boom(**kwargs):
        raise RuntimeError("recompute failed")

    monkeypatch.setattr(calendar_services.clocks, "recompute_open_clocks", boom)
    with pytest.raises(RuntimeError):
        calendar_services.load_parsed(parsed, "partial.txt")
    assert sorted(CalendarDay.objects.filter(date__year=2026).values_list("date", "kind", "name", "source")) == before
    # …and the process cache does not hold the rolled-back days either.
    assert get_calendar().is_workday(D("2026-02-14"))  # the real make-up Saturday


@pytest.mark.django_db
def test_given_a_gb18030_csv_from_excel_when_loaded_then_it_works(tmp_path):
    text = "日期或起止日期,类型,名称\r\n2027-10-01~2027-10-07,休,国庆节\r\n2027-10-09,班,国庆节调休\r\n"
    out, _ = run("calendar", "load", write(tmp_path, "2027国庆.csv", text, encoding="gb18030"))
    assert "法定节假日 7 天，调休上班日 1 天" in out
    assert CalendarDay.objects.get(date=D("2027-10-09")).name == "国庆节调休"


@pytest.mark.django_db
def test_given_a_missing_file_then_a_chinese_error():
    with pytest.raises(CommandError, match="找不到文件"):
        run("calendar", "load", "/nonexistent/2027.txt")


def test_given_an_oversize_file_then_it_is_refused_before_parsing():
    with pytest.raises(CalendarFileError, match="文件过大"):
        calendar_services.load_file(b"#" * (calendar_io.MAX_FILE_BYTES + 1), "huge.txt")


# --- show -----------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_given_2025_when_shown_then_holidays_and_make_up_days_are_listed_in_the_load_format():
    out, err = run("calendar", "show", "2025")
    assert err == ""
    assert "2025-01-28~2025-02-04 休 春节" in out
    assert "2025-05-01~2025-05-05 休 劳动节" in out
    assert "2025-04-27 班 劳动节  # 星期日" in out
    assert "2025-10-11 班 国庆节  # 星期六" in out
    # The output is a loadable file describing exactly the stored year.
    parsed = calendar_io.parse(out)
    stored = {d: k for d, k in CalendarDay.objects.filter(date__year=2025).values_list("date", "kind")}
    assert parsed.errors == [] and {d: k for d, (k, _) in parsed.days.items()} == stored


@pytest.mark.django_db
def test_given_a_year_without_data_when_shown_then_it_says_so():
    out, _ = run("calendar", "show", "2027")
    assert "2027年尚无节假日安排数据" in out


@pytest.mark.django_db
@pytest.mark.parametrize("args, fragment", [(("calendar",), "请指定操作"), (("calendar", "show", "二〇二七"), "年份无效")])
def test_given_bad_calendar_arguments_then_a_chinese_error(args, fragment):
    with pytest.raises(CommandError, match=fragment):
        run(*args)
