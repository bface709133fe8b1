"""The journalist's side: their personal embargo link, logged on every open, showing events' embargo page."""

from django.http import Http404
from django.views.decorators.http import require_safe

from events.embargo import embargo_link_from_token, embargo_token
from events.views.embargo import EmbargoView

from .links import send_from_token
from .services import press_link_opened

embargo_page = EmbargoView.as_view()


@require_safe
def open_link(request, token):
    send = send_from_token(token)
    if send is None:
        raise Http404
    events_token = embargo_token(send.embargo_link)
    shown = embargo_link_from_token(events_token) is not None
    press_link_opened(send=send, shown=shown)
    if not shown:
        # Revoked or expired: the same answer as a link that never existed.
        raise Http404
    # The page is events' own embargo page for the journalist's link; the events token stays on the server.
    # events' view answers "private, no-store": no cache keeps the page, so every open reaches this view.
    return embargo_page(request, token=events_token)
