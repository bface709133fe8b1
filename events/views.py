"""Public pages. Every queryset of events starts from ``Event.objects.public()``."""

from django.views.generic import DetailView, ListView, TemplateView

from .models import Event, Organization, Person, Section


class PublicEventsMixin:
    """Shared by every public page that lists or shows events."""

    def public_events(self):
        return Event.objects.public().for_listing()


class HomeView(PublicEventsMixin, TemplateView):
    template_name = "events/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["latest_events"] = self.public_events()[:10]
        context["sections"] = Section.objects.active().top_level()
        return context


class EventListView(PublicEventsMixin, ListView):
    template_name = "events/event_list.html"
    paginate_by = 20

    def get_queryset(self):
        return self.public_events()


class EventDetailView(PublicEventsMixin, DetailView):
    template_name = "events/event_detail.html"

    def get_queryset(self):
        return self.public_events()


class SectionDetailView(PublicEventsMixin, DetailView):
    template_name = "events/section_detail.html"
    queryset = Section.objects.active()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["events"] = self.public_events().filter(section=self.object)[:20]
        return context


class PersonDetailView(PublicEventsMixin, DetailView):
    template_name = "events/person_detail.html"
    model = Person

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["events"] = self.public_events().filter(participants=self.object)[:20]
        return context


class OrganizationDetailView(PublicEventsMixin, DetailView):
    template_name = "events/organization_detail.html"
    model = Organization

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["events"] = self.public_events().filter(organizations=self.object)[:20]
        return context
