from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "fazhi.core"
    label = "core"
    verbose_name = "基础"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import signals  # noqa: F401  (audit hooks, login lockout logging)
        from .calendar_seed import seed_if_empty
        from .procedure import sync_declared_rules

        post_migrate.connect(sync_declared_rules, dispatch_uid="fazhi.core.sync_declared_rules")
        post_migrate.connect(seed_if_empty, dispatch_uid="fazhi.core.seed_calendar_if_empty")
