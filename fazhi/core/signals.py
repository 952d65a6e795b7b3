"""Signal hooks: login events go to the audit trail (等保2.0 安全审计)."""
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import audit


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit.record("login", actor=user, object_type="core.user", object_id=str(user.pk), object_repr=str(user))


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record("logout", actor=user, object_type="core.user", object_id=str(user.pk), object_repr=str(user))


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    name = str(credentials.get("username", ""))[:150]
    audit.record("login_failed", object_type="core.user", object_repr=name, changes={"用户名": name})


from axes.signals import user_locked_out  # noqa: E402


@receiver(user_locked_out)
def _locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    """等保2.0 安全审计: the lockout itself is an event, not only the failures before it."""
    name = str(username or "")[:150]
    audit.record("account_locked", object_type="core.user", object_repr=name,
                 changes={"用户名": name, "来源地址": ip_address or ""})
