from django.db import models

from fazhi.core.models import Matter

from .procedure import PROCEDURE


class SampleMatter(Matter):
    title = models.CharField(max_length=100, blank=True)
    has_materials = models.BooleanField(default=False)
    # The engine picks each clock's rule version by this date (a case filed under an older law
    # keeps its old limits); empty means "the date the clock starts".
    rules_date = models.DateField("适用规则日期", null=True, blank=True)

    procedure = PROCEDURE

    def __str__(self):
        return self.title or f"样例事项 {self.pk}"

    @property
    def state_label(self) -> str:
        return self.procedure.state_label(self.state)

    def get_absolute_url(self):
        return f"/sample/{self.pk}/"
