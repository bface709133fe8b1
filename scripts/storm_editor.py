"""The editor of the publish storm (scripts/storm.py), run in its own process after ``django.setup()``.

It creates releases waiting in review (written by an author), publishes one to warm up, says so, waits for
"go" on stdin, then publishes one every ``--interval`` seconds as an editor, through
``releases.event_publish``: the function the admin's Publish button calls
(``events.admin.views.transitions.run_transition``), with its after-commit work (the cache tags dropped, the
purge task sent to the broker, the alerts announced). Every line it writes is JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from events.models import Event, Section
from events.permissions import ROLE_AUTHOR, ROLE_EDITOR
from events.services import releases


def user_in(name: str, role: str):
    user, _ = get_user_model().objects.get_or_create(username=name, defaults={"is_staff": True})
    user.groups.add(Group.objects.get(name=role))
    return user


def prepare(*, count: int, section: Section, token: str) -> list[Event]:
    """``count`` releases waiting in review in ``section``, written and submitted by an author."""
    author = user_in("storm-author", ROLE_AUTHOR)
    # Later than every release, so each new one heads All events and its section as well as home.
    latest = Event.objects.aggregate(latest=Max("starts_at"))["latest"] or timezone.now()
    waiting = []
    for index in range(count):
        event = releases.event_save(
            event=Event(
                title=f"Storm release {token} {index:02d}" if index else f"Storm warm-up {token}",
                slug=f"storm-{token}-{index:02d}",
                section=section,
                language="en",
                starts_at=latest + timedelta(days=1, minutes=index),
                lead="Published during the publish storm.",
            ),
            user=author,
        )
        waiting.append(releases.event_submit(event=event, user=author))
    return waiting


def publish(event: Event, editor) -> float:
    """Publish ``event``; the clock time of the commit."""
    committed: list[float] = []
    with transaction.atomic():
        # Registered before the publication's own after-commit work (tags dropped, purge sent), so it runs
        # first: the moment every other connection can see the release.
        transaction.on_commit(lambda: committed.append(time.time()))
        releases.event_publish(event=event, user=editor)
    return committed[0]


def say(**message) -> None:
    print(json.dumps(message), flush=True)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--releases", type=int, required=True)
    parser.add_argument("--interval", type=float, required=True)
    parser.add_argument("--offset", type=float, default=1, help="seconds after 'go' of the first publication")
    parser.add_argument("--section", required=True, help="the slug of the section the releases go in")
    parser.add_argument("--token", required=True, help="makes this run's titles and slugs unique")
    args = parser.parse_args(argv)
    warm_up, *waiting = prepare(
        count=args.releases + 1, section=Section.objects.get(slug=args.section), token=args.token
    )
    editor = user_in("storm-editor", ROLE_EDITOR)
    # One publication before the storm: a long-running server has paid its one-time costs (the task modules
    # loaded, the broker connected) long before an editor clicks, and the storm checks the whole path works.
    say(ready=len(waiting), warm_up={"title": warm_up.title, "committed": publish(warm_up, editor)})
    if sys.stdin.readline().strip() != "go":
        return 1
    started = time.monotonic()
    for index, event in enumerate(waiting):
        pause = started + args.offset + index * args.interval - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        say(title=event.title, committed=publish(event, editor))
    say(done=len(waiting))
    return 0
