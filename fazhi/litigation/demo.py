"""Demo data for 行政应诉 (filled by `fazhi demo load`); see load_litigation_demo."""
from fazhi.core.demo import register_demo_loader


@register_demo_loader
def load_litigation_demo(demo) -> None:
    return None
