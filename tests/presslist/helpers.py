import re

from django.conf import settings
from django.urls import reverse

LINK = re.compile(r"https?://\S+/press/[^/\s]+/")


def send_from_admin(client, release, journalists, capture):
    """Tick ``journalists`` on the release's send screen and press Send; the queued task runs on commit."""
    with capture(execute=True):
        response = client.post(
            reverse("admin:presslist_release_send", args=[release.pk]), {"journalists": [j.pk for j in journalists]}
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:presslist_release_sends", args=[release.pk])
    return response


def personal_path(message) -> str:
    """The path of the one personal link in an e-mail's plain text (the same as in its HTML part)."""
    links = set(LINK.findall(message.body))
    assert len(links) == 1, links
    url = links.pop()
    assert url.startswith(settings.CSO_SITE_URL)
    return url.removeprefix(settings.CSO_SITE_URL.rstrip("/"))
