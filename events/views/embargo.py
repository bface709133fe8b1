"""The one editorial page outside the admin: a release under embargo, opened from a signed link."""

from django.http import Http404
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from ..embargo import embargo_link_from_token
from ..media.links import grant_token
from .event import event_page_context


@method_decorator(never_cache, name="dispatch")
class EmbargoView(TemplateView):
    template_name = "events/event_detail.html"

    def get(self, request, *args, **kwargs):
        link = embargo_link_from_token(kwargs["token"])
        if link is None:
            raise Http404
        event = link.event
        if event.is_public:
            return redirect(event)
        if event.status == event.Status.WITHDRAWN:
            raise Http404
        # The page's file addresses carry a grant bound to this link, checked again on every file request.
        grant = grant_token(link_id=link.pk, event_id=event.pk, until=int(link.expires_at.timestamp()))
        context = event_page_context(request, event, media_grant=grant)
        # A draft has no publication time yet: it stays embargoed until the event itself begins.
        context.update(embargo_link=link, embargoed_until=event.publish_at or event.starts_at, noindex=True)
        response = self.render_to_response(context)
        # never_cache adds no-cache/max-age=0; the page must not be kept by any shared cache either.
        response["Cache-Control"] = "private, no-store, max-age=0"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response
