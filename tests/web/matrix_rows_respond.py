"""Permission-matrix rows of the respondent pages: no login; the token decides, not the role."""

from __future__ import annotations

from web.matrix_rows import PERSONAS, Row

EVERYONE_200 = dict.fromkeys(PERSONAS, 200)
BACK_TO_START = dict.fromkeys(PERSONAS, 302)

ROWS = {
    "respond:start": [Row(EVERYONE_200)],
    "respond:questions": [Row(BACK_TO_START, note="no verified invitation: back to the start")],
    "respond:thanks": [Row(BACK_TO_START, note="nothing submitted: back to the start")],
}
