"""What the public pages share: events in the page's language, and the filtered, paginated list."""

from __future__ import annotations

from django.views.generic import ListView

from ..filters import EventFilter
from ..visibility import current_language, public_events


class PublicEventsMixin:
    """Shared by every page that lists events: public ones, in the language of the page."""

    def public_events(self):
        return public_events().in_language(current_language())


class FilteredEventListView(PublicEventsMixin, ListView):
    """A list of events narrowed by the GET filter form; the filters survive pagination."""

    paginate_by = 20
    filter_section = None

    def get_queryset(self):
        self.filterset = EventFilter(
            self.request.GET or None, queryset=public_events(), section=self.filter_section, request=self.request
        )
        events = self.filterset.qs
        # Without an explicit choice the list shows releases in the language the reader is using.
        if not (self.filterset.is_bound and self.filterset.form.cleaned_data.get("language")):
            events = events.in_language(current_language())
        if self.filter_section is not None:
            section = self.filter_section
            events = events.filter(section__in=[section, *section.children.active()])
        return events

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        context["filter_errors"] = self.filterset.is_bound and not self.filterset.form.is_valid()
        context["chips"] = self.filterset.active_filters()
        context["back_here"] = self.request.get_full_path()
        return context
