from django.apps import AppConfig


class BenchmarkConfig(AppConfig):
    name = "fazhi.benchmark"
    label = "benchmark"
    verbose_name = "报告对标"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from fazhi.core import audit

        audit.register_action("benchmark.import", "导入法治政府建设报告")
        audit.register_action("benchmark.population", "修改对标报告的人口数")
