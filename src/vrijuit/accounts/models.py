"""Local accounts: e-mail is the login; each account has a preferred language (nl/en)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    NL = "nl", _("Nederlands")
    EN = "en", _("English")


class UserManager(DjangoUserManager["User"]):
    """Django's manager, with the e-mail address in the place of a username."""

    use_in_migrations = True

    def _create_user_object(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An account needs an e-mail address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.password = ""
        user.set_password(password)
        return user

    def get_by_natural_key(self, username: str | None) -> User:
        # Addresses are stored in lower case; log in with any spelling.
        return self.get(email=(username or "").strip().lower())

    def create_user(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra: Any
    ) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        user = self._create_user_object(email, password, **extra)
        user.save(using=self._db)
        return user

    def create_superuser(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra: Any
    ) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """A person who can log in. Their place in the organisation is ``org.Person``."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail address"), unique=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.NL
    )
    # Set when the HR import deactivated the account (the person left HR's export), so that
    # only those accounts come back when HR lists the person again, not ones closed by hand.
    deactivated_by_hr = models.BooleanField(_("deactivated by the HR import"), default=False)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def __str__(self) -> str:
        return self.email

    def save(self, *args: Any, **kwargs: Any) -> None:
        # One spelling per address, so that login and HR matching are case-insensitive.
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)


class RoleAction(models.TextChoices):
    GRANTED = "granted", _("granted")
    REVOKED = "revoked", _("revoked")


class RoleChange(models.Model):
    """The audit log of role grants and revocations: who changed which role for whom, when.

    Names and addresses are copied in, so that an entry still says who it was about after an
    account is deleted; the foreign keys are kept for linking while the accounts exist.
    """

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_email = models.EmailField(_("by (e-mail address)"))
    subject = models.ForeignKey(
        User, verbose_name=_("for"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject_email = models.EmailField(_("for (e-mail address)"))
    subject_name = models.CharField(_("for (name)"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=20)
    action = models.CharField(_("action"), max_length=10, choices=RoleAction.choices)

    class Meta:
        verbose_name = _("role change")
        verbose_name_plural = _("role changes")
        ordering: ClassVar[list[str]] = ["-at", "-pk"]

    def __str__(self) -> str:
        return (
            f"{self.at:%Y-%m-%d %H:%M} {self.actor_email}: {self.action} {self.role} "
            f"{self.subject_email}"
        )


class Invitation(models.Model):
    """The invitation to choose a password, for an account the HR import made.

    The link itself is a Django password token (``accounts.invitations``): it is not stored,
    and it stops working once the password is set. This row only remembers when it was sent
    (for the resend rate limit and the administrator's overview) and when it was accepted.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="invitation")
    created_at = models.DateTimeField(default=timezone.now)
    # Set in the transaction that asks for a mail: the resend rate limit counts from here, so
    # two quick clicks cannot both send. ``sent_at`` is set once the mail server took it.
    queued_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("last sent"), null=True, blank=True)
    times_sent = models.PositiveIntegerField(default=0)
    accepted_at = models.DateTimeField(_("password chosen"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"invitation for {self.user}"

    @property
    def is_accepted(self) -> bool:
        return self.accepted_at is not None
