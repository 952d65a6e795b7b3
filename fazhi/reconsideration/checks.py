"""System check: the module's settings must have known values (a typo must not silently change a clock)."""
from django.conf import settings
from django.core.checks import Error, register

CONVERSION_CLOCK_MODES = ("from_acceptance", "from_conversion")


def conversion_clock_mode() -> str:
    """``FAZHI_RECONSIDERATION_CONVERSION_CLOCK``: how the 60-day trial period runs after a simplified
    case is converted to the ordinary procedure (《行政复议法》第五十五条 is silent, statutory-rules.md §8 item 2):
    ``from_acceptance`` (default, the common reading): 60 days from the original acceptance date;
    ``from_conversion``: 60 days from the conversion date."""
    return getattr(settings, "FAZHI_RECONSIDERATION_CONVERSION_CLOCK", "from_acceptance")


@register()
def check_conversion_clock(app_configs, **kwargs):
    mode = conversion_clock_mode()
    if mode not in CONVERSION_CLOCK_MODES:
        return [Error(f"FAZHI_RECONSIDERATION_CONVERSION_CLOCK 取值无效：{mode!r}",
                      hint="应为 from_acceptance（自受理之日起计算，默认）或 from_conversion（自转换之日起计算）。",
                      id="reconsideration.E001")]
    return []
