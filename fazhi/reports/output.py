"""Rendering a compiled report: DOCX through fazhi.core.documents (GB/T 9704 layout, East-Asian fonts
in every style, “— 1 —” page numbers) and HTML (the preview page and a standalone file)."""
from __future__ import annotations

import base64

from django.template.loader import render_to_string

from fazhi.core.documents import OfficialDocument

from . import charts
from .compiler import Compiled


def to_docx(compiled: Compiled) -> bytes:
    charts.render_all(compiled)
    doc = OfficialDocument(title=compiled.title)
    for p in compiled.preamble:
        doc.paragraph(p.text)
    figure_no = 0
    for block in compiled.blocks:
        doc.heading(1 if block.level <= 1 else 2, block.heading)
        for p in block.paragraphs:
            doc.paragraph(p.text)
        for chart in block.charts:
            if chart.png:
                figure_no += 1
                doc.image(chart.png, width_mm=140, caption=f"图{figure_no}　{chart.title}")
            else:
                doc.paragraph(f"【数据缺失：图表“{chart.title}”无可用数据】")
    if compiled.date:
        doc.signature(compiled.issuer, compiled.date)
    doc.set_properties(title=compiled.title, author=compiled.issuer, subject=f"{compiled.year}年法治政府建设情况报告")
    return doc.to_bytes()


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def html_context(compiled: Compiled) -> dict:
    charts.render_all(compiled)
    figure_no = 0
    images = {}
    for block in compiled.blocks:
        for chart in block.charts:
            if chart.png:
                figure_no += 1
                images[id(chart)] = (figure_no, _data_uri(chart.png))
    blocks = [{"block": b, "charts": [{"chart": c, "no": images.get(id(c), (None, None))[0],
                                       "src": images.get(id(c), (None, None))[1]} for c in b.charts]}
              for b in compiled.blocks]
    return {"compiled": compiled, "blocks": blocks}


def to_html_fragment(compiled: Compiled) -> str:
    return render_to_string("reports/_report_body.html", html_context(compiled))


def to_html_file(compiled: Compiled) -> str:
    """A standalone HTML file (the command's --html): the report body and its own stylesheet."""
    return render_to_string("reports/standalone.html", {**html_context(compiled), "body": to_html_fragment(compiled)})
