"""Demo data of 统计填报 for 云溪区: four return forms (调解, 学法普法, 法律援助与热线, 12345 热线), sent to
units for 2024 and 2025 and filled, approved and accepted through the services — except a few left
open, so the overdue list and the dashboard have something to show. Idempotent (by form code and round)."""
from __future__ import annotations

import datetime as dt
import random


from fazhi.core.demo import register_demo_loader
from fazhi.core.models import User

FORMS = [
    ("FZ-01", "矛盾纠纷调解情况统计表", "year", ["YX-SFJ", "YX-QS", "YX-BS"], [
        dict(metric_code="mediation.cases", label="调解矛盾纠纷", unit_label="件"),
        dict(metric_code="mediation.succeeded", label="调解成功", unit_label="件", not_above="mediation.cases"),
        dict(metric_code="mediation.success_rate", label="调解成功率", field_type="percentage",
             numerator="mediation.succeeded", denominator="mediation.cases", required=False),
        dict(metric_code="mediation.organizations", label="人民调解组织", unit_label="个", over_time="last"),
    ]),
    ("FZ-02", "学法用法和普法宣传情况统计表", "year", ["YX-SFJ", "YX-ZJJ", "YX-SCJG", "YX-CGJ", "YX-QS", "YX-BS"], [
        dict(metric_code="training.sessions", label="法治培训和学法活动", unit_label="场"),
        dict(metric_code="training.exam_participants", label="参加学法考试人数", unit_label="人"),
        dict(metric_code="pufa.activities", label="普法宣传活动", unit_label="场"),
        dict(metric_code="pufa.audience", label="普法活动覆盖群众", unit_label="人次"),
    ]),
    ("FZ-03", "法律援助和公共法律服务情况统计表", "year", ["YX-SFJ"], [
        dict(metric_code="legal_aid.cases", label="法律援助案件", unit_label="件"),
        dict(metric_code="hotline.calls", label="12348公共法律服务热线咨询", unit_label="次"),
    ]),
    ("FZ-04", "12345政务服务便民热线诉求办理情况统计表", "quarter", ["YX-ZJJ", "YX-SCJG", "YX-CGJ", "YX-QS", "YX-BS"], [
        dict(metric_code="hotline12345.received", label="受理群众诉求", unit_label="件"),
        dict(metric_code="hotline12345.resolved", label="办结群众诉求", unit_label="件", not_above="hotline12345.received"),
        dict(metric_code="hotline12345.resolution_rate", label="诉求办结率", field_type="percentage",
             numerator="hotline12345.resolved", denominator="hotline12345.received", required=False),
    ]),
]
# Who fills and who approves, per unit.
FILLERS = {"YX-SFJ": ("sfj_leader", "sfj_leader"), "YX-ZJJ": ("zjj_operator", "zjj_leader"),
           "YX-SCJG": ("scjg_operator", "scjg_leader"), "YX-CGJ": ("cgj_operator", "cgj_leader"),
           "YX-QS": ("qingshi_operator", "qingshi_leader"), "YX-BS": ("baisha_operator", "baisha_leader")}
SIZE = {"YX-SFJ": 3.0, "YX-ZJJ": 1.0, "YX-SCJG": 1.6, "YX-CGJ": 2.2, "YX-QS": 1.3, "YX-BS": 1.1}


def _values(code: str, unit: str, year: int, part: int) -> dict[str, str]:
    rng = random.Random(f"{code}-{unit}-{year}-{part}")
    k = SIZE[unit] * (1 + (year - 2024) * 0.08)
    if code == "FZ-01":
        cases = int(rng.randint(110, 160) * k)
        ok = int(cases * rng.uniform(0.95, 0.99))
        return {"mediation.cases": str(cases), "mediation.succeeded": str(ok),
                "mediation.success_rate": f"{ok * 100 / cases:.1f}", "mediation.organizations": str(rng.randint(6, 18))}
    if code == "FZ-02":
        return {"training.sessions": str(int(rng.randint(4, 8) * k)),
                "training.exam_participants": str(int(rng.randint(80, 200) * k)),
                "pufa.activities": str(int(rng.randint(8, 20) * k)), "pufa.audience": str(int(rng.randint(900, 2600) * k))}
    if code == "FZ-03":
        return {"legal_aid.cases": str(rng.randint(330, 420) + (year - 2024) * 25),
                "hotline.calls": str(rng.randint(4200, 5200) + (year - 2024) * 300)}
    received = int(rng.randint(180, 320) * k)
    resolved = received - rng.randint(0, 6)
    return {"hotline12345.received": str(received), "hotline12345.resolved": str(resolved),
            "hotline12345.resolution_rate": f"{resolved * 100 / received:.1f}"}


def _users(demo) -> dict[str, User]:
    return {u.username: u for u in demo.users.values()}


@register_demo_loader
def load_returns_demo(demo) -> None:
    from . import services
    from .models import Return, ReturnForm, ReturnRound, quarter_bounds

    users = _users(demo)
    coordinator = demo.persona("司法局协调员")
    for code, name, periodicity, unit_codes, fields in FORMS:
        form = ReturnForm.objects.filter(code=code).first()
        if form is None:
            form = services.create_form(coordinator, unit=demo.units["YX-SFJ"], name=name, code=code,
                                        periodicity=periodicity)
            for f in fields:
                services.add_field(coordinator, form, **f)
        for year in (2024, 2025):
            parts = [1] if periodicity == "year" else [1, 2, 3, 4]
            for part in parts:
                start, end, _label = quarter_bounds(year, part, periodicity)
                if ReturnRound.objects.filter(form=form, period_start=start).exists():
                    continue
                issued = end + dt.timedelta(days=5)
                due = issued + dt.timedelta(days=15)
                rnd = services.issue_round(coordinator, form, year=year, part=part, due_date=due,
                                           units=[demo.units[u] for u in unit_codes], on=issued)
                for ret in Return.objects.filter(round=rnd).select_related("unit"):
                    unit = ret.unit.code
                    last_round = year == 2025 and part == parts[-1]
                    if last_round and code == "FZ-04" and unit == "YX-BS":
                        continue  # still not filled: overdue
                    filler, leader = (users[x] for x in FILLERS[unit])
                    on = issued + dt.timedelta(days=3 + len(unit) % 5)
                    ret = services.save_values(filler, ret, version=ret.version, raw=_values(code, unit, year, part))
                    ret = services.submit(filler, ret, version=ret.version, on=on)
                    if last_round and code == "FZ-02" and unit == "YX-CGJ":
                        continue  # awaiting its leader's approval
                    ret = services.approve(leader, ret, version=ret.version, on=on + dt.timedelta(days=2))
                    services.accept(coordinator, ret, version=ret.version, on=on + dt.timedelta(days=4))
