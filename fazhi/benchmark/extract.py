"""Extract a published report's metadata, outline and figures (facts) into the metric vocabulary.

Pure functions over ``text.Document`` (no database): ``extract(doc)`` → ``Extraction``. Each fact
keeps the verbatim quote cut from the original text and its position there, so a reader can check it.

How a figure is tied to what it counts (no report is special-cased; rules are about wording):
- the number token: Arabic digits (or a Chinese numeral with 十/百/千/万) with 万/亿, an approximation
  marker (余, 多, 近, 约, 超过, 以上…) and a unit (件, 宗, 人次, %, 万元…); years, dates, 文号 and
  ordinals (第2位) have no unit and are never figures;
- its context: ``local`` = the words before it back to the previous figure or clause boundary,
  ``right`` = the noun after it (“156件人大代表建议”), ``sent`` = the sentence so far, whose nearest
  topic word (复议, 信息公开, 规范性文件…) decides bare verbs such as 办结 or 保留;
- rates: the phrases ending in 率 before a percentage, one fact per phrase (“备案率、审核率均达100%”).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field

from .text import Document

# ---------------------------------------------------------------------------
# Number tokens
# ---------------------------------------------------------------------------
UNITS = ["个百分点", "百分点", "微克/立方米", "人次", "家次", "件次", "场次", "批次", "户次", "万元", "亿元", "元", "%",
         "件", "宗", "项", "个", "家", "场", "名", "人", "次", "份", "条", "卷", "篇", "部", "户", "期", "轮", "笔",
         "天", "座", "支", "所", "起", "批", "位", "套", "台", "处", "万"]
UNITS.remove("万")  # 万 is a multiplier, listed above only to keep the reader from wondering
_UNIT_RE = "|".join(re.escape(u) for u in UNITS)
_CN_DIGITS = "零〇一二两三四五六七八九十百千万亿"
NUMBER_RE = re.compile(
    rf"(?:(?<![\dA-Za-z.\-/第])(?P<num>\d+(?:\.\d+)?)|(?<![第{_CN_DIGITS}])(?P<cn>[{_CN_DIGITS}]*[十百千万亿][{_CN_DIGITS}]*))"
    r"(?P<mult1>万|亿)?(?P<approx>余|多)?(?P<mult2>万|亿)?"
    rf"(?P<unit>{_UNIT_RE})(?P<post>以上|左右|余|多)?"
)
_PRE2 = ("超过", "大约", "至少")
_PRE1 = "近约逾"
_DIGIT = re.compile(r"\d")


def _prefix(line: str, a: int) -> str:
    """An approximation word right before the number (近2万次, 超过160余笔)."""
    if a >= 2 and line[a - 2:a] in _PRE2:
        return line[a - 2:a]
    if a >= 1 and line[a - 1] in _PRE1:
        return line[a - 1]
    return ""


COUNT_UNITS = {"件", "宗", "项", "个", "家", "场", "场次", "次", "人次", "人", "名", "份", "条", "卷", "篇", "部", "户",
               "期", "轮", "笔", "批次", "件次", "起", "位", "套", "台", "处", "批", "户次", "家次"}
PEOPLE = {"人", "名", "人次"}
CASES = {"件", "宗", "起", "个", "份", "条", "卷"}
TIMES = {"次", "人次", "件", "场", "场次", "个"}

_CLAUSE_DELIMS = "，；。：！？\n"
_SENT_DELIMS = "。；！？\n"


def _cn_value(text: str) -> float | None:
    import cn2an

    try:
        return float(cn2an.cn2an(text, "smart"))
    except (ValueError, KeyError, TypeError):
        return None


def _number(m: re.Match, pre: str = "") -> tuple[float | None, str, bool]:
    value = float(m.group("num")) if m.group("num") else _cn_value(m.group("cn"))
    unit = m.group("unit")
    mult = m.group("mult1") or m.group("mult2")
    if value is not None and mult:
        if unit == "元":
            unit = f"{mult}元"  # money keeps its 万元/亿元 unit, as reports state it
        else:
            value *= 10000 if mult == "万" else 100000000
    approx = bool(pre or m.group("approx") or m.group("post"))
    if value is not None and value == int(value):
        value = int(value)
    elif value is not None:
        value = round(value, 6)
    return value, unit, approx


# ---------------------------------------------------------------------------
# Topics and rules
# ---------------------------------------------------------------------------
TOPICS = [
    ("recon", re.compile(r"复议")),
    ("litig", re.compile(r"诉讼|应诉|出庭")),
    ("normdocs", re.compile(r"规范性文件|规范文件|文件清理")),
    ("disclosure", re.compile(r"信息公开|依申请公开|政务公开")),
    ("hotline", re.compile(r"热线")),
    ("mediation", re.compile(r"调解|调处|纠纷")),
    ("enforcement", re.compile(r"执法|处罚|案卷")),
]


def topic_of(sent: str) -> str | None:
    best, where = None, -1
    for name, rx in TOPICS:
        for m in rx.finditer(sent):
            if m.end() > where:
                best, where = name, m.end()
    return best


@dataclass(frozen=True)
class Rule:
    code: str
    local: str | None = None   # searched in the words before the figure
    right: str | None = None   # searched in the noun after the figure
    clause: str | None = None  # must also occur in the clause
    topic: str | None = None   # nearest topic of the sentence
    units: frozenset = frozenset(COUNT_UNITS)
    exclude: str | None = None  # excluded if found in the words before the figure

    def compiled(self):
        return (re.compile(self.local) if self.local else None, re.compile(self.right) if self.right else None,
                re.compile(self.clause) if self.clause else None, re.compile(self.exclude) if self.exclude else None)


def U(*units):
    return frozenset(units)


COUNT_RULES = [
    # 行政复议
    Rule("reconsideration.received", local=r"(?:收到|新收|接收|共收)[^，；]{0,10}复议申请$"),
    Rule("reconsideration.refused", local=r"不予受理[^，；]{0,8}$", topic="recon"),
    Rule("reconsideration.accepted", local=r"受理(?:行政)?(?:复议)?(?:案件|申请)?$", topic="recon", exclude=r"不予受理$"),
    Rule("reconsideration.handled", local=r"办理(?:行政)?复议(?:案件|申请)$"),
    Rule("reconsideration.concluded", local=r"(?:办结|审结|结案)[^，；]{0,6}复议案件$"),
    Rule("reconsideration.concluded", local=r"(?:办结|审结|结案)(?:案件)?$", topic="recon"),
    Rule("reconsideration.corrected", local=r"^(?:依法)?(?:纠正|纠错)", topic="recon"),
    Rule("reconsideration.upheld", local=r"(?:决定)?维持[^，；]{0,6}$", topic="recon"),
    Rule("reconsideration.dismissed", local=r"驳回[^，；]{0,8}$", topic="recon"),
    Rule("reconsideration.revoked", local=r"撤销[^，；]{0,4}$", topic="recon"),
    Rule("reconsideration.altered", local=r"变更[^，；]{0,4}$", topic="recon"),
    Rule("reconsideration.confirmed_illegal", local=r"确认(?:违法|无效)[^，；]{0,4}$", topic="recon"),
    Rule("reconsideration.mediated", local=r"(?:调解|和解)[^，；]{0,8}(?:结案)?$", topic="recon", exclude=r"纠纷$"),
    # 行政应诉
    Rule("litigation.head_appearances", local=r"负责人出庭(?:应诉)?$", units=U("次", "人次", "件", "场", "人")),
    Rule("litigation.cases", local=r"(?:行政诉讼|行政应诉|应诉)(?:案件)?$", exclude=r"复议后|经复议|公益"),
    # 规范性文件
    Rule("normdocs.filing_reviewed", local=r"对[^，；]{0,14}(?:报送|报备)[^，；]{0,14}备案审查$"),
    Rule("normdocs.filing_reviewed", right=r"^(?:规范性)?文件[^，；]{0,4}备案审查"),
    Rule("normdocs.filed", local=r"(?:报送|报备|报)[^，；]{0,16}备案(?:审查)?$|报备[^，；]{0,10}规范性文件$"),
    Rule("normdocs.filing_reviewed", local=r"^备案审查$", topic="normdocs"),
    Rule("normdocs.issued", local=r"(?:制定|制发|印发|出台|发布)[^，；]{0,10}规范性文件$"),
    Rule("normdocs.reviewed", local=r"(?:审核|审查)[^，；]{0,8}规范性文件$"),
    Rule("normdocs.kept", clause=r"保留", local=r"保留(?:行政)?(?:规范性文件)?$|^、?(?:行政)?规范性文件$",
         topic="normdocs", exclude=r"规章|部门|事项"),
    Rule("normdocs.repealed", clause=r"废止|失效", local=r"(?:废止|失效)(?:行政)?(?:规范性文件)?$|^、?(?:行政)?规范性文件$",
         topic="normdocs", exclude=r"规章"),
    Rule("normdocs.revised", clause=r"修订|修改", local=r"(?:修订|修改)(?:行政)?(?:规范性文件)?$|^、?(?:行政)?规范性文件$",
         topic="normdocs", exclude=r"规章"),
    # 重大行政决策与合法性审查
    Rule("decisions.major", local=r"重大(?:行政)?决策(?:事项)?$", units=U("项", "件", "个"), exclude=r"审议通过|完成"),
    Rule("legality.reviews", right=r"^涉法事务"),
    Rule("legality.reviews", local=r"(?:合法性审查|合法性审核|法制审核|涉法事务审查)[^，；]{0,6}$", exclude=r"规范性文件"),
    # 行政执法
    Rule("enforcement.files_reviewed", local=r"(?:抽检|抽查|评查)[^，；]{0,10}(?:案件|案卷)$|评查(?:行政执法)?案卷$",
         units=U("件", "卷", "宗", "份")),
    Rule("enforcement.files_reviewed", right=r"^[^，；]{0,16}案卷[^，；]{0,6}评查", units=U("件", "卷", "宗", "份")),
    Rule("enforcement.penalties", right=r"^(?:行政)?处罚案件"),
    Rule("enforcement.penalties", local=r"处罚案件$", exclude=r"从轻|减轻|不予处罚|免罚|免予处罚"),
    Rule("enforcement.officers_certified",
         local=r"持(?:有|证)[^，；]{0,12}人员$|持证(?:执法)?人员$|持有(?:行政)?执法证(?:件)?的?(?:人员)?$",
         units=U("人", "名")),
    Rule("enforcement.supervision_opinions", local=r"监督意见书?》?$", units=U("份", "条", "件")),
    # 矛盾纠纷
    Rule("mediation.organizations", right=r"^(?:人民)?调解(?:委员会|组织)", units=U("个", "家")),
    Rule("mediation.organizations", local=r"(?:人民)?调解(?:委员会|组织)$", units=U("个", "家")),
    Rule("mediation.cases", local=r"(?:调解|调处|化解)[^，；]{0,12}(?:矛盾纠纷|各类纠纷|民间纠纷|社会矛盾)$",
         exclude=r"诉前|复议"),
    Rule("mediation.cases", local=r"(?:调解|调处)[^，；]{0,6}(?:案件|纠纷)$", exclude=r"行政纠纷|行政争议|诉前|复议|排查|预防"),
    Rule("mediation.administrative_cases", local=r"行政调解(?:案件)?$"),
    Rule("mediation.administrative_cases", local=r"(?:开展|完成|办理)调解$", clause=None, topic="mediation"),
    # 政务公开
    Rule("disclosure.requests", local=r"(?:政府)?信息公开申请$|依申请公开(?:案件|申请)?$", units=U("件", "宗", "条", "个")),
    Rule("disclosure.concluded", local=r"^(?:办结|答复|办理完毕)$", topic="disclosure"),
    Rule("disclosure.proactive_items", local=r"(?:主动)?(?:公开|发布)(?:政府)?信息$", units=U("条", "个", "件")),
    # 监督
    Rule("oversight.npc_suggestions", right=r"^人大代表(?:建议|议案)"),
    Rule("oversight.npc_suggestions", local=r"人大代表(?:建议|议案)$"),
    Rule("oversight.cppcc_proposals", right=r"^政协(?:委员)?提案"),
    Rule("oversight.cppcc_proposals", local=r"政协(?:委员)?提案$"),
    Rule("oversight.judicial_recommendations", right=r"^司法建议"),
    Rule("oversight.judicial_recommendations", local=r"司法建议书?$"),
    Rule("oversight.procuratorial_recommendations", right=r"^检察建议"),
    Rule("oversight.procuratorial_recommendations", local=r"检察建议书?$"),
    # 法律顾问、公共法律服务
    Rule("counsel.legal_advisors", right=r"^(?:名|位)?(?:政府)?法律顾问", units=U("人", "名", "位")),
    Rule("counsel.legal_advisors", local=r"(?:聘请|聘任|选聘)?法律顾问(?:人数)?$", units=U("人", "名", "位")),
    Rule("counsel.public_lawyers", right=r"^公职律师", units=U("人", "名", "位")),
    Rule("counsel.public_lawyers", local=r"公职律师(?:人数)?[^，；]{0,4}$", units=U("人", "名", "位")),
    Rule("legal_aid.cases", local=r"法律援助[^，；]{0,12}$", units=U("件", "宗", "起"), exclude=r"挽回"),
    Rule("hotline.calls", local=r"(?:12348|公共法律服务热线)[^，；]{0,10}$", units=U("人次", "次", "个", "通", "件")),
    # 学法用法
    Rule("training.exam_participants", local=r"(?:学法|法律知识|法治)[^，；]{0,8}考试$", units=U("人", "名", "人次")),
    Rule("training.exam_participants", right=r"^[^，；]{0,14}(?:参加|完成)[^，；]{0,8}(?:学法|法治|法律知识)[^，；]{0,8}考试",
         units=U("人", "名", "人次")),
    Rule("training.sessions", local=r"(?:培训班?|讲座|研讨班|大讲堂)[^，；]{0,4}$", clause=r"法治|学法|法律|依法治|法学",
         units=U("场", "期", "次", "班", "场次"), exclude=r"普法|业务培训|合规"),
]
_COMPILED_RULES = [(r, *r.compiled()) for r in COUNT_RULES]

RATE_RULES = [
    (re.compile(r"纠错率|纠正率"), "reconsideration.correction_rate", "recon"),
    (re.compile(r"负责人出庭(?:应诉)?率|出庭应诉率"), "litigation.head_appearance_rate", None),
    (re.compile(r"胜诉率"), "litigation.win_rate", None),
    (re.compile(r"调解成功率"), "mediation.success_rate", None),
    (re.compile(r"^成功率$"), "mediation.success_rate", "mediation"),
    (re.compile(r"^(?:合法性)?(?:审核|审查)率$|规范性文件[^、]{0,6}(?:审核|审查)率"), "normdocs.review_rate", "normdocs"),
    (re.compile(r"^备案率$|规范性文件[^、]{0,6}备案率|报备率"), "normdocs.filing_rate", "normdocs"),
]

_FILLER = re.compile(r"(?:共计|合计|总计|累计|分别为|分别|共|计|达到|达|(?<!行)为|约|近|超过|逾|等|了|[\s“”《》])+$")
_CHANGE_TO = re.compile(r"^(?:增长|增加|提高|提升|上升|下降|减少|降低|扩大|缩减)(?:为|到|至)$")
_BARE = re.compile(r"^[、，和及与其中\s]*$")


# ---------------------------------------------------------------------------
# Result types
# ---------------------------------------------------------------------------
@dataclass
class Fact:
    metric: str | None
    value: float | int | None
    unit: str
    approx: bool
    quote: str  # verbatim from the original text
    start: int  # quote position in the original text
    end: int
    pos: int  # position of the number itself
    phrase: str = ""  # what the figure counts, in the report's words (simplified)
    section: str = ""  # heading path
    flag: str = ""  # a disagreement found by the consistency checks

    def public(self) -> dict:
        return {"metric": self.metric, "value": self.value, "unit": self.unit, "approx": self.approx,
                "quote": self.quote}


@dataclass
class Heading:
    level: int
    marker: str
    title: str
    start: int
    end: int
    parent: int | None = None
    part: str = ""
    system: str = ""


@dataclass
class Extraction:
    region: str = ""
    level: str = ""
    year: int | None = None
    published_on: dt.date | None = None
    issuer: str = ""
    title: str = ""
    facts: list[Fact] = field(default_factory=list)
    outline: list[Heading] = field(default_factory=list)
    checks: list[dict] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"region": self.region, "level": self.level, "year": self.year,
                "facts": [f.public() for f in self.facts]}

    def full(self) -> dict:
        return {"region": self.region, "level": self.level, "year": self.year,
                "published_on": self.published_on.isoformat() if self.published_on else None,
                "issuer": self.issuer, "title": self.title,
                "facts": [asdict(f) for f in self.facts], "outline": [asdict(h) for h in self.outline],
                "checks": self.checks}


# ---------------------------------------------------------------------------
# Facts
# ---------------------------------------------------------------------------
def _last_delim(s: str, delims: str, end: int) -> int:
    best = -1
    for d in delims:
        i = s.rfind(d, 0, end)
        if i > best:
            best = i
    return best


def _first_delim(s: str, delims: str, start: int) -> int:
    best = len(s)
    for d in delims:
        i = s.find(d, start)
        if 0 <= i < best:
            best = i
    return best


def _rate_phrases(clause: str) -> list[str]:
    i = clause.rfind("率")
    if i < 0 or len(clause) - i - 1 > 12:
        return []
    head = clause[:i + 1]
    parts = head.split("、")
    phrases = []
    for part in reversed(parts):
        part = part.strip()
        if not part.endswith("率"):
            break
        phrases.append(part)
    return list(reversed(phrases))


def _map_rate(phrase: str, sent: str) -> str | None:
    topic = topic_of(sent)
    for rx, code, need in RATE_RULES:
        if rx.search(phrase) and (need is None or need == topic or (need == "recon" and "复议" in phrase)):
            return code
    return None


def _map_count(local: str, right: str, clause: str, sent: str, unit: str) -> str | None:
    topic = None
    for rule, lrx, rrx, crx, xrx in _COMPILED_RULES:
        if unit not in rule.units:
            continue
        if rrx is not None and not (right and rrx.search(right)):
            continue
        if lrx is not None and not lrx.search(local):
            continue
        if crx is not None and not crx.search(clause):
            continue
        if xrx is not None and xrx.search(local):
            continue
        if rule.topic is not None:
            if topic is None:
                topic = topic_of(sent) or ""
            if topic != rule.topic:
                continue
        return rule.code
    return None


def _in_quotes(line: str, i: int) -> bool:
    return line.count("“", 0, i) > line.count("”", 0, i)


def extract_facts(doc: Document) -> list[Fact]:
    facts: list[Fact] = []
    text, norm = doc.text, doc.norm
    for ls, le in doc.lines:
        line = norm[ls:le]
        prev_end, prev_local, prev_clause_start = -1, "", -1
        baseline_at = set()
        for m in NUMBER_RE.finditer(line):
            a = m.start()
            pre = _prefix(line, a)
            value, unit, approx = _number(m, pre)
            if value is None:
                continue
            if m.group("cn") and (_in_quotes(line, a) or line[m.end():m.end() + 1] == "是"):
                continue
            b = m.end()
            sent_start = _last_delim(line, _SENT_DELIMS, a) + 1
            clause_start = max(sent_start, _last_delim(line, "，：", a) + 1)
            local_start = max(clause_start, prev_end if prev_clause_start == clause_start else -1)
            sent, clause = line[sent_start:a], line[clause_start:a]
            local = line[local_start:a]
            if pre:
                local = local[: len(local) - len(pre)]
            r_end = min(_first_delim(line, _CLAUSE_DELIMS, b), b + 24)
            nxt = _DIGIT.search(line, b, r_end)
            if nxt:
                r_end = nxt.start()
            right = line[b:r_end]
            changed = _CHANGE_TO.match(local)
            if changed or (_BARE.match(local) and prev_local and prev_clause_start == clause_start):
                local = prev_local
            if changed:
                baseline_at.add(len(facts) - 1)
            stripped = _FILLER.sub("", local)
            if unit == "%":
                codes = [(_map_rate(p, sent), p) for p in _rate_phrases(clause)] or [(None, stripped)]
            else:
                codes = [(_map_count(stripped, right, clause, sent, unit), stripped)]
            clause_end = _first_delim(line, "，；。！？\n", b)
            qs, qe = ls + clause_start, ls + clause_end
            while qs < qe and text[qs].isspace():
                qs += 1
            quote = text[qs:qe].rstrip()
            for code, what in codes:
                phrase = what if what and not _BARE.match(what) else right.strip()
                facts.append(Fact(code, value, unit, approx, quote, qs, qs + len(quote), ls + a, phrase=phrase))
            prev_end, prev_local, prev_clause_start = b, stripped if stripped else prev_local, clause_start
        for idx in baseline_at:
            if 0 <= idx < len(facts):
                facts[idx].metric = None  # “由29名增长为43名”: the earlier figure is the baseline
    return facts


# ---------------------------------------------------------------------------
# Consistency: a stated rate against its stated parts
# ---------------------------------------------------------------------------
CHECKS = [
    # (rate, numerator alternatives (each a list summed), denominator)
    ("reconsideration.correction_rate",
     [["reconsideration.corrected"],
      ["reconsideration.revoked", "reconsideration.altered", "reconsideration.confirmed_illegal"]],
     "reconsideration.concluded"),
]


def _decimals(value) -> int:
    s = repr(float(value)).rstrip("0").rstrip(".")
    return len(s.split(".")[1]) if "." in s else 0


def check_rates(facts: list[Fact]) -> list[dict]:
    first: dict[str, Fact] = {}
    for f in facts:
        if f.metric and f.metric not in first:
            first[f.metric] = f
    results = []
    for rate_code, numerators, denominator in CHECKS:
        rate_fact, den = first.get(rate_code), first.get(denominator)
        if rate_fact is None or den is None or not den.value:
            continue
        for parts in numerators:
            found = [first[c] for c in parts if c in first]
            if not found:
                continue
            num = sum(f.value for f in found)
            computed = round(num * 100 / den.value, 2)
            tolerance = 0.5 * 10 ** -_decimals(rate_fact.value) + 0.05
            ok = abs(computed - rate_fact.value) <= tolerance
            names = " + ".join(f"{f.value}" for f in found)
            message = (f"报告所述比率 {rate_fact.value}% 与其组成部分相符：({names}) ÷ {den.value} = {computed}%。" if ok else
                       f"报告所述比率 {rate_fact.value}% 与其组成部分不符：({names}) ÷ {den.value} = {computed}%，"
                       f"相差 {round(abs(computed - rate_fact.value), 2)} 个百分点（未作更正）。")
            results.append({"metric": rate_code, "stated": rate_fact.value, "computed": computed, "ok": ok,
                            "parts": [f.metric for f in found], "denominator": denominator, "message": message})
            if not ok:
                rate_fact.flag = message
            break
    return results


# ---------------------------------------------------------------------------
# Metadata
# ---------------------------------------------------------------------------
_HAN = "\u4e00-\u9fff"
_GOV = re.compile(rf"([{_HAN}]{{2,8}}?(?:自治区|省|市|区|县|旗|自治州|州|盟))人民政府")
_TITLE_GOV = re.compile(rf"^([{_HAN}]{{2,10}}?(?:自治区|省|市|区|县|旗))(?:人民政府)?(?:关于)?\d{{4}}\s*年")
_BODY_GOV = re.compile(rf"^\d{{4}}\s*年(?:以来)?[，,]?\s*(?:全)?([{_HAN}]{{2,8}}?(?:省|市|区|县|旗))")
_YEAR_TITLE = re.compile(r"(\d{4})\s*年度?[^，。\n]{0,24}?(?:法治政府建设|依法行政|法治建设)[^，。\n]{0,30}?(?:报告|总结)")
_DATE_FIELD = re.compile(r"(?:发布日期|发布时间|生成日期|发文日期|成文日期|日期)[\s•·：:|]*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_DATE_CN = re.compile(r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*$", re.M)
_ISSUER_FIELD = re.compile(r"(?:发布机构|信息来源|机构名称|来源|发文机关)\s*[：:|]\s*([^\s|•，。：:]{2,30})")
_LABEL_WORDS = re.compile(r"^(?:发布|来源|作者|浏览|日期|时间|索引|主题|体裁)")


def _level(name: str, prefix: str) -> str:
    if name.endswith(("自治区", "省")):
        return "province"
    if name.endswith(("区",)):
        return "district"
    if name.endswith(("县", "旗")):
        return "county"
    if name.endswith("市"):
        return "county" if prefix.endswith("市") else "city"
    return "city"


def _date(y, m, d) -> dt.date | None:
    try:
        return dt.date(int(y), int(m), int(d))
    except ValueError:
        return None


def extract_metadata(doc: Document, result: Extraction) -> None:
    norm = doc.norm
    kept = [norm[s:e] for s, e in doc.lines]
    head = "\n".join(kept[:8])
    title = next((l for l in kept[:6] if re.search(r"报告|总结", l) and len(l) <= 80), "")
    result.title = title.strip()
    # Year covered: “2020年法治政府建设情况报告”, else the year the body opens with, else publication − 1.
    m = _YEAR_TITLE.search(head)
    if m:
        result.year = int(m.group(1))
    else:
        body = next((l for l in kept if re.match(r"^\d{4}\s*年", l)), "")
        if body:
            result.year = int(re.match(r"^(\d{4})", body).group(1))
    # Publication date: a header field, else the date under the signature.
    m = _DATE_FIELD.search(norm)
    if m:
        result.published_on = _date(*m.groups())
    if result.published_on is None:
        dates = list(_DATE_CN.finditer("\n".join(kept[-6:])))
        if dates:
            result.published_on = _date(*dates[-1].groups())
    if result.year is None and result.published_on:
        result.year = result.published_on.year - 1
    # Issuing body: a header field, else the signature, else “X人民政府关于…” in the title.
    issuer = ""
    for m in _ISSUER_FIELD.finditer(norm):
        if not _LABEL_WORDS.match(m.group(1)):
            issuer = m.group(1)
            break
    if not issuer:
        for line in reversed(kept[-6:]):
            if re.fullmatch(rf"[{_HAN}（）]{{2,30}}(?:人民政府|政府|办公室|司法局|委员会)", line.strip()):
                issuer = line.strip()
                break
    if not issuer and title:
        m = re.match(rf"^([{_HAN}]{{2,20}}人民政府)", title)
        if m:
            issuer = m.group(1)
    result.issuer = issuer
    # Region: the government the title (or signature, or first sentence) names, with its parent city.
    subject = ""
    for source in [title, "\n".join(kept[-4:])] + kept[:4]:
        source = source.strip()
        m = _TITLE_GOV.match(source) or _GOV.match(source) or _GOV.search(source.split("\n")[-2] if "\n" in source else "")
        if m:
            subject = m.group(1)
            break
    if not subject:
        for line in kept[:12]:
            m = _BODY_GOV.match(line)
            if m:
                subject = m.group(1)
                break
    if not subject:
        names = [m.group(1) for m in _GOV.finditer(norm)]
        if names:
            subject = max(set(names), key=names.count)
    if not subject:
        return
    m = re.match(rf"^([{_HAN}]{{2,4}}(?:省|市))([{_HAN}]{{2,6}}(?:区|县|市|旗))$", subject)
    if m:  # already “天津市蓟州区”
        prefix, core = m.group(1), m.group(2)
    else:
        # “温州市鹿城区”: the parent named right before the subject, at a word boundary (《, line start…).
        core = subject
        m = re.search(rf"(?:^|[^{_HAN}])([{_HAN}]{{2,4}}(?:省|市)){re.escape(subject)}", norm, re.M)
        prefix = m.group(1) if m and not subject.endswith("省") else ""
    result.region = prefix + core
    result.level = _level(core, prefix)


# ---------------------------------------------------------------------------
# Outline
# ---------------------------------------------------------------------------
_CN_NUM = "一二三四五六七八九十"
HEADING_RE = re.compile(
    rf"(?:^|(?<=[。\s；：]))(?:(?P<h1>[{_CN_NUM}]{{1,3}})、|（(?P<h2>[{_CN_NUM}]{{1,3}})）"
    rf"|(?P<h3>\d{{1,2}})[.、](?=[\u4e00-\u9fff])|(?P<h4>[{_CN_NUM}]{{1,2}})是(?=[\u4e00-\u9fff]))")
# 《法治政府建设与责任落实督察工作规定》第二十五条: the five parts of the annual report.
PARTS = [
    ("first_responsible", "党政主要负责人履行推进法治建设第一责任人职责情况", re.compile(r"第一责任人|主要负责人履行")),
    ("shortcomings", "存在的不足和原因", re.compile(r"不足|存在的问题|问题和|薄弱|短板|差距|原因")),
    ("next_year", "下一年度主要安排", re.compile(r"下一年度|下一步|打算|安排|思路|计划|\d{4}年.{0,6}(?:工作|重点)")),
    ("other", "其他需要报告的情况", re.compile(r"其他")),
    ("achievements", "主要举措和成效", re.compile(r".")),
]
PART_LABELS = {code: label for code, label, _ in PARTS}
# 《法治政府建设实施纲要（2021—2025年）》: the eight systems (体系).
SYSTEMS = [
    ("emergencies", "突发事件应对体系", re.compile(r"突发事件|应急|疫情")),
    ("technology", "法治政府建设科技保障体系", re.compile(r"科技保障|数字法治|数字政府|信息化|互联网\+|智慧")),
    ("decisions", "行政决策制度体系", re.compile(r"决策")),
    ("enforcement", "行政执法工作体系", re.compile(r"执法")),
    ("rules", "依法行政制度体系", re.compile(r"制度体系|规范性文件|立法|制度建设|文件管理|合同")),
    ("disputes", "社会矛盾纠纷行政预防调处化解体系", re.compile(r"矛盾|纠纷|复议|应诉|争议|调解|化解")),
    ("oversight", "行政权力制约和监督体系", re.compile(r"监督|制约|督查|政务公开|阳光政府")),
    ("functions", "政府机构职能体系", re.compile(r"职能|放管服|营商环境|审批|政务服务|简政放权|履职")),
]
SYSTEM_LABELS = {code: label for code, label, _ in SYSTEMS}


def _heading_title(line: str, start: int) -> int:
    """End of a heading's title: its line's end, the first 。, or a run of spaces (inline headings)."""
    end = len(line)
    for stop in ("。", "  ", " （"):
        i = line.find(stop, start)
        if 0 <= i < end:
            end = i
    i = line.find(" ", start + 6)
    if 0 <= i < end:
        end = i
    return min(end, start + 60)


def extract_outline(doc: Document) -> list[Heading]:
    norm = doc.norm
    found: list[Heading] = []
    for ls, le in doc.lines:
        line = norm[ls:le]
        for m in HEADING_RE.finditer(line):
            start = m.start()
            level = 1 if m.group("h1") else 2 if m.group("h2") else 3 if m.group("h3") else 4
            if level == 3 and start != 0 and line[start - 1] == "：":
                continue
            end = _heading_title(line, m.end())
            title = line[m.end():end].strip()
            if not title:
                continue
            found.append(Heading(level, m.group(0), title, ls + start, ls + end))
    # Parent links: the nearest earlier heading of a higher level.
    stack: list[int] = []
    for i, h in enumerate(found):
        while stack and found[stack[-1]].level >= h.level:
            stack.pop()
        h.parent = stack[-1] if stack else None
        stack.append(i)
    # Parts (top level only) and systems (any level).
    for h in found:
        if h.parent is None and h.level == min((x.level for x in found), default=1):
            h.part = next(code for code, _, rx in PARTS if rx.search(h.title))
        h.system = next((code for code, _, rx in SYSTEMS if rx.search(h.title)), "")
    return found


def _section_of(outline: list[Heading], pos: int) -> str:
    current = None
    for i, h in enumerate(outline):
        if h.start <= pos:
            current = i
        else:
            break
    path = []
    while current is not None:
        h = outline[current]
        path.append(f"{h.marker}{h.title}")
        current = h.parent
    return " / ".join(reversed(path))


# ---------------------------------------------------------------------------
def extract(doc: Document) -> Extraction:
    result = Extraction()
    extract_metadata(doc, result)
    result.outline = extract_outline(doc)
    result.facts = extract_facts(doc)
    for f in result.facts:
        f.section = _section_of(result.outline, f.pos)
    result.checks = check_rates(result.facts)
    return result


def looks_like_report(doc: Document, result: Extraction) -> bool:
    """A page with a 法治政府建设 report in it, not a list page, an error page or an unrelated article."""
    body = doc.clean_text
    han = sum(1 for c in body if "\u4e00" <= c <= "\u9fff")
    keywords = len(re.findall(r"法治|依法行政|行政复议|行政执法|规范性文件|行政诉讼|法律顾问", body))
    return han >= 300 and keywords >= 5
