"""Logging filters: what must never reach a log line."""

from __future__ import annotations

import logging

from django.conf import settings


class SkipPrivatePaths(logging.Filter):
    """Drop request log records for the paths in ``settings.LOG_SILENT_PATH_PREFIXES``.

    The respondent pages must leave no trace of who asked for them: not even the request line of
    runserver's access log (``django.server``) or of ``django.request`` errors. No format we use
    contains an IP address; this filter also keeps the path and time of survey requests out.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        prefixes = getattr(settings, "LOG_SILENT_PATH_PREFIXES", [])
        if not prefixes:
            return True
        path = _record_path(record)
        return path is None or not any(path.startswith(prefix) for prefix in prefixes)


def _record_path(record: logging.LogRecord) -> str | None:
    request = getattr(record, "request", None)
    path = getattr(request, "path", None)
    if isinstance(path, str):
        return path
    # django.server passes the raw request line ("GET /path HTTP/1.1") as the first argument.
    if record.name == "django.server" and isinstance(record.args, tuple) and record.args:
        parts = str(record.args[0]).split()
        if len(parts) >= 2:
            return parts[1]
    return None
