from django.db import models

from fazhi.core.models import Matter

from .procedure import PROCEDURE


class SampleMatter(Matter):
    title = models.CharField(max_length=100, blank=True)
    has_materials = models.BooleanField(default=False)

    procedure = PROCEDURE

    def __str__(self):
        return self.title or f"样例事项 {self.pk}"

    def get_absolute_url(self):
        return f"/sample/{self.pk}/"
