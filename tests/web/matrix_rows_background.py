"""Permission-matrix rows of "My background": every account sees and edits only its own
declaration (there is no id in the URL to point at someone else's).

staff, leader and other_leader have a Person: the page (200), and after a POST back to it (302).
analyst, adviser and admin have an account but no Person: a page that explains why there is
nothing to declare (200), for a GET and a POST alike, never a 500.
"""

from __future__ import annotations

from web.matrix_rows import Row, statuses

WITH_PERSON = ("staff", "leader", "other_leader")
EXPLAINED = statuses(200)  # GET: the form, or the explanation for accounts without a Person
SAVED = statuses(200, **dict.fromkeys(WITH_PERSON, 302))  # POST: back to the page


def _declaration(org: object) -> dict[str, str]:
    return {"gender": "woman", "nationality_group": "prefer_not_to_say"}


ROWS = {
    "org:background": [
        Row(EXPLAINED, note="own declaration, or why there is none"),
        Row(SAVED, method="post", data=_declaration, note="saving: back to the page"),
    ],
    "org:background_withdraw": [
        Row(SAVED, method="post", note="withdrawing: back to the page"),
    ],
}
