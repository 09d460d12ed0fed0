"""Permission-matrix rows of sending an invitation again from the people page (administrators
only; a POST that works, or is refused with a message, returns to the people page)."""

from __future__ import annotations

from typing import Any

from web.matrix_rows import Row, statuses


def person_without_password(org: Any) -> dict[str, Any]:
    """A person from HR whose account has no password yet (the same one for every persona)."""
    from vrijuit.accounts.models import User
    from vrijuit.org.models import Person

    person = Person.objects.filter(external_id="P-invitee").first()
    if person is None:
        user = User.objects.create_user("people-invitee@example.org", None)
        person = Person.objects.create(
            external_id="P-invitee",
            name="Invitee",
            email=user.email,
            unit=org.clinical,
            position_level="phd",
            contract="temporary",
            user=user,
        )
    return {"person_id": person.pk}


ROWS: dict[str, list[Row]] = {
    "org:send_invitation": [
        Row(statuses(403, admin=302), kwargs=person_without_password, method="post"),
    ],
}
