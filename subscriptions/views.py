"""Readers' alert pages: subscribe, confirm, manage, leave. No account: the signed links in the e-mails are the
only keys, so every page behind one answers a wrong, forged or expired link with the same "link not valid" page.

Nothing here is ever kept by the anonymous page cache or a shared cache (``never_cache``): the pages behind a
link are personal, and the others hold forms.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.utils.http import is_same_domain
from django.utils.module_loading import import_string
from django.utils.translation import get_language
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from . import links, services, tasks
from .forms import PreferencesForm, SubscribeForm
from .models import Subscriber


def client_address(request) -> str:
    """The client's address as login throttling reads it (only what the trusted proxies wrote)."""
    return import_string(settings.CSO_CLIENT_IP_CALLABLE)(request) or ""


def from_this_site(request) -> bool:
    """Whether a browser sent this form from one of the site's own pages.

    The subscribe form carries no CSRF token, so that the box on section and All events pages keeps those pages
    in the anonymous page cache (a token would set a cookie on every reader). It acts for no one (no session, no
    cookie: an address only gets a confirmation link), so what a token would add is only that another site
    cannot make its visitors' browsers send it; the Origin header (or Fetch metadata) tells that as well."""
    origin = request.headers.get("Origin")
    if origin:
        return origin == f"{request.scheme}://{request.get_host()}" or _trusted_origin(origin)
    fetch_site = request.headers.get("Sec-Fetch-Site")
    return fetch_site in (None, "same-origin", "none")


def _trusted_origin(origin: str) -> bool:
    """Whether ``origin`` is one of CSRF_TRUSTED_ORIGINS, read as Django's CSRF check reads them
    ("https://*.example.org" covers the subdomains)."""
    scheme, _sep, host = origin.partition("://")
    for trusted in settings.CSRF_TRUSTED_ORIGINS:
        trusted_scheme, _sep, trusted_host = trusted.partition("://")
        if scheme == trusted_scheme and is_same_domain(host, trusted_host.replace("*", "", 1)):
            return True
    return False


def _page(request, template: str, context: dict | None = None, status: int = 200) -> HttpResponse:
    context = {"noindex": True, **(context or {})}
    if "subscriber" in context:
        # The address in two parts, so that a long one may wrap at its "@" on a phone (includes/address.html).
        local, _at, domain = context["subscriber"].email.partition("@")
        context["address"] = {"local": local, "domain": domain}
    return render(request, f"subscriptions/{template}", context, status=status)


def invalid_link(request) -> HttpResponse:
    """One answer for a link that is wrong, forged, expired, already used to leave, or for an erased address."""
    return _page(request, "invalid_link.html", status=404)


def _initial(subscriber: Subscriber | None = None) -> dict:
    if subscriber is None:
        return {
            "language": (get_language() or settings.LANGUAGE_CODE)[:2],
            "frequency": "immediate",
            "time_zone": settings.TIME_ZONE,
        }
    return {
        "language": subscriber.language,
        "frequency": subscriber.frequency,
        "time_zone": subscriber.time_zone,
        "topics": list(subscriber.topics.values_list("target", flat=True)),
    }


@method_decorator([csrf_exempt, never_cache], name="dispatch")
class SubscribeView(View):
    """GET: the alerts page. POST (from it or from a page's box): the same answer for any valid address."""

    def get(self, request):
        # The one alerts page search engines may list: the others answer a form or a personal link.
        return _page(request, "subscribe.html", {"form": SubscribeForm(initial=_initial()), "noindex": False})

    def post(self, request):
        if not from_this_site(request):
            return _page(request, "forbidden.html", status=403)
        if services.over_limit("client", client_address(request), settings.CSO_ALERTS_CLIENT_LIMIT):
            return _page(request, "too_many.html", status=429)
        form = SubscribeForm(request.POST)
        if not form.is_valid():
            return _page(request, "subscribe.html", {"form": form})
        data = form.cleaned_data
        outcome = services.subscription_request(
            email=data["email"],
            targets=data["topics"],
            language=data["language"],
            frequency=data["frequency"],
            time_zone=data["time_zone"],
        )
        # Robust: a broker that cannot be reached is logged, and the reader still gets the same answer as
        # everyone else (a 500 here, and only here, would tell that the address is not suppressed).
        if outcome.send == "confirm":
            transaction.on_commit(lambda: tasks.send_confirmation.delay(outcome.subscriber_id), robust=True)
        elif outcome.send == "manage":
            targets = list(outcome.targets)
            transaction.on_commit(lambda: tasks.send_manage_link.delay(outcome.subscriber_id, targets), robust=True)
        return _page(request, "check_inbox.html", {"days": settings.CSO_ALERTS_CONFIRM_DAYS})


