"""Security baseline (等保2.0 三级 GB/T 22239-2019 身份鉴别; OWASP ASVS V2/V3).

- ``ComplexityValidator``: the password policy (口令复杂度).
- ``lockout_response``: the page shown when django-axes has locked an account after
  ``AXES_FAILURE_LIMIT`` failed logins (登录失败处理). It says when the lock ends and never
  whether the account exists: a name that has no account is locked exactly the same way.
"""
from __future__ import annotations

import math
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils import timezone

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


def lockout_minutes() -> int:
    """The lock duration in whole minutes (AXES_COOLOFF_TIME is in hours)."""
    from axes.helpers import get_cool_off

    cool_off = get_cool_off()
    return math.ceil(cool_off.total_seconds() / 60) if cool_off else 0


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the Chinese lock page, status 429.

    The lock counts from the latest failed attempt (axes refreshes it on every attempt made
    during the lock), so the end is that attempt's time plus the cool-off period.
    """
    from axes.helpers import get_cool_off

    cool_off = get_cool_off(request)
    attempt_time = getattr(request, "axes_attempt_time", None) or timezone.now()
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": lockout_minutes(),
        "unlock_at": attempt_time + cool_off if cool_off else None,
    }
    return render(request, "core/locked_out.html", context, status=429)
