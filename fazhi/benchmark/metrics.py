"""Vocabulary codes the benchmark extractor needs that the shared vocabulary lacks (issue 5).

Registered without a source (their values come from imported reports); a module that records the
data may later register the same code with a computation and the registry uses that one.
"""
from fazhi.core.metrics import Metric, register

EXTRA_VOCABULARY = [
    Metric("reconsideration.handled", "办理行政复议案件", "件",
           formula="统计期内办理的行政复议案件数（含上年结转和本年新收），报告常以“办理复议案件”表述。"),
    Metric("normdocs.filing_reviewed", "备案审查的规范性文件", "件",
           formula="统计期内本级对下级政府和部门报送备案的行政规范性文件进行备案审查的件数。"),
    Metric("mediation.administrative_cases", "行政调解案件", "件",
           formula="统计期内行政机关（含专业行政调解组织）开展行政调解的案件数。"),
]

for _metric in EXTRA_VOCABULARY:
    register(_metric)
