"""The accessibility statement: what the public site meets, what it does not yet, and whom to tell."""

from __future__ import annotations

import datetime

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from ..models import Person, PhoneNumber

# Change this when the statement is reviewed again (at least once a year, and after a large redesign).
REVIEWED_ON = datetime.date(2026, 11, 25)


class AccessibilityStatementView(TemplateView):
    template_name = "events/accessibility.html"
    extra_context = {"page_title": _("Accessibility statement"), "reviewed_on": REVIEWED_ON}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        phones = PhoneNumber.objects.order_by("position", "pk")
        # The press office answers accessibility reports too, so readers see the same people as on Contacts.
        context["contacts"] = (
            Person.objects.press_contacts()
            .select_related("organization")
            .prefetch_related(Prefetch("phones", queryset=phones))
            .order_by("sort_name", "name")[:2]
        )
        return context
