"""English dates as the rest of the site writes them ("23 December 2026", as in the Dutch
"23 december 2026"), not Django's American default "Dec. 23, 2026"."""

DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j M Y"
