from django.apps import AppConfig


class LitigationConfig(AppConfig):
    name = "fazhi.litigation"
    label = "litigation"
    verbose_name = "行政应诉"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The demo loader registers itself with fazhi.core.demo (`fazhi demo load` fills this module).
        from . import demo  # noqa: F401
