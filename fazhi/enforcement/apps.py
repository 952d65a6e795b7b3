from django.apps import AppConfig


class EnforcementConfig(AppConfig):
    name = "fazhi.enforcement"
    label = "enforcement"
    verbose_name = "行政执法监督"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from fazhi.core import audit
        from fazhi.core.inbox import register_reminders

        from . import demo  # noqa: F401  (registers the demo loader)
        from .services import certificate_reminders

        # 执法证 validity: expiring certificates appear in every reader's 我的待办与期限.
        register_reminders("enforcement.certificates", "执法证件到期", certificate_reminders)

        for code, label in ACTIONS.items():
            audit.register_action(code, label)


ACTIONS = {
    "enforcement.import": "导入执法案件",
    "enforcement.check": "重新校验执法案件",
    "enforcement.sample": "案卷随机抽取",
    "enforcement.assign": "指派评查人员",
    "enforcement.score": "案卷评分",
    "enforcement.opinion.create": "制发监督意见书",
    "enforcement.complaint.create": "登记执法投诉",
    "enforcement.certificate": "执法证件变更",
}
