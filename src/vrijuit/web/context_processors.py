"""Template context shared by every page: the navigation for the user's roles."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from vrijuit.org import permissions


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"roles": []}
    return {"roles": permissions.roles_of(user)}
