"""Reading and writing a year's holiday arrangement (国务院办公厅关于某年部分节假日安排的通知).

Two formats (docs/calendar-file-format.md):

- text, one entry a line: ``2027-02-05~2027-02-12 休 春节`` or ``2027-02-20 班 春节``
  (ranges with ``~`` or ``至``; type 休/假/holiday or 班/workday; ``#`` starts a comment);
- CSV with the columns 日期或起止日期,类型,名称 (a header row is optional).

``parse`` never touches the database: it returns the days and every rejected line with its
number and a Chinese reason, so the caller can load all or nothing.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass, field

HOLIDAY = "holiday"
WORKDAY = "workday"
KIND_LABEL = {HOLIDAY: "休", WORKDAY: "班"}
KIND_NAME = {HOLIDAY: "法定节假日（休息）", WORKDAY: "调休上班"}
_KINDS = {
    "休": HOLIDAY, "假": HOLIDAY, "休息": HOLIDAY, "放假": HOLIDAY, "holiday": HOLIDAY,
    "班": WORKDAY, "上班": WORKDAY, "调休上班": WORKDAY, "workday": WORKDAY,
}
WEEKDAY = "一二三四五六日"
MAX_RANGE_DAYS = 31  # the longest arrangement so far is 9 days; a longer range is a typo
MAX_FILE_BYTES = 256 * 1024
_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
_RANGE_SEP = re.compile(r"\s*(?:~|～|至)\s*")
_RANGE_IN_LINE = re.compile(r"(\d)\s*(?:~|～|至)\s*(\d)")

# The seed (chinese-calendar package) names festivals in English; users read Chinese.
_FESTIVAL_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def festival_name(name: str) -> str:
    return _FESTIVAL_ZH.get(name, name)


def weekday_name(day: dt.date) -> str:
    return f"星期{WEEKDAY[day.weekday()]}"


@dataclass
class LineError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"第 {self.line} 行：{self.message}" if self.line else self.message


@dataclass
class ParsedCalendar:
    days: dict[dt.date, tuple[str, str]] = field(default_factory=dict)  # date → (kind, name)
    errors: list[LineError] = field(default_factory=list)
    year: int | None = None

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.days)

    def count(self, kind: str) -> int:
        return sum(1 for k, _ in self.days.values() if k == kind)


class CalendarFileError(ValueError):
    """A calendar file that cannot be loaded; ``errors`` lists every rejected line."""

    def __init__(self, errors: list[LineError] | list[str], summary: str = ""):
        self.errors = errors
        self.summary = summary or f"日历文件有 {len(errors)} 处错误，未载入任何数据。"
        super().__init__(self.summary)


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 — what Excel and WPS save on Chinese Windows."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CalendarFileError([], "文件编码无法识别，请另存为 UTF-8 编码的文本或 CSV 文件。")


def source_label(filename: str, data: bytes) -> str:
    """'calendar-2027.txt（SHA-256 3f2a…）': which file, and exactly which content, was loaded."""
    digest = hashlib.sha256(data).hexdigest()[:16]
    name = (filename or "未命名文件").replace("\\", "/").rsplit("/", 1)[-1][:120]
    return f"{name}（SHA-256 {digest}）"


def _parse_date(text: str) -> dt.date:
    text = text.strip()
    if not _DATE.match(text):
        raise ValueError(f"“{text}”不是日期，应写作 YYYY-MM-DD")
    y, m, d = (int(p) for p in text.split("-"))
    try:
        return dt.date(y, m, d)
    except ValueError:
        raise ValueError(f"日期 {text} 不存在") from None


def _dates(text: str) -> list[dt.date]:
    parts = _RANGE_SEP.split(text.strip())
    if len(parts) == 1:
        return [_parse_date(parts[0])]
    if len(parts) != 2 or not parts[0] or not parts[1]:
        raise ValueError(f"“{text}”不是有效的日期或日期区间，区间应写作 开始日~结束日")
    first, last = _parse_date(parts[0]), _parse_date(parts[1])
    if last < first:
        raise ValueError(f"区间 {first}~{last} 的结束日早于开始日")
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise ValueError(f"区间 {first}~{last} 超过 {MAX_RANGE_DAYS} 天，请检查是否写错")
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def _kind(text: str) -> str:
    kind = _KINDS.get(text.strip().lower())
    if kind is None:
        raise ValueError(f"类型“{text.strip()}”无法识别，应为 休（假、holiday）或 班（workday）")
    return kind


def _rows(text: str, is_csv: bool) -> list[tuple[int, list[str]]]:
    """(line number, [dates, type, name]) for every line that is not blank or a comment."""
    rows = []
    if is_csv:
        for number, cells in enumerate(csv.reader(io.StringIO(text)), start=1):
            cells = [c.strip() for c in cells]
            if not any(cells) or cells[0].startswith("#"):
                continue
            rows.append((number, cells))
        # An optional header row: its first cell is a column title, not a date.
        if rows and not re.match(r"^\d", rows[0][1][0]) and ("日期" in rows[0][1][0] or "date" in rows[0][1][0].lower()):
            rows = rows[1:]
        return rows
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0].replace("\u3000", " ").strip()
        if not line:
            continue
        # Normalise "2027-02-05 ~ 2027-02-12" and "2027-02-05 至 2027-02-12" to one token.
        line = _RANGE_IN_LINE.sub(r"\1~\2", line, count=1)
        rows.append((number, line.split(None, 2)))
    return rows


def looks_like_csv(filename: str, text: str) -> bool:
    if (filename or "").lower().endswith(".csv"):
        return True
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            return "," in line.split("#", 1)[0]
    return False


def parse(text: str, filename: str = "") -> ParsedCalendar:
    """Parse and validate a calendar file; every problem is reported, nothing is guessed."""
    result = ParsedCalendar()
    first_line: dict[dt.date, int] = {}
    year_line: int | None = None
    for number, cells in _rows(text, looks_like_csv(filename, text)):
        if len(cells) < 2 or not cells[1]:
            result.errors.append(LineError(number, "缺少类型，应写作“日期 类型 名称”，例如“2027-02-20 班 春节”"))
            continue
        name = cells[2].strip() if len(cells) > 2 else ""
        if len(name) > 50:
            result.errors.append(LineError(number, "名称过长（最多 50 个字）"))
            continue
        try:
            dates = _dates(cells[0])
            kind = _kind(cells[1])
        except ValueError as exc:
            result.errors.append(LineError(number, str(exc)))
            continue
        problems = []
        for day in dates:
            if result.year is None:
                result.year, year_line = day.year, number
            elif day.year != result.year:
                problems.append(f"日期 {day} 不属于第 {year_line} 行确定的 {result.year} 年；一个文件只能载入一个年度")
                break
            if kind == WORKDAY and day.weekday() < 5:
                problems.append(f"{day} 是{weekday_name(day)}，调休上班日必须是星期六或星期日")
            seen = result.days.get(day)
            if seen and seen[0] != kind:
                problems.append(f"{day} 在第 {first_line[day]} 行已列为{KIND_NAME[seen[0]]}，"
                                f"不能同时是{KIND_NAME[kind]}")
        if problems:
            result.errors.extend(LineError(number, p) for p in problems)
            continue
        for day in dates:
            if day not in result.days:
                result.days[day] = (kind, name)
                first_line[day] = number
    if not result.days and not result.errors:
        result.errors.append(LineError(0, "文件中没有任何日期（空行和 # 开头的注释行不计）"))
    return result


def ranges(days: list[tuple[dt.date, str]]) -> list[tuple[dt.date, dt.date, str]]:
    """Group consecutive dates with the same name: [(first, last, name), ...]."""
    out: list[tuple[dt.date, dt.date, str]] = []
    for day, name in sorted(days):
        if out and out[-1][2] == name and out[-1][1] + dt.timedelta(days=1) == day:
            out[-1] = (out[-1][0], day, name)
        else:
            out.append((day, day, name))
    return out


def to_text(year: int, rows: list[tuple[dt.date, str, str]], source: str = "") -> str:
    """The year's rows in the text format (``parse`` reads it back unchanged)."""
    lines = [f"# {year}年 节假日安排" + (f"（来源：{source}）" if source else "")]
    for kind in (HOLIDAY, WORKDAY):
        for first, last, name in ranges([(d, festival_name(n)) for d, k, n in rows if k == kind]):
            when = str(first) if first == last else f"{first}~{last}"
            note = f"  # {weekday_name(first)}" if kind == WORKDAY else ""
            lines.append(f"{when} {KIND_LABEL[kind]} {name}".rstrip() + note)
    return "\n".join(lines) + "\n"
