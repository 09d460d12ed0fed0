"""Survey waves, invitations, the inbox and the reporting store.

The data contract with the results app (``vrijuit.results``) is this module. The anonymous path
(docs/surveys.md, and the design's "Identity separation") shapes every field here:

* ``Invitation`` knows the person, but stores only the SHA-256 of its token, and a bare
  ``responded`` flag (no time) that no page or export ever shows. When the wave closes, all of
  that is erased: a closed wave's invitation keeps only its wave and unit.
* ``InboxEntry`` and ``Response`` know no person, no time, no IP address, no token: a random UUID,
  the wave, the launch-time unit and coarsened attributes, the answers. ``Response`` carries the
  wave's *period* label instead of a timestamp. An ``InboxEntry`` holds all of that encrypted
  with the key of its ``InboxBatch``, which lives outside the database.
* The coarsened attributes of ``Invitation`` and ``Response`` are sealed with the reporting key
  (``vrijuit.surveys.sealing``), which is not in the database either: a copy of the database
  alone cannot combine a Response's unit and attributes into a person.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from vrijuit.org.models import Person, Unit

MIN_K = 3
DEFAULT_K = 5
# The background attributes a wave may report on (organisation × attribute, unit × attribute).
ATTRIBUTES = ("gender", "nationality_group", "position_level", "contract")
OTHER = "other"  # the category small categories are merged into (coarsening)
NOT_DECLARED = "not_declared"  # an optional attribute the person has not declared


# Settings that are part of the promise made to respondents: fixed at launch (R9).
LOCKED_FIELDS = (
    "mode",
    "k",
    "report_attributes",
    "unit_attributes",
    "instrument",
    "instrument_version",
    "period",
)


class Mode(models.TextChoices):
    ANONYMOUS = "anonymous", _("anonymous")
    CONFIDENTIAL = "confidential", _("confidential")


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")


class WaveLockedError(ValidationError):
    """A change to a setting that is fixed at launch (mode, k, cells, instrument)."""


class Wave(models.Model):
    title_nl = models.CharField(_("title (Dutch)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    instrument = models.CharField(_("instrument"), max_length=100, default="vrijuit")
    instrument_version = models.CharField(max_length=50, blank=True, editable=False)
    units = models.ManyToManyField(
        Unit,
        verbose_name=_("units in scope"),
        related_name="waves",
        help_text=_("Everyone in these units and their sub-units is invited."),
    )
    period = models.CharField(
        _("period"), max_length=50, help_text=_("A label such as 2025-autumn; no dates.")
    )
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    mode = models.CharField(_("mode"), max_length=20, choices=Mode.choices, default=Mode.ANONYMOUS)
    k = models.PositiveSmallIntegerField(
        _("minimum group size (k)"), default=DEFAULT_K, validators=[MinValueValidator(MIN_K)]
    )
    report_attributes = models.JSONField(_("organisation × attribute cells"), default=list)
    unit_attributes = models.JSONField(_("unit × attribute cells"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    remind_after_days = models.PositiveSmallIntegerField(
        _("reminder after (days)"), default=7, help_text=_("0: no reminders.")
    )
    max_reminders = models.PositiveSmallIntegerField(_("at most this many reminders"), default=2)
    launched_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_reminder_on = models.DateField(null=True, blank=True, editable=False)
    # The worker claims a wave by moving this forward with a conditional UPDATE (surveys.worker).
    next_check_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("wave")
        verbose_name_plural = _("waves")
        ordering: ClassVar[list[str]] = ["-opens_on", "-pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(condition=models.Q(k__gte=MIN_K), name="wave_k_at_least_3"),
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="wave_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The last guard: whatever path a change takes, a launched wave keeps its promise.
        if self.pk is not None:
            stored = Wave.objects.filter(pk=self.pk).values("status", *LOCKED_FIELDS).first()
            if stored is not None and stored["status"] != Status.DRAFT:
                changed = {
                    name: getattr(self, name)
                    for name in LOCKED_FIELDS
                    if stored[name] != getattr(self, name)
                }
                if changed:
                    raise WaveLockedError(
                        _("These settings are fixed at launch and cannot change: %(fields)s."),
                        params={"fields": ", ".join(sorted(changed))},
                    )
        super().save(*args, **kwargs)

    @property
    def title(self) -> str:
        if (get_language() or "nl").startswith("en") and self.title_en:
            return self.title_en
        return self.title_nl

    @property
    def is_draft(self) -> bool:
        return self.status == Status.DRAFT

    @property
    def is_open(self) -> bool:
        return self.status == Status.OPEN

    @property
    def all_attributes(self) -> list[str]:
        """Every attribute the snapshot keeps (the union of both kinds of cells)."""
        return [a for a in ATTRIBUTES if a in self.report_attributes or a in self.unit_attributes]

    def check_unlocked_change(self, changed: dict[str, Any]) -> None:
        """Refuse a change to a locked setting once the wave is launched."""
        if self.is_draft:
            return
        locked = sorted(
            name
            for name, value in changed.items()
            if name in LOCKED_FIELDS and getattr(self, name) != value
        )
        if locked:
            raise WaveLockedError(
                _("These settings are fixed at launch and cannot change: %(fields)s."),
                params={"fields": ", ".join(locked)},
            )


class Invitation(models.Model):
    """One person invited to one wave, with the launch-time snapshot of unit and attributes.

    What each field is for, and how long it is kept (``services.erase_participation`` empties
    every field but ``wave`` and ``unit`` in the transaction that closes the wave):

    * ``wave``, ``unit`` (kept): the invited counts per unit of the response rates, for as long
      as the wave exists. The unit is the launch snapshot's, as the Responses carry it.
    * ``person``, ``language``, ``token_hash``, ``sent_on``, ``reminders_sent`` (until close):
      sending the invitation and the reminders, and recognising the link.
    * ``sealed_attributes``, ``leads_unit`` (until close): the coarsened attributes a submit
      puts in the encrypted inbox payload, sealed with the reporting key and bound to this
      invitation (``vrijuit.surveys.sealing``), and which part of the questionnaire the person
      sees.
    * ``responded`` (until close): the reminders skip those who answered, and a second submit
      stores nothing. Joined with the Responses of a unit it could point at a person, which is
      why the flush moves a unit only with k of its own answers and why it is erased at close.

    A closed wave's invitation therefore says only "someone in this unit was invited".
    """

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="invitations")
    # NULL once the wave is closed (erased).
    person = models.ForeignKey(
        Person, null=True, on_delete=models.CASCADE, related_name="invitations"
    )
    # SHA-256 hex, never the token; NULL once the wave is closed.
    token_hash = models.CharField(max_length=64, unique=True, null=True)  # noqa: DJ001
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    # Coarsened at launch, sealed with the reporting key (vrijuit.surveys.sealing); NULL once
    # erased. Read only through sealing.invitation_attributes.
    sealed_attributes = models.BinaryField(null=True, editable=False)
    leads_unit = models.BooleanField(default=False)  # gets the leaders-only block
    language = models.CharField(max_length=2, default="nl")
    sent_on = models.DateField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    # Never shown on any page or export; only reminders and the submit read it.
    responded = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["wave", "person"], name="one_invitation_per_person")
        ]

    def __str__(self) -> str:
        return f"invitation {self.pk} ({self.wave_id})"


class InboxBatch(models.Model):
    """The inbox entries submitted while it was open, encrypted with one key of its own.

    The key is a file in ``settings.INBOX_KEY_DIR`` named after the batch's id, never a column:
    a copy of the database (a backup, an archived WAL segment) must not hold it. A flush seals
    the open batch (new submits start a new one), moves its entries and then destroys its key
    and this row, so any copy of the entries taken before becomes unreadable.
    (``vrijuit.surveys.inbox``; docs/surveys.md.)
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="inbox_batches")
    sealed = models.BooleanField(default=False)  # no new entries once sealed

    class Meta:
        verbose_name = _("inbox batch")
        verbose_name_plural = _("inbox batches")

    def __str__(self) -> str:
        return f"inbox batch {self.id}"