@method_decorator(never_cache, name="dispatch")
class ConfirmView(View):
    """GET shows a button (mail scanners open links); only the POST confirms."""

    def dispatch(self, request, *args, **kwargs):
        self.subscriber = links.read_token(links.CONFIRM, kwargs["token"])
        if self.subscriber is None or self.subscriber.left_at is not None:
            return invalid_link(request)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, token):
        topics = [services.topic_label(topic) for topic in self.subscriber.topics.order_by("pk")]
        return _page(request, "confirm.html", {"subscriber": self.subscriber, "topics": topics})

    def post(self, request, token):
        subscriber = services.subscriber_confirm(subscriber=self.subscriber)
        manage_token = links.make_token(links.MANAGE, subscriber)
        return _page(request, "confirmed.html", {"subscriber": subscriber, "manage_token": manage_token})


# The manage page lists this many of the newest messages; the download holds them all.
MESSAGES_SHOWN = 50


class _ManageBase(View):
    def dispatch(self, request, *args, **kwargs):
        self.subscriber = links.read_token(links.MANAGE, kwargs["token"])
        if self.subscriber is None or not self.subscriber.is_active:
            return invalid_link(request)
        return super().dispatch(request, *args, **kwargs)

    def render_manage(self, request, form, **context):
        data = services.subscriber_data(self.subscriber, latest_messages=MESSAGES_SHOWN)
        return _page(
            request,
            "manage.html",
            {
                "form": form,
                "subscriber": self.subscriber,
                "data": data,
                "token": self.kwargs["token"],
                "erase_days": settings.CSO_ALERTS_ERASE_AFTER_DAYS,
                "messages_shown": MESSAGES_SHOWN,
                **context,
            },
        )


@method_decorator(never_cache, name="dispatch")
class ManageView(_ManageBase):
    """Change topics, language, frequency and time zone; see what is held; leave; delete everything.

    ``target`` (from the message sent when a known address asked again): that topic is shown ticked, and is
    added only when the reader saves."""

    def get(self, request, token, target=None):
        initial = _initial(self.subscriber)
        adding = services.parse_target(target) if target else None
        if adding is not None and adding.value not in initial["topics"]:
            initial["topics"].append(adding.value)
        form = PreferencesForm(initial=initial, extra_targets=self._current_targets(adding))
        return self.render_manage(request, form, adding=adding)

    def post(self, request, token, target=None):
        form = PreferencesForm(request.POST, extra_targets=self._current_targets())
        if not form.is_valid():
            return self.render_manage(request, form)
        data = form.cleaned_data
        services.preferences_update(
            subscriber=self.subscriber,
            targets=data["topics"],
            language=data["language"],
            frequency=data["frequency"],
            time_zone=data["time_zone"],
        )
        form = PreferencesForm(initial=_initial(self.subscriber), extra_targets=self._current_targets())
        return self.render_manage(request, form, saved=True)

    def _current_targets(self, adding=None) -> list:
        targets = list(self.subscriber.topics.order_by("pk").values_list("target", flat=True))
        return [*targets, adding] if adding is not None else targets


@method_decorator(never_cache, name="dispatch")
class LeaveView(_ManageBase):
    http_method_names = ["post"]

    def post(self, request, token):
        services.subscriber_leave(subscriber=self.subscriber)
        return _page(request, "left.html", {"erase_days": settings.CSO_ALERTS_ERASE_AFTER_DAYS})


@method_decorator(never_cache, name="dispatch")
class EraseView(_ManageBase):
    http_method_names = ["post"]

    def post(self, request, token):
        services.subscriber_erase(subscriber=self.subscriber)
        return _page(request, "erased.html")


@method_decorator(never_cache, name="dispatch")
class DataView(_ManageBase):
    """Everything held about the subscriber, as a JSON file."""

    http_method_names = ["get"]

    def get(self, request, token):
        body = json.dumps(services.subscriber_data(self.subscriber), ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="e-mail-alerts.json"'
        return response


ONE_CLICK = ("List-Unsubscribe", "One-Click")


@method_decorator([csrf_exempt, never_cache], name="dispatch")
class UnsubscribeView(View):
    """The link in every alert's List-Unsubscribe header and footer.

    GET only shows a button: link scanners and previews open links, and must not unsubscribe anyone. A mail
    program's one-click POST (RFC 8058: the body ``List-Unsubscribe=One-Click``) cannot carry a CSRF token and
    acts at once, the signed link being its proof; the page's own button is checked for CSRF as usual."""

    def dispatch(self, request, *args, **kwargs):
        self.subscriber = links.read_token(links.UNSUBSCRIBE, kwargs["token"])
        if self.subscriber is None or self.subscriber.left_at is not None:
            return invalid_link(request)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, token):
        return _page(request, "unsubscribe.html", {"subscriber": self.subscriber})

    def post(self, request, token):
        if request.POST.get(ONE_CLICK[0]) != ONE_CLICK[1]:
            refused = CsrfViewMiddleware(lambda req: None).process_view(request, None, (), {})
            if refused is not None:
                return refused
        services.subscriber_leave(subscriber=self.subscriber)
        return _page(request, "left.html", {"erase_days": settings.CSO_ALERTS_ERASE_AFTER_DAYS})
