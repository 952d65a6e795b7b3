from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "fazhi.reports"
    label = "reports"
    verbose_name = "年度报告"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import demo  # noqa: F401  (registers the demo loader)
