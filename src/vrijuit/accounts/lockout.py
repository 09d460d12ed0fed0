"""Hooks for django-axes: lock out per account, and keep no IP address."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def no_ip_address(request: HttpRequest) -> None:
    """Vrijuit stores no IP addresses, not even for failed logins (lockout is per account)."""
    return None


def username_key(request: HttpRequest, credentials: Any) -> str:
    """Count failures per address whatever its spelling (logins are case-insensitive)."""
    raw = ""
    if isinstance(credentials, dict):
        raw = credentials.get("username") or ""
    if not raw and request is not None and hasattr(request, "POST"):
        raw = request.POST.get("username", "")
    return str(raw).strip().lower()


def locked_out(
    request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    """The page shown instead of logging in while the account is locked out (HTTP 429)."""
    from django.conf import settings

    minutes = round(float(settings.AXES_COOLOFF_TIME) * 60)
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)
