from django.apps import AppConfig


class ReconsiderationConfig(AppConfig):
    name = "fazhi.reconsideration"
    label = "reconsideration"
    verbose_name = "行政复议"

    def ready(self) -> None:
        from fazhi.core import audit
        from fazhi.core.procedure import register_rules

        from . import checks, demo, demo_history  # noqa: F401  (settings check; demo loaders register themselves)
        from .procedure import ACTION_LABELS, RULES

        # Declared rules are synced into ClockRule rows after migrate (fazhi.core.procedure).
        register_rules(RULES)
        for code, label in ACTION_LABELS.items():
            audit.register_action(code, label)
