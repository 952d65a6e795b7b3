"""Demo data for 行政应诉: about thirty cases of 2024–2025 against units of 云溪区, filled by
`fazhi demo load` through the same services as the pages (so clocks and audit trail are real).

Idempotent: a case whose court case number exists is skipped. Proportions follow the order of
magnitude of published reports: most suits are dismissed or withdrawn, roughly one in ten is lost,
and the head appears in court at a bit more than half of the hearings.
"""
from __future__ import annotations

import datetime as dt
import random

from fazhi.core import clocks
from fazhi.core.demo import register_demo_loader

COURT = "云溪区人民法院"
APPEAL_COURT = "云州市中级人民法院"
# (unit code, persona handling it, acts typically challenged)
DEFENDANTS = [
    ("YX-ZJJ", "住建局经办人", ["限期拆除违法建设决定", "房屋征收补偿决定", "建设工程规划行政处罚"]),
    ("YX-SCJG", "市监局经办人", ["食品安全行政处罚决定", "投诉举报不予立案告知", "企业登记行为"]),
    ("YX-CGJ", "城管局经办人", ["强制拆除行为", "占道经营行政处罚决定"]),
    ("YX-QS", "青石街道经办人", ["违法建设强制拆除行为", "政府信息公开答复"]),
    ("YX-RSJ", "司法局协调员", ["工伤认定决定", "劳动保障监察投诉处理"]),
    ("YX-ZRZY", "司法局协调员", ["土地行政处罚决定", "不动产登记行为"]),
    ("YX", "司法局协调员", ["政府信息公开答复", "行政复议决定（共同被告）"]),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
HEADS = [("陈国栋", "principal", "局长"), ("李建平", "deputy", "副局长"), ("周文斌", "in_charge", "党组成员、副局长")]
# Weighted outcomes of the first instance: (result, kind)
OUTCOMES = ([("upheld", "judgment")] * 11 + [("withdrawn", "ruling")] * 6 + [("other", "ruling")] * 2
            + [("revoked", "judgment")] * 2 + [("confirmed_illegal", "judgment")] * 2
            + [("ordered_performance", "judgment"), ("partly_revoked", "judgment"), ("mediated", "mediation")])


def _next_day_after(case, clock_name: str) -> dt.date:
    return clocks.clock_of(case, clock_name).due_date + dt.timedelta(days=1)


@register_demo_loader
def load_litigation_demo(demo, *, count: int = 30) -> None:
    from . import services
    from .models import LitigationCase

    rng = random.Random(2025)
    today = clocks.today()
    for i in range(count):
        year = 2024 if i < count // 2 else 2025
        code, who, acts = DEFENDANTS[i % len(DEFENDANTS)]
        served_on = dt.date(year, 1, 8) + dt.timedelta(days=rng.randint(0, 300))
        if i % 10 == 9:  # still in its answer period: served in the last days, not years ago
            served_on = today - dt.timedelta(days=3 + i % 7)
            year = served_on.year
        number = f"（{year}）云0102行初{101 + i}号"
        if LitigationCase.objects.filter(court=COURT, case_number=number).exists():
            continue
        user = demo.persona(who)
        case = services.register_case(
            user, unit=demo.units[code], court=COURT, case_number=number,
            plaintiffs=f"{rng.choice(SURNAMES)}某某" + ("\n云溪某某实业有限公司" if rng.random() < 0.3 else ""),
            act_challenged=rng.choice(acts), served_on=served_on)
        if i % 10 == 9:
            continue  # still in the answer period or awaiting trial
        answered = served_on + dt.timedelta(days=rng.randint(5, 16))  # now and then a day late
        case = services.file_answer(case, user, version=case.version, filed_on=min(answered, today))
        result, kind = rng.choice(OUTCOMES)
        if result not in ("withdrawn", "mediated"):
            for n in range(rng.choice([1, 1, 2])):
                on = served_on + dt.timedelta(days=35 + 20 * n)
                if rng.random() < 0.6:
                    name, position, title = rng.choice(HEADS)
                    who_appeared = dict(head_appeared=True, head_name=name, head_position=position, head_title=title)
                else:
                    who_appeared = dict(head_appeared=False, staff_name="法制科工作人员",
                                        absence_reason=rng.choice(["official_duty", "official_duty", "accident"]))
                services.record_hearing(case, user, version=case.version, date=on,
                                        court_notice_on=on - dt.timedelta(days=7), **who_appeared)
                case.refresh_from_db()
        decided = served_on + dt.timedelta(days=rng.randint(75, 150))
        if decided > today or i % 10 == 8:
            continue  # awaiting judgment
        case = services.record_result(case, user, version=case.version, result=result, result_kind=kind,
                                      served_on=decided)
        if case.state == "final":
            continue
        if result in ("revoked", "confirmed_illegal") and rng.random() < 0.7:
            appeal_on = decided + dt.timedelta(days=7)
            case = services.record_appeal(case, user, version=case.version, appellant="defendant", filed_on=appeal_on)
            final_on = appeal_on + dt.timedelta(days=rng.randint(60, 90))
            if final_on <= today:
                outcome = rng.choice(["dismissed", "dismissed", "changed"])
                services.record_second_instance(case, user, version=case.version, outcome=outcome,
                                                final_result="upheld" if outcome == "changed" else "", on=final_on)
            continue
        effective = _next_day_after(case, "appeal")
        if effective <= today:
            services.finalise(case, user, version=case.version, on=effective)
