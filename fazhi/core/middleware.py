"""Request id (for the audit trail), API token authentication, extra security headers."""
from __future__ import annotations

import hashlib
import re
import uuid

from django.utils import timezone

from .audit import client_ip_var, request_id_var

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = rid
        t1 = request_id_var.set(rid)
        t2 = client_ip_var.set(request.META.get("REMOTE_ADDR", ""))
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(t1)
            client_ip_var.reset(t2)
        response["X-Request-ID"] = rid
        return response


class ApiTokenMiddleware:
    """``Authorization: Bearer <token>`` on /api/ authenticates as the token's user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        auth = request.headers.get("Authorization", "")
        if request.path.startswith("/api/") and auth.startswith("Bearer "):
            from .models import ApiToken

            key = auth[7:].strip()
            token = (
                ApiToken.objects.select_related("user")
                .filter(key_hash=hashlib.sha256(key.encode()).hexdigest(), revoked=False)
                .first()
            )
            now = timezone.now()
            if token and token.user.is_active and (token.expires_at is None or token.expires_at > now):
                ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
                request.user = token.user
                request.api_token = token
                request._dont_enforce_csrf_checks = True  # no cookie, no CSRF risk
        return self.get_response(request)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.user.is_authenticated if hasattr(request, "user") else False:
            response.setdefault("Cache-Control", "no-store")
        return response
