"""Password policy (等保2.0 三级 身份鉴别: 口令复杂度)."""
import re

from django.core.exceptions import ValidationError

_CLASSES = [
    (re.compile(r"[a-z]"), "小写字母"),
    (re.compile(r"[A-Z]"), "大写字母"),
    (re.compile(r"[0-9]"), "数字"),
    (re.compile(r"[^A-Za-z0-9]"), "符号"),
]


class ComplexityValidator:
    """At least three of: lower case, upper case, digits, symbols."""

    def validate(self, password, user=None):
        present = sum(1 for rx, _ in _CLASSES if rx.search(password or ""))
        if present < 3:
            raise ValidationError(
                "密码须至少包含大写字母、小写字母、数字、符号中的三类。", code="password_too_simple"
            )

    def get_help_text(self):
        return "密码须至少包含大写字母、小写字母、数字、符号中的三类。"
