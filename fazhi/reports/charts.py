"""Charts of the report as PNG, drawn with matplotlib (Agg, no pyplot) in a CJK font shipped as a
Python package (noto-cjk-sans-otc: Noto Sans CJK, SIL OFL), so Chinese labels render on a server
without any system font. Missing values are drawn as gaps and labelled 数据缺失, never as 0."""
from __future__ import annotations

import hashlib
import io
import json
import os
import threading
from pathlib import Path

from .compiler import Chart, format_value

_lock = threading.Lock()
_font = None
FONT_FAMILY = "Noto Sans CJK SC"
COLOR = "#1f4e79"


def _setup():
    global _font
    if _font is not None:
        return _font
    with _lock:
        if _font is None:
            os.environ.setdefault("MPLBACKEND", "Agg")
            from matplotlib import font_manager
            import noto_cjk_sans_otc

            font_manager.fontManager.addfont(str(noto_cjk_sans_otc.FONT_PATH))
            _font = font_manager.FontProperties(family=FONT_FAMILY)
    return _font


# A chart is a pure function of its data: its PNG is kept on disk under a hash of everything drawn,
# so compiling again with unchanged figures needs neither matplotlib's import (about 1 s) nor drawing.
# Bump RENDER_VERSION whenever render() draws differently.
RENDER_VERSION = "1"


def _cache_file(chart: Chart) -> Path | None:
    from django.conf import settings

    root = getattr(settings, "REPORT_CHART_CACHE", None)
    if root is None:
        root = Path(settings.VAR_DIR) / "cache" / "report-charts"
    if not root:
        return None
    data = json.dumps([RENDER_VERSION, FONT_FAMILY, chart.kind, chart.title, chart.codes, chart.labels,
                       [None if v is None else str(v) for v in chart.values], chart.years], ensure_ascii=False)
    return Path(root) / (hashlib.sha256(data.encode("utf-8")).hexdigest() + ".png")


def render(chart: Chart) -> bytes:
    """The chart as PNG bytes, from the cache when the same data was drawn before."""
    path = _cache_file(chart)
    if path is not None and path.is_file():
        return path.read_bytes()
    png = draw(chart)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(png)
            os.replace(tmp, path)  # atomic: a concurrent reader never sees half a file
        except OSError:
            pass  # a read-only disk only costs the speed-up
    return png


def draw(chart: Chart) -> bytes:
    """The chart as PNG bytes (15 × 8 cm at 160 dpi: sharp in print, small in the DOCX)."""
    font = _setup()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.0, 3.2), dpi=160)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    unit = "%" if chart.kind == "trend" and chart.labels and chart.title.endswith("率") else ""
    if chart.kind == "bar":
        labels = [label.replace("复议决定", "").replace("行政复议", "") or label for label in chart.labels]
        xs = range(len(labels))
        heights = [v if v is not None else 0 for v in chart.values]
        bars = ax.bar(xs, heights, color=COLOR, width=0.6)
        for bar, v in zip(bars, chart.values):
            ax.annotate("数据缺失" if v is None else format_value(v, unit), (bar.get_x() + bar.get_width() / 2,
                        bar.get_height()), ha="center", va="bottom", fontproperties=font, fontsize=8,
                        xytext=(0, 2), textcoords="offset points")
        ax.set_xticks(list(xs))
        ax.set_xticklabels(labels, fontproperties=font, fontsize=8)
    else:
        xs = [str(y) + "年" for y in chart.years]
        points = [(x, v) for x, v in zip(xs, chart.values) if v is not None]
        ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", color=COLOR)
        ax.set_xticks(range(len(xs)))
        ax.set_xticklabels(xs, fontproperties=font, fontsize=9)
        for i, v in enumerate(chart.values):
            ax.annotate("数据缺失" if v is None else format_value(v, unit), (i, v or 0), ha="center", va="bottom",
                        fontproperties=font, fontsize=8, xytext=(0, 4), textcoords="offset points")
        ax.set_xlim(-0.5, len(xs) - 0.5)
    ax.set_title(chart.title, fontproperties=font, fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    ax.margins(y=0.2)
    ax.set_ylim(bottom=0)
    for label in ax.get_yticklabels():
        label.set_fontproperties(font)
        label.set_fontsize(8)
    fig.subplots_adjust(left=0.08, right=0.98, top=0.88, bottom=0.14)
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def render_all(compiled) -> None:
    for block in compiled.blocks:
        for chart in block.charts:
            if chart.png is None and not chart.empty:
                chart.png = render(chart)
