"""The demo government: 云溪区 (fictional), its departments and 街镇, and users of every role.

Idempotent: loading twice changes nothing. Later modules add their demo data through
``register_demo_loader`` so `fazhi demo load` fills every module.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from django.conf import settings
from django.db import transaction

from . import audit
from .models import Membership, Role, Unit, User

GOVERNMENT = ("YX", "云溪区人民政府", "云溪区政府")

# (code, name, short name, kind)
UNITS = [
    ("YX-BGS", "云溪区人民政府办公室", "区政府办", "department"),
    ("YX-SFJ", "云溪区司法局", "区司法局", "department"),
    ("YX-FGJ", "云溪区发展和改革局", "区发改局", "department"),
    ("YX-JYJ", "云溪区教育局", "区教育局", "department"),
    ("YX-GAFJ", "云溪区公安分局", "区公安分局", "department"),
    ("YX-MZJ", "云溪区民政局", "区民政局", "department"),
    ("YX-CZJ", "云溪区财政局", "区财政局", "department"),
    ("YX-RSJ", "云溪区人力资源和社会保障局", "区人社局", "department"),
    ("YX-ZRZY", "云溪区自然资源分局", "区自然资源分局", "department"),
    ("YX-STHJ", "云溪区生态环境分局", "区生态环境分局", "department"),
    ("YX-ZJJ", "云溪区住房和城乡建设局", "区住建局", "department"),
    ("YX-JTJ", "云溪区交通运输局", "区交通局", "department"),
    ("YX-SWJ", "云溪区水务局", "区水务局", "department"),
    ("YX-NYJ", "云溪区农业农村局", "区农业农村局", "department"),
    ("YX-WLJ", "云溪区文化广电旅游体育局", "区文旅局", "department"),
    ("YX-WJJ", "云溪区卫生健康局", "区卫健局", "department"),
    ("YX-YJJ", "云溪区应急管理局", "区应急局", "department"),
    ("YX-SCJG", "云溪区市场监督管理局", "区市场监管局", "department"),
    ("YX-CGJ", "云溪区城市管理和综合执法局", "区城管执法局", "department"),
    ("YX-ZSJ", "云溪区政务服务数据管理局", "区政数局", "department"),
    ("YX-QS", "云溪区青石街道办事处", "青石街道", "subdistrict"),
    ("YX-BS", "云溪区白沙街道办事处", "白沙街道", "subdistrict"),
    ("YX-LX", "云溪区柳溪镇人民政府", "柳溪镇", "subdistrict"),
    ("YX-SH", "云溪区松湖镇人民政府", "松湖镇", "subdistrict"),
    ("YX-GYQ", "云溪区高新技术产业园区管理委员会", "高新区管委会", "other"),
]


@dataclass(frozen=True)
class Persona:
    key: str  # the persona's name in tests (司法局协调员 …)
    username: str
    display_name: str
    unit: str
    role: str
    title: str


PERSONAS = [
    Persona("司法局协调员", "sfj_coordinator", "林思远", "YX-SFJ", Role.COORDINATOR, "法治督察科科长"),
    Persona("司法局负责人", "sfj_leader", "周正清", "YX-SFJ", Role.LEADER, "局长"),
    Persona("复议专员", "sfj_reviewer", "何佳宁", "YX-SFJ", Role.COORDINATOR, "行政复议科"),
    Persona("住建局经办人", "zjj_operator", "王晓燕", "YX-ZJJ", Role.OPERATOR, "法规科"),
    Persona("住建局负责人", "zjj_leader", "陈国栋", "YX-ZJJ", Role.LEADER, "局长"),
    Persona("市监局经办人", "scjg_operator", "赵敏", "YX-SCJG", Role.OPERATOR, "法制审核科"),
    Persona("市监局负责人", "scjg_leader", "孙立新", "YX-SCJG", Role.LEADER, "局长"),
    Persona("城管局经办人", "cgj_operator", "刘洋", "YX-CGJ", Role.OPERATOR, "法制科"),
    Persona("城管局负责人", "cgj_leader", "许志强", "YX-CGJ", Role.LEADER, "局长"),
    Persona("青石街道经办人", "qingshi_operator", "吴芳", "YX-QS", Role.OPERATOR, "综合行政执法队"),
    Persona("青石街道负责人", "qingshi_leader", "韩雪梅", "YX-QS", Role.LEADER, "街道办事处主任"),
    Persona("白沙街道经办人", "baisha_operator", "邓伟", "YX-BS", Role.OPERATOR, "司法所"),
    Persona("白沙街道负责人", "baisha_leader", "唐丽华", "YX-BS", Role.LEADER, "街道办事处主任"),
    Persona("区政府负责人", "gov_leader", "郑海涛", "YX", Role.LEADER, "区长"),
    Persona("法律顾问", "advisor", "黄律师", "YX-SFJ", Role.ADVISOR, "区政府法律顾问"),
    Persona("人大监督员", "npc_auditor", "钱文华", "YX", Role.AUDITOR, "区人大常委会法工委"),
    Persona("系统管理员", "sysadmin", "系统管理员", "YX", Role.ADMIN, "信息中心"),
]
PERSONA_BY_KEY = {p.key: p for p in PERSONAS}


@dataclass
class DemoGovernment:
    government: Unit
    units: dict[str, Unit] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)  # by persona key

    def persona(self, key: str) -> User:
        return self.users[key]


_LOADERS: list[Callable[[DemoGovernment], None]] = []


def register_demo_loader(fn: Callable[[DemoGovernment], None]) -> Callable[[DemoGovernment], None]:
    """Modules add their demo data (cases, documents …) by registering a loader."""
    if fn not in _LOADERS:
        _LOADERS.append(fn)
    return fn


def _unit(code, name, short, kind, parent, order, level="") -> tuple[Unit, bool]:
    unit, created = Unit.objects.get_or_create(
        code=code, defaults=dict(name=name, short_name=short, kind=kind, parent=parent, sort_order=order, level=level)
    )
    return unit, created


@transaction.atomic
def load_demo(*, password: str | None = None, with_modules: bool = True) -> DemoGovernment:
    password = password or settings.FAZHI_DEMO_PASSWORD
    gov, created = _unit(*GOVERNMENT, "government", None, 0, level=Unit.Level.DISTRICT)
    demo = DemoGovernment(government=gov, units={gov.code: gov})
    new_units = int(created)
    for order, (code, name, short, kind) in enumerate(UNITS, start=1):
        unit, created = _unit(code, name, short, kind, gov, order)
        demo.units[code] = unit
        new_units += int(created)
    new_users = 0
    for p in PERSONAS:
        user = User.objects.filter(username=p.username).first()
        if user is None:
            user = User(username=p.username, display_name=p.display_name)
            user.set_password(password)
            user.save()
            new_users += 1
        Membership.objects.get_or_create(user=user, unit=demo.units[p.unit], role=p.role,
                                         defaults={"title": p.title})
        demo.users[p.key] = user
    if new_units or new_users:
        audit.record("demo.load", unit=gov, object_type="core.unit", object_id=str(gov.pk), object_repr=gov.name,
                     changes={"新建单位": new_units, "新建用户": new_users})
    if with_modules:
        for loader in _LOADERS:
            loader(demo)
    return demo
