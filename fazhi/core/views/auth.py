"""Login, logout and password change (等保2.0 三级 身份鉴别).

Login failures and successes are audited by ``fazhi.core.signals``; django-axes counts the
failures and locks the account (see ``fazhi.core.security.lockout_response``).
"""
from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import transaction
from django.urls import path, reverse_lazy

from .. import audit
from ..security import lockout_minutes

# One message for every refusal: it must not tell a wrong name from a wrong password.
INVALID_LOGIN = "用户名或密码错误。"


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": INVALID_LOGIN,
        # Django checks is_active only after the password matched; the same text keeps
        # a disabled account indistinguishable from a wrong password.
        "inactive": INVALID_LOGIN,
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "用户名"
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autofocus": True})
        self.fields["password"].label = "密码"
        self.fields["password"].widget = forms.PasswordInput(attrs={"autocomplete": "current-password"})


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["failure_limit"] = settings.AXES_FAILURE_LIMIT
        ctx["lockout_minutes"] = lockout_minutes()
        return ctx


class LogoutView(auth_views.LogoutView):
    """POST only (Django refuses GET with 405): a link or image cannot log a user out."""

    next_page = reverse_lazy("core:login")


class ChineseLabelsPasswordChangeForm(PasswordChangeForm):
    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields["old_password"].label = "原密码"
        self.fields["new_password1"].label = "新密码"
        self.fields["new_password2"].label = "确认新密码"
        self.error_messages = {
            **self.error_messages,
            "password_incorrect": "原密码不正确，请重新输入。",
            "password_mismatch": "两次输入的新密码不一致。",
        }


class PasswordChangeView(LoginRequiredMixin, auth_views.PasswordChangeView):
    template_name = "core/password_change.html"
    form_class = ChineseLabelsPasswordChangeForm
    success_url = reverse_lazy("core:password_change_done")

    def form_valid(self, form):
        # The new hash and its audit record commit together or not at all.
        with transaction.atomic():
            response = super().form_valid(form)
            # The hash itself is never written to the audit trail.
            audit.record("password_change", actor=self.request.user, obj=self.request.user,
                         changes={"密码": ["（已隐藏）", "（已修改）"]})
        return response


class PasswordChangeDoneView(LoginRequiredMixin, auth_views.PasswordChangeDoneView):
    template_name = "core/password_change_done.html"


urlpatterns = [
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("password/", PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", PasswordChangeDoneView.as_view(), name="password_change_done"),
]
