"""Permission-matrix rows of the roles page (administrators only) and the invitation link
(public: it is what a new colleague opens before they can log in)."""

from __future__ import annotations

from typing import Any

from web.matrix_rows import PERSONAS, PUBLIC, Row, statuses

ADMIN_ONLY = statuses(403, admin=200)
ADMIN_ACTS = statuses(403, admin=302)  # a POST that works redirects back to the roles page


def invitee(org: Any) -> Any:
    """An account the HR import made: no password yet (the same one for every persona)."""
    from vrijuit.accounts.models import User

    user = User.objects.filter(email="invitee@example.org").first()
    return user or User.objects.create_user("invitee@example.org", None)


def _welcome_kwargs(org: Any) -> dict[str, Any]:
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from vrijuit.accounts.invitations import invitation_tokens

    user = invitee(org)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return {"uidb64": uid, "token": invitation_tokens.make_token(user)}


ROWS: dict[str, list[Row]] = {
    "accounts:roles": [Row(ADMIN_ONLY)],
    "accounts:grant_role": [
        Row(
            ADMIN_ACTS,
            method="post",
            data=lambda org: {"user": org.users["staff"].pk, "role": "analyst"},
        )
    ],
    "accounts:revoke_role": [
        Row(
            ADMIN_ONLY,
            kwargs=lambda org: {"user_id": org.users["analyst"].pk, "role": "analyst"},
            note="the confirmation page",
        ),
        Row(
            ADMIN_ACTS,
            kwargs=lambda org: {"user_id": org.users["adviser"].pk, "role": "adviser"},
            method="post",
            note="the revocation itself",
        ),
    ],
    "accounts:send_invitation": [
        Row(ADMIN_ACTS, kwargs=lambda org: {"user_id": invitee(org).pk}, method="post")
    ],
    "accounts:welcome": [
        Row(
            PUBLIC,
            kwargs=lambda org: {"uidb64": "MQ", "token": "invalid-token"},
            note="a wrong link: the page says so",
        ),
        Row(
            dict.fromkeys(PERSONAS, 302),
            kwargs=_welcome_kwargs,
            note="a good link: the token moves into the session, on to the form",
        ),
    ],
}
