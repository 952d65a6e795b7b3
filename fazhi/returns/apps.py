from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "fazhi.returns"
    label = "returns"
    verbose_name = "统计填报"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The returns source feeds the metrics registry; the demo loader registers itself.
        from . import demo, metrics  # noqa: F401
