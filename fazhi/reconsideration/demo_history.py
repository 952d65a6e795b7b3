"""Demo history of 行政复议 for 云溪区: about 300 cases received in 2024–2025, plus a dozen current ones.

Every case goes through ``services`` (register, 补正, accept or 视为受理, copy, reply, hearing,
suspension, extension, decision, service …) with a fixed random seed, so the audit trail, the
clocks and the figures are those the system would have produced. Every date is a working day of
the real calendar; some applications arrive on the last working day before 春节 or 国庆, so their
5-working-day review spans the holiday.

Proportions (order of magnitude from the seed reports: 宝安 2023 直接纠错率 7.8%, 蓟州 纠错率 24%;
national 2024 白皮书 12.07%): about 7% 不予受理, 2% 视为放弃, 8% 补正 first; among accepted cases
about 40% 维持, 14% 驳回复议请求, 12% corrected (撤销、确认违法、变更、责令履行、确认无效), 27%
调解、和解撤回、撤回; a quarter under the simplified procedure; a few extensions, hearings,
suspensions, late replies and late conclusions.

The history ends on 2025-12-31 (or earlier if today is earlier: nothing is ever dated after today).
The current cases are received in the weeks before today, so the inbox has running clocks on the
day the demo is loaded; then ``services.tick`` runs as the daily job would have.

Idempotent: an audit record marks the load for the government; a second load does nothing.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from fazhi.core import audit, clocks
from fazhi.core.demo import register_demo_loader
from fazhi.core.models import AuditRecord
from fazhi.core.workdays import get_calendar

SEED = 20240101
HISTORY_CASES = 290
HISTORY_START = dt.date(2024, 1, 2)
HISTORY_END = dt.date(2025, 12, 31)
MARKER = "reconsideration.demo_history"

audit.register_action(MARKER, "载入行政复议演示案件")

# Respondents (unit code, weight): the 综合执法, 住建, 市场监管 and 公安 departments draw most cases.
RESPONDENTS = [
    ("YX-CGJ", 16), ("YX-ZJJ", 14), ("YX-SCJG", 14), ("YX-GAFJ", 12), ("YX-RSJ", 9), ("YX-ZRZY", 8),
    ("YX-STHJ", 5), ("YX-QS", 5), ("YX-BS", 4), ("YX-JTJ", 4), ("YX-WJJ", 3), ("YX-LX", 3), ("YX-SH", 3),
    ("YX-BGS", 3), ("YX-MZJ", 2), ("YX-JYJ", 2), ("YX-YJJ", 2), ("YX-NYJ", 2), ("YX-GYQ", 2), ("YX-SWJ", 1),
    ("YX-WLJ", 1),
]
# Acts by unit: (description, simplified ground or "", amount).
ACTS = {
    "YX-CGJ": [("责令限期拆除违法建设决定", "", None), ("占道经营罚款 200 元", "on_the_spot", 200),
               ("户外广告设置行政处罚决定（罚款 5000 元）", "", 5000), ("查封扣押经营工具", "", None)],
    "YX-ZJJ": [("责令限期拆除违法建设决定", "", None), ("建设工程施工许可不予许可决定", "", None),
               ("物业服务企业罚款 3000 元", "amount", 3000), ("政府信息公开申请答复（不予公开）", "disclosure", None)],
    "YX-SCJG": [("食品经营行政处罚决定（没收违法所得并罚款 2 万元）", "", 20000), ("警告", "warning", None),
                ("投诉不予受理告知", "", None), ("罚款 2000 元（标签不合格）", "amount", 2000)],
    "YX-GAFJ": [("治安管理处罚决定（行政拘留 5 日）", "", None), ("治安管理处罚决定（罚款 500 元）", "amount", 500),
                ("交通违法罚款 200 元", "on_the_spot", 200), ("户籍登记不予办理决定", "", None)],
    "YX-RSJ": [("工伤认定决定", "", None), ("不予认定工伤决定", "", None), ("劳动保障监察投诉处理决定", "", None)],
    "YX-ZRZY": [("土地行政处罚决定", "", None), ("不动产登记行为", "", None), ("政府信息公开申请答复", "disclosure", None)],
    "YX-STHJ": [("环境违法行为罚款 10 万元", "", 100000), ("责令停产整治决定", "", None)],
    "YX-QS": [("强制拆除违法建筑行为", "", None), ("政府信息公开申请答复", "disclosure", None)],
    "YX-BS": [("强制拆除违法建筑行为", "", None), ("未履行法定职责（违建举报未处理）", "", None)],
    "YX-JTJ": [("道路运输行政处罚（罚款 2000 元）", "amount", 2000), ("出租汽车经营许可注销决定", "", None)],
    "YX-WJJ": [("医疗机构行政处罚决定", "", None), ("通报批评", "warning", None)],
    "YX-LX": [("集体土地征收补偿安置行为", "", None), ("政府信息公开申请答复", "disclosure", None)],
    "YX-SH": [("责令恢复土地原状决定", "", None)],
    "YX-BGS": [("政府信息公开申请答复（信息不存在）", "disclosure", None), ("政府信息公开申请逾期未答复", "disclosure", None)],
    "YX-MZJ": [("最低生活保障不予批准决定", "", None)],
    "YX-JYJ": [("民办学校办学许可不予许可决定", "", None)],
    "YX-YJJ": [("安全生产行政处罚决定（罚款 3 万元）", "", 30000)],
    "YX-NYJ": [("农药经营行政处罚决定", "", None)],
    "YX-GYQ": [("企业扶持资金不予兑现决定", "", None)],
    "YX-SWJ": [("河道管理范围内违法建设处罚决定", "", None)],
    "YX-WLJ": [("娱乐场所警告", "warning", None)],
}
# Personas who answer for their unit; elsewhere the office records the reply it received.
REPLIERS = {"YX-ZJJ": "住建局经办人", "YX-SCJG": "市监局经办人", "YX-CGJ": "城管局经办人", "YX-QS": "青石街道经办人"}

# Among accepted cases (weights): 12% corrected; 27% mediated, settled or withdrawn.
OUTCOMES = [
    ("upheld", 40), ("dismissed_request", 14), ("dismissed_application", 3), ("revoked", 4), ("revoked_redo", 2),
    ("confirmed_illegal", 3.5), ("altered", 1), ("ordered_performance", 1), ("confirmed_void", 0.5),
    ("mediated", 8), ("settled_withdrawn", 10), ("withdrawn", 9), ("terminated", 1),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超",
         "秀兰", "霞", "平", "刚", "桂英", "建华", "志强", "海燕", "文静", "晓东", "春梅", "国庆"]
COMPANIES = ["云溪区宏达建材有限公司", "云溪区青禾餐饮管理有限公司", "云溪区顺通物流有限公司", "云溪区佳美装饰工程有限公司",
             "云溪区松湖农业专业合作社", "云溪区白沙商贸有限公司", "云溪区新源环保科技有限公司"]
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


@dataclass(frozen=True)
class Plan:
    received: dt.date
    review: str  # accept, refuse, correct (补正 then accept), abandon (补正, not corrected), deem (视为受理)
    outcome: str  # Case.Outcome value, if the case is accepted
    late_application: bool  # after the 60-day period (第二十条): flagged
    reply: str  # on_time, late, none
    late_end: bool  # concluded after the trial period


class _Stop(Exception):
    """The next step would be dated after today: the case stays open where it is."""


class _Demo:
    def __init__(self, demo, office, today: dt.date):
        from . import services

        self.s = services
        self.demo = demo
        self.office = office
        self.cal = get_calendar()
        self.today = today
        self.rng = random.Random(SEED + 1)  # details; the plan has its own stream
        self.staff = demo.users["复议专员"]
        self.leader = demo.users["司法局负责人"]

    # --- dates -----------------------------------------------------------------------------
    def wd(self, day: dt.date, n: int) -> dt.date:
        return self.cal.add_workdays(day, n) if n > 0 else self.cal.next_workday(day)

    def back(self, day: dt.date, n: int) -> dt.date:
        """The n-th working day before ``day``."""
        while n > 0:
            day -= dt.timedelta(days=1)
            if self.cal.is_workday(day):
                n -= 1
        return day

    def on(self, day: dt.date) -> dt.date:
        day = self.cal.next_workday(day)
        if day > self.today:
            raise _Stop
        return day

    # --- people ----------------------------------------------------------------------------
    def applicant(self) -> dict:
        r = self.rng
        if r.random() < 0.15:
            code = "91" + "".join(r.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(16))
            return {"kind": "legal", "name": r.choice(COMPANIES), "id_number": code,
                    "phone": f"0731-{r.randint(2000000, 8999999)}", "address": "云溪区"}
        body = f"430103{r.randint(1955, 2003)}{r.randint(1, 12):02d}{r.randint(1, 28):02d}{r.randint(100, 999)}"
        check = ID_CHECK[sum(int(c) * w for c, w in zip(body, ID_WEIGHTS)) % 11]
        return {"name": r.choice(SURNAMES) + r.choice(GIVEN), "id_number": body + check,
                "phone": f"1{r.choice('3578')}{r.randint(100000000, 999999999)}",
                "address": f"云溪区{r.choice(['青石街道', '白沙街道', '柳溪镇', '松湖镇'])}{r.randint(1, 200)}号"}

    def replier(self, code: str):
        key = REPLIERS.get(code)
        return self.demo.users.get(key, self.staff) if key else self.staff

    # --- one case ----------------------------------------------------------------------------
    def register(self, received: dt.date, *, late: bool = False, simplified_ok: bool = True):
        r = self.rng
        code = r.choices([c for c, _w in RESPONDENTS], [w for _c, w in RESPONDENTS])[0]
        act, ground, amount = r.choice(ACTS[code])
        known = received - dt.timedelta(days=r.randint(75, 150) if late else r.randint(3, 50))
        act_date = known - dt.timedelta(days=r.choice([0, 0, 1, 2, 5]))
        simplified = bool(ground) and simplified_ok and r.random() < 0.75
        channel = r.choices(["online", "counter", "mail"], [35, 50, 15])[0]
        case, _code = self.s.do_register(
            None if channel == "online" else self.staff, office=self.office, channel=channel, received_on=received,
            respondent_unit=self.demo.units[code], act_description=act, act_date=act_date, act_known_on=known,
            applicants=[self.applicant()], request="请求撤销该行政行为" if r.random() < 0.8 else "请求确认该行政行为违法",
            procedure_type="simplified" if simplified else "ordinary", simplified_ground=ground if simplified else "",
            amount=amount)
        return case

    def accept(self, case, on: dt.date):
        return self.s.do_accept(case, self.staff, version=case.version, on=self.on(on),
                                procedure_type=case.procedure_type, simplified_ground=case.simplified_ground,
                                amount=case.amount, reviewer=self.staff)

    def review(self, case, plan: str):
        """补正, refusal, 视为受理 or acceptance; returns the case (None when it ends here)."""
        r, s = self.rng, self.s
        received = case.received_on
        if plan == "refuse":
            s.do_refuse(case, self.staff, version=case.version, on=self.on(self.wd(received, r.randint(2, 5))),
                        reason=r.choice(["申请人与被申请复议的行政行为没有利害关系（《行政复议法》第三十条第一款第二项）。",
                                         "不属于行政复议范围（《行政复议法》第十二条）。",
                                         "超过法定申请期限且无正当理由（《行政复议法》第二十条）。",
                                         "已就同一行政行为提起行政诉讼，人民法院已经依法受理。"]))
            return None
        if plan in ("correct", "abandon"):
            notice = self.on(self.wd(received, r.randint(1, 4)))
            case = s.do_request_correction(case, self.staff, version=case.version, on=notice,
                                           items="请补充申请人身份证明复印件和被申请复议的行政行为文书。")
            if plan == "abandon":
                due = clocks.clock_of(case, "correction").due_date
                s.do_abandon(case, self.staff, version=case.version, on=self.on(self.wd(due, r.randint(1, 3))))
                return None
            case = s.do_receive_correction(case, self.staff, version=case.version,
                                           on=self.on(self.wd(notice, r.randint(3, 9))))
            restarted = clocks.clock_of(case, "acceptance").started_on  # 第三十一条: review runs again
            return self.accept(case, self.wd(restarted, r.randint(1, 4)))
        if plan == "deem":
            due = clocks.clock_of(case, "acceptance").due_date
            self.on(due + dt.timedelta(days=1))
            return s.do_deem_accepted(case, self.staff, version=case.version, today=due + dt.timedelta(days=1))
        return self.accept(case, self.wd(received, r.choices([1, 2, 3, 4, 5], [10, 20, 30, 25, 15])[0]))

    def trial(self, case, outcome: str, *, late_end: bool = False, reply: str = "on_time") -> None:
        r, s = self.rng, self.s
        acc = case.accepted_on
        simple = case.procedure_type == "simplified"
        copy_on = self.on(self.wd(acc, r.randint(1, 3 if simple else 6)))
        case = s.do_send_copy(case, self.staff, version=case.version, on=copy_on)
        last = copy_on
        if reply != "none":
            limit = 5 if simple else 10
            gap = r.randint(2, limit) if reply == "on_time" else r.randint(limit + 2, limit + 6)
            reply_on = self.on(self.wd(copy_on, gap))
            s.do_record_reply(case, self.replier(case.respondent_unit.code), version=case.version, on=reply_on,
                              summary="被申请人认为行政行为认定事实清楚、证据确凿、适用依据正确、程序合法。")
            case = s.Case.objects.get(pk=case.pk)
            last = reply_on
        if simple and r.random() < 0.08:  # 第五十五条
            conv = self.on(self.wd(last, r.randint(2, 6)))
            case = s.do_convert(case, self.staff, version=case.version, on=conv, approver=self.leader,
                                reason="案情复杂，需要听取各方意见")
            last, simple = conv, False
        if not simple and r.random() < 0.06:  # 听证, 第五十条、第五十一条
            held = self.wd(last, r.randint(10, 15))
            notice = self.on(self.back(held, r.randint(5, 7)))
            hearing = s.do_schedule_hearing(case, self.staff, version=case.version, held_on=self.on(held),
                                            notice_on=notice, place="云溪区行政复议听证室", presider="何佳宁",
                                            participants="申请人及其代理人、被申请人负责人及工作人员")
            case = s.Case.objects.get(pk=case.pk)
            s.do_record_hearing(case, self.staff, version=case.version, hearing_id=hearing.pk,
                                transcript="听证笔录：双方陈述意见并质证，申请人坚持复议请求。",
                                respondent_head_attended=r.random() < 0.8)
            case = s.Case.objects.get(pk=case.pk)
            last = held
        if not simple and r.random() < 0.03:  # 第五十二条
            on = self.on(self.wd(last, r.randint(1, 5)))
            s.do_consult(case, self.staff, version=case.version, on=on, ground=r.choice("124"),
                         opinion="委员会多数意见认为原行政行为适用依据错误。")
            case = s.Case.objects.get(pk=case.pk)
            last = on
        if r.random() < 0.04:  # 中止, 第三十九条
            sus = self.on(self.wd(last, r.randint(2, 8)))
            case = s.do_suspend(case, self.staff, version=case.version, on=sus, ground=r.choice("688"),
                                reason="需等待相关案件审理结果", notice_on=sus)
            res = self.on(sus + dt.timedelta(days=r.randint(15, 45)))
            case = s.do_resume(case, self.staff, version=case.version, on=res, notice_on=res)
            last = res
        due = clocks.clock_of(case, "trial").due_date
        if not simple and r.random() < 0.10 and self.cal.next_workday(due - dt.timedelta(days=8)) > last:
            ext = self.on(self.cal.next_workday(due - dt.timedelta(days=r.randint(5, 10))))
            case = s.do_extend(case, self.staff, version=case.version, on=ext, days=30, approver=self.leader,
                               notice_on=ext, reason="案情复杂，需要进一步调查取证")
            due = clocks.clock_of(case, "trial").due_date
            last = ext
        if late_end:
            end = self.wd(due, r.randint(2, 10))
        else:
            span = (due - acc).days
            end = acc + dt.timedelta(days=r.randint(int(span * 0.45), span))
            if end <= last:
                end = self.wd(last, 1)
            end = self.back(end + dt.timedelta(days=1), 1)  # the working day on or before ``end``
            if end <= last:
                end = self.wd(last, 1)
        end = self.on(end)
        case = self.conclude(case, outcome, end)
        self.s.do_serve(case, self.staff, version=case.version, on=self.on(self.wd(end, r.randint(1, 4))))
        if case.outcome in ("revoked", "confirmed_illegal") and r.random() < 0.15:  # 第七十六条
            letter = s.do_issue_opinion(case, self.staff, on=end, recipient=case.respondent_unit,
                                        content="建议规范调查取证程序，完善行政处罚案件法制审核。")
            back_on = end + dt.timedelta(days=r.randint(30, 58))
            if back_on <= self.today:
                s.do_record_opinion_reply(letter, self.staff, version=letter.version, on=self.on(back_on),
                                          text="已组织专题整改，修订案件法制审核清单。")

    def conclude(self, case, outcome: str, on: dt.date):
        s = self.s
        if outcome == "mediated":
            return s.do_mediate(case, self.staff, version=case.version, on=on, summary="双方自愿达成调解协议。")
        if outcome in ("withdrawn", "settled_withdrawn"):
            return s.do_withdraw(case, self.staff, version=case.version, on=on, settled=outcome == "settled_withdrawn",
                                 reason="申请人自愿撤回行政复议申请。")
        if outcome == "terminated":
            return s.do_terminate(case, self.staff, version=case.version, on=on, ground="2",
                                  reason="申请人死亡，其近亲属书面表示放弃行政复议权利。")
        return s.do_decide(case, self.staff, version=case.version, on=on, outcome=outcome,
                           reason="经审查，依照《行政复议法》作出本决定。")

    # --- the whole history --------------------------------------------------------------------
    def history_dates(self, rng: random.Random, count: int) -> list[dt.date]:
        end = min(HISTORY_END, self.today - dt.timedelta(days=100))
        days = [HISTORY_START + dt.timedelta(days=i) for i in range((end - HISTORY_START).days + 1)]
        days = [d for d in days if self.cal.is_workday(d)]
        # The last working day before each long holiday (春节, 国庆 …): the review spans it.
        eves = [d for d in days if all(not self.cal.is_workday(d + dt.timedelta(days=k)) for k in (1, 2, 3))]
        eves = eves[:count]
        return sorted(eves + rng.sample(days, max(0, count - len(eves))))

    def plan(self, count: int = HISTORY_CASES) -> list[Plan]:
        """What happens to each historic case, drawn before anything is written (so it can be checked alone)."""
        rng = random.Random(SEED)
        plans = []
        for received in self.history_dates(rng, count):
            plans.append(Plan(
                received=received,
                review=rng.choices(["accept", "refuse", "correct", "abandon", "deem"], [81, 7, 8, 2, 2])[0],
                outcome=rng.choices([o for o, _w in OUTCOMES], [w for _o, w in OUTCOMES])[0],
                late_application=rng.random() < 0.05,
                reply=rng.choices(["on_time", "late", "none"], [93, 5, 2])[0],
                late_end=rng.random() < 0.06))
        return plans

    def run_history(self, count: int = HISTORY_CASES) -> int:
        n = 0
        for p in self.plan(count):
            try:
                case = self.register(p.received, late=p.late_application)
                n += 1
                case = self.review(case, p.review)
                if case is not None:
                    self.trial(case, p.outcome, late_end=p.late_end, reply=p.reply)
            except _Stop:
                continue
        return n

    def run_current(self) -> int:
        """A dozen cases received in the weeks before today, left open at each stage."""
        s, t = self.s, self.back(self.today + dt.timedelta(days=1), 1)  # today, or the last working day before
        made = 0

        def reg(back_days, **kw):
            nonlocal made
            made += 1
            return self.register(self.back(t, back_days), **kw)

        for k in (0, 1, 3):  # under review, clocks running
            reg(k)
        reg(2, late=True)  # flagged: after the 60-day period (第二十条)
        expired = reg(7)  # review period over, nothing decided: the daily run records 视为受理
        assert expired is not None
        c = reg(6)
        s.do_request_correction(c, self.staff, version=c.version, on=self.wd(c.received_on, 2),
                                items="请补充被申请复议的行政处罚决定书复印件。")
        for back_days, reply in ((30, "done"), (25, "done"), (12, "pending"), (22, "missing")):
            c = reg(back_days, simplified_ok=False)
            c = self.accept(c, self.wd(c.received_on, 3))
            c = s.do_send_copy(c, self.staff, version=c.version, on=self.wd(c.accepted_on, 2))
            if reply == "done":
                s.do_record_reply(c, self.replier(c.respondent_unit.code), version=c.version,
                                  on=self.wd(c.copy_sent_on, 6), summary="被申请人已提交书面答复和证据。")
        c = reg(35, simplified_ok=False)
        c = self.accept(c, self.wd(c.received_on, 2))
        c = s.do_send_copy(c, self.staff, version=c.version, on=self.wd(c.accepted_on, 2))
        s.do_suspend(c, self.staff, version=c.version, on=self.back(t, 4), ground="8",
                     reason="本案需以相关行政诉讼案件的审理结果为依据", notice_on=self.back(t, 4))
        c = reg(32, simplified_ok=False)
        c = self.accept(c, self.wd(c.received_on, 3))
        c = s.do_send_copy(c, self.staff, version=c.version, on=self.wd(c.accepted_on, 1))
        s.do_record_reply(c, self.staff, version=c.version, on=self.wd(c.copy_sent_on, 5), summary="已答复。")
        c = s.Case.objects.get(pk=c.pk)
        s.do_decide(c, self.staff, version=c.version, on=self.back(t, 1), outcome="upheld", reason="维持。")
        return made


@register_demo_loader
def load_history(demo, *, cases: int = HISTORY_CASES) -> None:
    from . import services

    gov = demo.units.get("YX")
    office = services.office_of(gov) if gov is not None else None
    if office is None or "复议专员" not in demo.users:
        return
    if AuditRecord.objects.filter(action=MARKER, unit=gov).exists():
        return
    today = clocks.today()
    d = _Demo(demo, office, today)
    history = d.run_history(cases)
    current = d.run_current()
    done = services.tick(today)
    audit.record(MARKER, obj=office, unit=gov, changes={
        "历史案件": history, "在办案件": current, "随机种子": SEED,
        "每日检查": {k: len(v) for k, v in done.items()}})