class InboxEntry(models.Model):
    """A submitted response waiting to be flushed into ``Response`` in a shuffled batch.

    Everything about the respondent (unit, coarsened attributes, answers, pseudonym) is in
    ``ciphertext``, encrypted with its batch's key and bound to this entry's id, wave and batch;
    only what the flush selects on (the wave, the batch) is in clear.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="inbox")
    # RESTRICT: a batch row goes only when it has no entries left (or with its whole wave).
    batch = models.ForeignKey(InboxBatch, on_delete=models.RESTRICT, related_name="entries")
    ciphertext = models.BinaryField()  # vrijuit.surveys.inbox_crypto: version, nonce, AES-GCM

    class Meta:
        verbose_name = _("inbox entry")
        verbose_name_plural = _("inbox entries")

    def __str__(self) -> str:
        return f"inbox entry {self.id}"


class Response(models.Model):
    """The reporting store: one respondent's answers, with no link to the person (anonymous
    mode) or a pseudonym only the reporting engine reads (confidential mode).

    What a reader of the database alone (an administrator, a leaked backup) sees, and why:

    * ``sealed_attributes``: the coarsened background attributes, sealed with the reporting
      key, which is not in the database, and bound to this row's id and wave
      (``vrijuit.surveys.sealing``; only the results and the flush open them). In clear, a
      (unit, attributes) combination shared by fewer than k people would point at a person
      whatever coarsening did to each single attribute (docs/anonymity.md).
    * ``unit``: in clear. The response rates count Responses per unit in SQL, and the unit is
      protected by how Responses arrive: the flush moves a unit's answers only in groups of k
      or more of that unit (or at the close, when the participation marks are erased), so the
      unit alone never points at fewer than k people who answered.
    * ``answers``: in clear; without unit-level attributes, they say what someone in the unit
      answered, not who.
    * ``pseudonym`` (confidential mode): an HMAC under ``VRIJUIT_PSEUDONYM_SECRET``, kept in
      clear (docs/anonymity.md says why and what it still allows).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="responses")
    period = models.CharField(max_length=50)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    # Read only through sealing.response_attributes / sealing.open_responses.
    sealed_attributes = models.BinaryField(editable=False)
    answers = models.JSONField(default=dict)  # {item_id: int | None}
    # NULL, not "": anonymous mode has no pseudonym at all (the contract with vrijuit.results).
    pseudonym = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")

    def __str__(self) -> str:
        return f"response {self.id}"
