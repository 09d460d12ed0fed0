"""The respondent pages: no login, the token only in a fragment or a POST (docs/surveys.md)."""
