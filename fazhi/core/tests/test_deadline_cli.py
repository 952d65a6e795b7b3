"""`fazhi deadline START SPEC [--extend SPEC] [--pause FROM:TO ...]`: stdout, stderr and exit codes."""
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db
FAZHI = Path(sys.executable).parent / "fazhi"


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("deadline", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_given_the_issue_example_then_stdout_is_the_date_alone_and_stderr_is_empty():
    assert run("2025-09-26", "20wd") == ("2025-10-30\n", "")


def test_given_calendar_days_ending_on_a_holiday_then_the_next_working_day():
    assert run("2025-09-01", "30d")[0] == "2025-10-09\n"


def test_given_repeated_pauses_and_extensions_then_all_apply():
    out, err = run("2025-09-26", "20wd", "--extend", "1wd", "--extend", "1wd",
                   "--pause", "2025-10-09:2025-10-10", "--pause", "2025-10-20:2025-10-20")
    assert (out, err) == ("2025-11-06\n", "")


def test_given_several_pauses_after_one_flag_then_all_apply():
    assert run("2025-09-26", "22wd", "--pause", "2025-10-09:2025-10-10", "2025-10-20:2025-10-20")[0] == "2025-11-06\n"


def test_given_a_year_without_data_then_the_date_is_on_stdout_and_the_warning_on_stderr():
    out, err = run("2026-12-20", "20wd")
    assert out == "2027-01-15\n"
    assert err.startswith("警告：2027年的法定节假日安排尚未载入日历")


def test_given_explain_then_further_lines_name_the_rule_and_the_skipped_days():
    lines = run("2025-09-26", "20wd", "--explain")[0].splitlines()
    assert lines[0] == "2025-10-30"
    assert any("第八十八条" in line for line in lines)
    assert "2025-10-11（星期六）调休上班 国庆节" in lines
    assert "2025-10-01（星期三）放假 国庆节" in lines


@pytest.mark.parametrize("args, fragment", [
    (("2025-09-26", "20x"), "无法识别的期限写法"),
    (("2025-02-30", "20wd"), "日期不存在：“2025-02-30”"),
    (("2025/09/26", "20wd"), "日期格式无效"),
    (("2025-09-26", "20wd", "--pause", "2025-11-05:2025-11-06"), "不在期限之内"),
    (("2025-09-26", "20wd", "--pause", "2025-10-09"), "中止期间格式无效"),
    (("2025-09-26", "20wd", "--extend", "5d"), "须与原期限"),
])
def test_given_bad_input_then_a_chinese_command_error_and_nothing_on_stdout(args, fragment):
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match=fragment):
        call_command("deadline", *args, stdout=out, stderr=err)
    assert out.getvalue() == ""


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory):
    """A migrated throw-away SQLite database for the real console script."""
    db = tmp_path_factory.mktemp("cli") / "fazhi.sqlite3"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(FAZHI_ENV="test", FAZHI_SQLITE_PATH=str(db), PYTHONPATH=str(settings.PROJECT_DIR))
    subprocess.run([str(FAZHI), "migrate", "--no-input", "-v", "0"], env=env, check=True, timeout=300,
                   cwd=settings.PROJECT_DIR)
    return env


def fazhi(env, *args):
    return subprocess.run([str(FAZHI), *args], env=env, capture_output=True, text=True, timeout=120,
                          cwd=settings.PROJECT_DIR)


def test_given_the_console_script_then_stdout_stderr_and_exit_codes_are_separate(cli_env):
    ok = fazhi(cli_env, "deadline", "2025-09-26", "20wd")
    assert (ok.returncode, ok.stdout, ok.stderr) == (0, "2025-10-30\n", "")

    warned = fazhi(cli_env, "deadline", "2026-12-20", "20wd")
    assert (warned.returncode, warned.stdout) == (0, "2027-01-15\n")
    assert "2027年" in warned.stderr

    bad = fazhi(cli_env, "deadline", "2025-02-30", "20wd")
    assert bad.returncode == 1 and bad.stdout == ""
    assert bad.stderr.strip() == "错误：日期不存在：“2025-02-30”。请检查年、月、日是否正确。"
