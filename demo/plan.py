"""The calendar of the demo: which release falls on which day, in which status, with how many photos.

The plan is a pure function of the seed. Days are offsets from "today", so the calendar always has content
around the current month, while slugs, texts and pictures stay the same whenever the loader runs.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field

from events.models.slugs import release_slug, unique_slug

from .content import PEOPLE
from .stories import MIX, Deck, Story

DEMO_SEED = 2026
# Sixteen months back, three months ahead.
FIRST_DAY = -486
LAST_DAY = 92
TRANSLATIONS = 15
# Translation keys are derived from the English slug, so a re-run finds the same pair of rows.
TRANSLATION_NAMESPACE = uuid.UUID("6f1c2f0e-5a4b-4d59-9b0e-0c5d8e4a7c31")

DRAFT, IN_REVIEW, PUBLISHED, WITHDRAWN = "draft", "in_review", "published", "withdrawn"
SCHEDULED = "scheduled"  # published, with publish_at still ahead

# What happens to the releases about upcoming events, nearest first.
FUTURE_STATUSES = (
    SCHEDULED, DRAFT, PUBLISHED, IN_REVIEW, SCHEDULED, DRAFT, PUBLISHED, SCHEDULED, IN_REVIEW, DRAFT,
)  # fmt: skip
WITHDRAWAL_REASONS = (
    "Withdrawn at the request of the host country: the meeting was postponed and a new date will be announced.",
    "Published before the text was agreed with the partner organisation; an agreed version will follow.",
)


@dataclass
class PlannedPhoto:
    scene: str
    portrait: bool


@dataclass
class PlannedEvent:
    slug: str
    slug_ru: str
    story: Story
    day: int
    status: str  # one of the constants above; SCHEDULED is stored as published
    translation_key: uuid.UUID
    translate: bool = False
    publish_shift_hours: int = 3  # after the start for reports, before it for announcements
    photos: list[PlannedPhoto] = field(default_factory=list)
    withdrawal_reason: str = ""
    seed: str = ""


def make_slug(title: str, taken: set[str]) -> str:
    """The release's slug by the site's rule (``events.models.slugs``), made unique within ``taken``."""
    slug = unique_slug(release_slug(title), taken.__contains__)
    taken.add(slug)
    return slug


def build_plan(seed: int = DEMO_SEED) -> list[PlannedEvent]:
    rng = random.Random(seed)
    people = {person.slug: person for person in PEOPLE}
    deck = Deck(rng, people)
    stories = [factory(rng, deck) for factory, count in MIX for _ in range(count)]
    rng.shuffle(stories)

    span = LAST_DAY - FIRST_DAY
    days = []
    for index in range(len(stories)):
        day = FIRST_DAY + round(index * span / (len(stories) - 1)) + rng.randint(-2, 2)
        days.append(min(LAST_DAY, day if day != 0 else -1))

    taken_en: set[str] = set()
    taken_ru: set[str] = set()
    plan = []
    for story, day in zip(stories, days, strict=True):
        slug = make_slug(story.en.title, taken_en)
        plan.append(
            PlannedEvent(
                slug=slug,
                slug_ru=make_slug(story.ru.title, taken_ru) if story.ru else "",
                story=story,
                day=day,
                status=PUBLISHED,
                translation_key=uuid.uuid5(TRANSLATION_NAMESPACE, slug),
                publish_shift_hours=-rng.randint(24, 72) if story.kind == "announcement" else rng.randint(1, 5),
                seed=f"{seed}:{slug}",
            )
        )
    plan.sort(key=lambda item: (item.day, item.slug))

    future = [item for item in plan if item.day > 0]
    for item, status in zip(future, FUTURE_STATUSES, strict=False):
        item.status = status
    past = [item for item in plan if item.day < 0]
    # The last two events have happened but their releases are still being written and checked.
    past[-1].status = DRAFT
    past[-2].status = IN_REVIEW
    older = [item for item in past if item.day < -30 and item.story.kind in ("news", "statement")]
    for item, reason in zip(rng.sample(older, len(WITHDRAWAL_REASONS)), WITHDRAWAL_REASONS, strict=True):
        item.status = WITHDRAWN
        item.withdrawal_reason = reason

    for item in plan:
        scenes = item.story.scenes
        wants_photos = item.story.key in ("photo-report", "summit", "exercise")
        # About half of the releases get pictures, mostly one or two: every photo also costs the media
        # pipeline its renditions, and the whole demo should load in well under half a minute.
        if scenes and (wants_photos or rng.random() < 0.45):
            count = 4 if item.story.key == "photo-report" else rng.choices((1, 2, 3), weights=(18, 5, 2))[0]
            item.photos = [
                PlannedPhoto(scene=scenes[index % len(scenes)], portrait=rng.random() < 0.25) for index in range(count)
            ]

    translatable = [item for item in plan if item.story.ru and item.status in (PUBLISHED, SCHEDULED)]
    for item in rng.sample(translatable, min(TRANSLATIONS, len(translatable))):
        item.translate = True
    return plan
