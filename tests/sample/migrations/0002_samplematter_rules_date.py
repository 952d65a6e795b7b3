from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("sample", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="samplematter",
            name="rules_date",
            field=models.DateField(blank=True, null=True, verbose_name="适用规则日期"),
        ),
    ]
