"""The directory the press office keeps: sections, organisations, people and their phone numbers."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from ..media.fields import CleanPictureField, logos_upload_to, people_upload_to
from ..name_keys import organization_search_key, person_search_key
from ..phones import format_international, normalize_phone, split_label
from .i18n import localized


class SectionQuerySet(models.QuerySet):
    def active(self) -> SectionQuerySet:
        return self.filter(is_active=True)

    def top_level(self) -> SectionQuerySet:
        return self.filter(parent__isnull=True)


class Section(models.Model):
    name = models.CharField(_("name"), max_length=120)
    name_ru = models.CharField(_("name (Russian)"), max_length=120, blank=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    description_ru = models.TextField(_("description (Russian)"), blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent section"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text=_("Leave empty for a top-level section. Only one level of sub-sections is allowed."),
    )
    position = models.PositiveIntegerField(_("position"), default=0, help_text=_("Lower numbers come first."))
    is_active = models.BooleanField(_("active"), default=True, help_text=_("Inactive sections are hidden."))
    default_press_contacts = models.ManyToManyField(
        "events.Person",
        verbose_name=_("default press contacts"),
        blank=True,
        related_name="default_for_sections",
        limit_choices_to={"is_press_contact": True},
        help_text=_("Added to new releases in this section."),
    )

    objects = SectionQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("events:section", kwargs={"slug": self.slug})

    def clean(self) -> None:
        if self.parent_id:
            if self.parent_id == self.pk:
                raise ValidationError({"parent": _("A section cannot be its own parent.")})
            if self.parent.parent_id:
                raise ValidationError({"parent": _("Sub-sections cannot have sub-sections of their own.")})
            if self.pk and self.children.exists():
                raise ValidationError({"parent": _("This section has sub-sections, so it must stay top-level.")})

    @property
    def display_name(self) -> str:
        return localized(self, "name")

    @property
    def display_description(self) -> str:
        return localized(self, "description")


class Organization(models.Model):
    class Kind(models.TextChoices):
        INTERNATIONAL = "international", _("International organisation")
        STATE = "state", _("State")
        GOVERNMENT = "government", _("Government body")
        AGENCY = "agency", _("Agency")
        MEDIA = "media", _("Media")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200, blank=True)
    short_name = models.CharField(_("short name"), max_length=40, blank=True, help_text=_("Acronym, e.g. OSCE."))
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="units",
        help_text=_("E.g. the Secretariat belongs to its organisation."),
    )
    country = CountryField(_("country"), blank=True)
    website = models.URLField(_("website"), blank=True)
    # Checked by content and re-encoded without metadata under a random name, however it is saved.
    logo = CleanPictureField(_("logo"), upload_to=logos_upload_to, blank=True)
    description = models.TextField(_("description"), blank=True)
    # Every name it goes by, folded for search (events.name_keys.stored_keys); filled by save().
    name_key = models.TextField(_("search key"), blank=True, default="", editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return f"{self.name} ({self.short_name})" if self.short_name else self.name

    def save(self, *args, **kwargs) -> None:
        self.name_key = organization_search_key(self)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"name", "name_ru", "short_name"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "name_key"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("events:organization", kwargs={"slug": self.slug})

    def clean(self) -> None:
        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError({"parent": _("An organisation cannot be its own parent.")})

    @property
    def display_name(self) -> str:
        return localized(self, "name")


class PersonQuerySet(models.QuerySet):
    def press_contacts(self) -> PersonQuerySet:
        return self.filter(is_press_contact=True)


class Person(models.Model):
    name = models.CharField(_("name"), max_length=200, help_text=_("As displayed, e.g. “Viktor Ivanov”."))
    name_ru = models.CharField(_("name (Russian)"), max_length=200, blank=True)
    sort_name = models.CharField(
        _("sort name"), max_length=200, blank=True, help_text=_("E.g. “Ivanov, Viktor”. Filled from the name if empty.")
    )
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    position = models.CharField(_("position"), max_length=200, blank=True, help_text=_("E.g. “Press Secretary”."))
    position_ru = models.CharField(_("position (Russian)"), max_length=200, blank=True)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
    )
    # Checked by content and re-encoded without metadata (no GPS, no camera) under a random name.
    photo = CleanPictureField(_("photo"), upload_to=people_upload_to, blank=True)
    bio = models.TextField(_("short biography"), blank=True)
    is_press_contact = models.BooleanField(
        _("press contact"), default=False, help_text=_("Press contacts can be listed on releases for journalists.")
    )
    email = models.EmailField(_("e-mail"), blank=True)
    # Every name the person goes by, folded for search (events.name_keys.stored_keys); filled by save().
    name_key = models.TextField(_("search key"), blank=True, default="", editable=False)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["sort_name", "name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [models.Index(Lower("sort_name"), name="person_sort_name_lower")]

    def __str__(self) -> str:
        return f"{self.name}, {self.position}" if self.position else self.name

    def save(self, *args, **kwargs) -> None:
        if not self.sort_name:
            parts = self.name.split()
            self.sort_name = f"{parts[-1]}, {' '.join(parts[:-1])}" if len(parts) > 1 else self.name
        self.name_key = person_search_key(self)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"name", "name_ru", "sort_name"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "name_key"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("events:person", kwargs={"slug": self.slug})

    @property
    def display_name(self) -> str:
        return localized(self, "name")

    @property
    def display_position(self) -> str:
        return localized(self, "position")


class PhoneNumber(models.Model):
    class Label(models.TextChoices):
        TEL = "tel", _("tel")
        MOBILE = "mobile", _("mobile")
        FAX = "fax", _("fax")
        OTHER = "other", _("other")

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="phones")
    label = models.CharField(_("label"), max_length=10, choices=Label.choices, default=Label.TEL)
    number = models.CharField(
        _("number"),
        max_length=32,
        help_text=_("Any common format with the country code, e.g. +7-495-123-45-67. Stored as +74951234567."),
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("phone number")
        verbose_name_plural = _("phone numbers")
        constraints = [
            models.CheckConstraint(condition=models.Q(number__startswith="+"), name="phone_number_is_e164"),
        ]

    def __str__(self) -> str:
        return f"{self.international} ({self.get_label_display()})"

    def clean(self) -> None:
        _number, label_hint = split_label(self.number or "")
        try:
            self.number = normalize_phone(self.number)
        except ValidationError as exc:
            raise ValidationError({"number": exc.messages}) from exc
        if label_hint:
            self.label = label_hint

    @property
    def international(self) -> str:
        return format_international(self.number)

    @property
    def tel_uri(self) -> str:
        return f"tel:{self.number}"
