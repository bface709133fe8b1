"""People and organisations: indexes and one page each, with their published events."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch
from django.shortcuts import get_object_or_404
from django.views.generic import ListView

from ..models import Event, EventParticipant, PhoneNumber
from ..selectors.visibility import visible_organizations, visible_people
from .base import PublicEventsMixin


class PersonListView(ListView):
    template_name = "events/person_list.html"
    context_object_name = "people"
    paginate_by = 60

    def get_queryset(self):
        return visible_people().select_related("organization").order_by("sort_name", "name")


class OrganizationListView(ListView):
    template_name = "events/organization_list.html"
    context_object_name = "organizations"
    paginate_by = 60

    def get_queryset(self):
        return visible_organizations().order_by("name")


class DirectoryEventsView(PublicEventsMixin, ListView):
    """The events of one person or organisation, newest first, paginated."""

    context_object_name = "events"
    paginate_by = 20

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["object"] = self.object
        context["back_here"] = self.request.get_full_path()
        return context


class PersonDetailView(DirectoryEventsView):
    template_name = "events/person_detail.html"

    def get_queryset(self):
        phones = PhoneNumber.objects.order_by("position", "pk")
        people = visible_people().select_related("organization").prefetch_related(Prefetch("phones", queryset=phones))
        self.object = get_object_or_404(people, slug=self.kwargs["slug"])
        takes_part = EventParticipant.objects.filter(event=OuterRef("pk"), person=self.object)
        return self.public_events().filter(Exists(takes_part))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["person"] = self.object
        return context


class OrganizationDetailView(DirectoryEventsView):
    template_name = "events/organization_detail.html"

    def get_queryset(self):
        self.object = get_object_or_404(visible_organizations().select_related("parent"), slug=self.kwargs["slug"])
        named = Event.organizations.through.objects.filter(event=OuterRef("pk"), organization=self.object)
        return self.public_events().filter(Exists(named))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["organization"] = self.object
        context["people"] = list(visible_people().filter(organization=self.object).order_by("sort_name", "name")[:50])
        return context
