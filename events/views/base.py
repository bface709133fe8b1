"""What the public pages share: events in the page's language, and the filtered, paginated list."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject, cached_property
from django.views.generic import ListView

from ..filters import EventFilter
from ..page_cache import LIST_FILTERS, remembered_here
from ..pagination import ArchivePaginator, RankedPage, TieredPaginator
from ..search import count_matches
from ..selectors.rows import KeptRows
from ..selectors.visibility import current_language, public_events


class KeptPageKeys:
    """For the paginators of public lists: the keys of a page are kept per content version, under the list's
    ``count_key`` (its path, language and filters) and the page's number and size, like its total; the page
    then holds ``KeptRows``, read only if ``{% event_rows %}`` has not kept the written rows already.

    A page read for the first time is returned as the paginator made it (its rows already read)."""

    def page(self, number):
        if not self.count_key:
            return super().page(number)
        number = self.validate_number(number)
        made = []

        def keys() -> tuple[list, bool | None]:
            page = super(KeptPageKeys, self).page(number)
            made.append(page)
            return [row.pk for row in page.object_list], getattr(page, "more", None)

        found, more = remembered_here(f"page-keys:{self.per_page}:{number}", self.count_key, keys)
        if made:
            return made[0]
        return self.kept_page(KeptRows(found, self.object_list), number, more)


class KeptArchivePaginator(KeptPageKeys, ArchivePaginator):
    def kept_page(self, rows, number, more):
        return self._get_page(rows, number, self)


class KeptTieredPaginator(KeptPageKeys, TieredPaginator):
    def kept_page(self, rows, number, more):
        return RankedPage(rows, number, self, more=more)


class PublicEventsMixin:
    """Shared by every page that lists events: public ones, in the language of the page."""

    def public_events(self):
        return public_events().in_language(current_language())


class FilteredEventListView(PublicEventsMixin, ListView):
    """A list of events narrowed by the GET filter form; the filters survive pagination."""

    paginate_by = 20
    paginator_class = KeptArchivePaginator
    filter_section = None

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kwargs):
        # The list is defined by its path, language and the filters in effect (their cleaned values: "2026" and
        # "02026" are one year); the page number only picks a slice, and no other parameter reaches the key.
        count_key = f"{self.request.path}|{current_language()}|{self.filters_in_effect()!r}"
        if any(name == "q" for name, _value in self.filters_in_effect()):
            # Words can match most of the archive, and counting that reads most of the table: like search,
            # the count is exact up to a limit and an estimate ("About N") beyond, every page still reachable.
            return KeptTieredPaginator(
                queryset,
                per_page,
                orphans=orphans,
                allow_empty_first_page=allow_empty_first_page,
                tiers=[queryset],
                count_function=count_matches,
                count_key=count_key,
            )
        return super().get_paginator(
            queryset, per_page, orphans=orphans, allow_empty_first_page=allow_empty_first_page, count_key=count_key
        )

    @cached_property
    def filters_given(self) -> bool:
        """Whether the query names any filter (empty or not); only then is the list filtered by the form."""
        return any(name in self.request.GET for name in LIST_FILTERS)

    def make_filterset(self) -> EventFilter:
        return EventFilter(
            self.request.GET or None, queryset=public_events(), section=self.filter_section, request=self.request
        )

    def get_queryset(self):
        if self.filters_given:
            self.filterset = self.make_filterset()
            events = self.filterset.qs
        else:
            # No filter named (a list's first or later pages): the form would filter nothing, and building it is
            # a tenth of the page; it is made only if it has to be written (``{% filter_form %}`` keeps it).
            self.filterset = SimpleLazyObject(self.make_filterset)
            events = public_events()
        # Without an explicit choice the list shows releases in the language the reader is using.
        if not (self.filters_given and self.filterset.form.cleaned_data.get("language")):
            events = events.in_language(current_language())
        if self.filter_section is not None:
            events = events.in_section(self.filter_section)
        return events

    def filters_in_effect(self) -> list[tuple[str, str]]:
        """The filters that narrow the list: the form's cleaned values (an invalid form filters by its valid
        fields alone, as django-filter does)."""
        if not self.filters_given:
            return []
        self.filterset.form.is_valid()
        cleaned = self.filterset.form.cleaned_data
        return sorted(
            (name, str(getattr(value, "pk", value))) for name, value in cleaned.items() if value not in (None, "")
        )

    @cached_property
    def subsections(self) -> list:
        """The active sub-sections of the page's section, for its navigation (the list itself keeps releases of
        inactive ones too: ``EventQuerySet.in_section``)."""
        section = self.filter_section
        return remembered_here(
            "subsections", str(section.pk), lambda: list(section.children.active().order_by("position", "name"))
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        context["filter_errors"] = self.filters_given and not self.filterset.form.is_valid()
        context["chips"] = self.filterset.active_filters() if self.filters_given else []
        context["back_here"] = self.request.get_full_path()
        return context
