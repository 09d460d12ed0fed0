"""Local accounts: e-mail is the login; each account has a preferred language (nl/en)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
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
