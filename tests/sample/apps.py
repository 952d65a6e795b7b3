from django.apps import AppConfig


class SampleConfig(AppConfig):
    name = "tests.sample"
    label = "sample"
    verbose_name = "样例程序（仅测试）"
