"""Releases of the fictional CSO press service, composed from written templates and varied fragments.

Each ``story_*`` function draws one release from a seeded ``random.Random``: title, lead and HTML body in
English and, for the kinds we wrote a Russian version of, in Russian too. Dates and statuses are decided by
the plan in ``services``; nothing here depends on the clock.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from .content import SECRETARY_GENERAL

# ---------------------------------------------------------------------------------------------------------
# Vocabulary


@dataclass(frozen=True)
class Place:
    en: str
    ru: str
    in_ru: str  # "в Минске": the prepositional phrase a Russian sentence needs


PLACES = {
    "moscow": Place("Moscow, CSO Secretariat", "Москва, Секретариат ОБС", "в Москве"),
    "moscow-press": Place("Moscow, CSO Press Centre", "Москва, пресс-центр ОБС", "в Москве"),
    "minsk": Place("Minsk, Palace of Independence", "Минск, Дворец Независимости", "в Минске"),
    "astana": Place("Astana, Palace of Peace and Reconciliation", "Астана, Дворец мира и согласия", "в Астане"),
    "bishkek": Place(
        "Bishkek, Ala-Archa State Residence", "Бишкек, государственная резиденция «Ала-Арча»", "в Бишкеке"
    ),
    "dushanbe": Place("Dushanbe, Kokhi Navruz", "Душанбе, дворец «Кохи Навруз»", "в Душанбе"),
    "yerevan": Place("Yerevan, Ministry of Foreign Affairs", "Ереван, Министерство иностранных дел", "в Ереване"),
    "vienna": Place("Vienna, Hofburg", "Вена, Хофбург", "в Вене"),
    "new-york": Place("New York, United Nations Headquarters", "Нью-Йорк, Центральные учреждения ООН", "в Нью-Йорке"),
    "geneva": Place("Geneva, Palais des Nations", "Женева, Дворец Наций", "в Женеве"),
    "st-petersburg": Place(
        "St Petersburg, Tauride Palace", "Санкт-Петербург, Таврический дворец", "в Санкт-Петербурге"
    ),
    "beijing": Place("Beijing, SCO Secretariat", "Пекин, Секретариат ШОС", "в Пекине"),
}

RANGES = (
    Place("Balkhash training ground, Kazakhstan", "полигон «Балхаш», Казахстан", "на полигоне «Балхаш»"),
    Place("Harb-Maidon training ground, Tajikistan", "полигон «Харб-Майдон», Таджикистан", "на полигоне «Харб-Майдон»"),
    Place(
        "Edelweiss training centre, Issyk-Kul Region",
        "учебный центр «Эдельвейс», Иссык-Кульская область",
        "в учебном центре «Эдельвейс»",
    ),
    Place(
        "Obuz-Lesnovsky training ground, Belarus",
        "полигон «Обуз-Лесновский», Беларусь",
        "на полигоне «Обуз-Лесновский»",
    ),
)


@dataclass(frozen=True)
class Country:
    en: str
    of_ru: str  # "Беларуси": genitive, after "под председательством"
    capital: str  # a key of PLACES
    organization: str  # slug of the state or a ministry in the directory


MEMBER_STATES = (
    Country("Armenia", "Армении", "yerevan", "armenia"),
    Country("Belarus", "Беларуси", "minsk", "mfa-belarus"),
    Country("Kazakhstan", "Казахстана", "astana", "mfa-kazakhstan"),
    Country("Kyrgyzstan", "Кыргызстана", "bishkek", "kyrgyzstan"),
    Country("Tajikistan", "Таджикистана", "dushanbe", "mod-tajikistan"),
)


@dataclass(frozen=True)
class Topic:
    en: str
    ru: str  # genitive, after "вопросы"


TOPICS = (
    Topic("countering international terrorism", "противодействия международному терроризму"),
    Topic("border security in Central Asia", "безопасности границ в Центральной Азии"),
    Topic("the fight against drug trafficking", "борьбы с незаконным оборотом наркотиков"),
    Topic("information security", "информационной безопасности"),
    Topic("the training of peacekeeping contingents", "подготовки миротворческих контингентов"),
    Topic("humanitarian demining", "гуманитарного разминирования"),
    Topic("countering cybercrime", "противодействия киберпреступности"),
    Topic("biological safety", "биологической безопасности"),
    Topic("countering illegal migration", "противодействия незаконной миграции"),
    Topic("emergency response after natural disasters", "реагирования на последствия стихийных бедствий"),
)

# Guests the Secretary General receives, with the organisation and the city where such a meeting happens.
GUESTS = (
    ("martina-kessler", "osce", "vienna"),
    ("jonathan-avery", "unoct", "new-york"),
    ("amira-haddad", "unodc", "moscow"),
    ("li-wenhao", "sco", "beijing"),
    ("nikolai-drozdov", "cis", "minsk"),
    ("claire-fontaine", "icrc", "moscow"),
    ("anatoly-vereshchagin", "mfa-russia", "moscow"),
    ("pavel-kulesh", "mfa-belarus", "moscow"),
    ("aida-zhaksybekova", "mfa-kazakhstan", "astana"),
    ("rustam-nazarov", "mod-tajikistan", "dushanbe"),
    ("hovhannes-sargsyan", "armenia", "moscow"),
    ("bakyt-osmonov", "kyrgyzstan", "moscow"),
)

PARTNERS = (
    # slug, English name in running text, Russian name in running text (genitive after "с"... kept nominative-safe)
    ("united-nations", "the United Nations", "ООН"),
    ("osce", "the OSCE", "ОБСЕ"),
    ("cis", "the CIS", "СНГ"),
    ("sco", "the SCO", "ШОС"),
    ("unodc", "UNODC", "УНП ООН"),
    ("icrc", "the ICRC", "МККК"),
    ("eaeu", "the Eurasian Economic Union", "ЕАЭС"),
)

EXERCISE_NAMES = (
    ("Steppe Shield", "Степной щит"),
    ("Mountain Echo", "Горное эхо"),
    ("Amber Bridge", "Янтарный мост"),
    ("Northern Bastion", "Северный бастион"),
    ("Silk Gate", "Шёлковые ворота"),
    ("Clear Sky", "Чистое небо"),
)

FORUMS = (
    ("the OSCE Annual Security Review Conference", "vienna"),
    ("the UN Security Council debate on cooperation with regional organisations", "new-york"),
    ("the high-level round table of the CIS, the SCO and the CSO", "minsk"),
    ("the plenary session of the CSO Parliamentary Assembly", "st-petersburg"),
    ("the Geneva dialogue on humanitarian mine action", "geneva"),
    ("the Astana international forum on regional security", "astana"),
)

MEDIA = (
    ("TASS", "tass"),
    ("BelTA", "belta"),
    ("Kazinform", ""),
    ("the Khovar news agency", ""),
    ("the weekly Argumenty i Fakty", ""),
    ("Armenpress", ""),
)

BACKGROUND_EN = (
    "The CSO brings together Armenia, Belarus, Kazakhstan, Kyrgyzstan, Russia and Tajikistan. Its Secretariat "
    "in Moscow prepares the sessions of the statutory bodies and follows up on their decisions.",
    "The CSO coordinates its members' work against terrorism, drug trafficking and other cross-border threats "
    "and trains a joint peacekeeping force that can be deployed at the request of a member state.",
    "The Secretariat keeps working contacts with the United Nations, the OSCE, the CIS and the SCO; memoranda "
    "of understanding set out practical cooperation with several of them.",
    "The chairmanship of the CSO rotates among the member states every year. The chairing state hosts the "
    "session of the Collective Security Council and proposes the priorities for its term.",
)

BACKGROUND_RU = (
    "В ОБС входят Армения, Беларусь, Казахстан, Кыргызстан, Россия и Таджикистан. Секретариат Организации "
    "в Москве готовит заседания уставных органов и контролирует выполнение их решений.",
    "ОБС координирует усилия государств-членов в борьбе с терроризмом, незаконным оборотом наркотиков и другими "
    "трансграничными угрозами и готовит объединённые миротворческие силы.",
    "Секретариат поддерживает рабочие контакты с ООН, ОБСЕ, СНГ и ШОС; с рядом из них подписаны меморандумы "
    "о взаимопонимании, определяющие практическое сотрудничество.",
    "Председательство в ОБС ежегодно переходит от одного государства-члена к другому. Председательствующее "
    "государство принимает сессию Совета коллективной безопасности и предлагает приоритеты своего срока.",
)

# Scenes the picture module knows how to draw.
TABLE, PODIUM, HANDSHAKE, FACADE, GROUP, SIGNING, FIELD = (
    "table",
    "podium",
    "handshake",
    "facade",
    "group",
    "signing",
    "field",
)


# ---------------------------------------------------------------------------------------------------------
# What a story is


@dataclass
class Text:
    title: str
    lead: str
    body: str


@dataclass
class Story:
    key: str
    section: str
    kind: str
    place_en: str
    place_ru: str
    en: Text
    ru: Text | None = None
    days: int = 1
    all_day: bool = False
    start: tuple[int, int] = (10, 0)
    hours: int = 2
    participants: list[str] = field(default_factory=list)
    organizations: list[str] = field(default_factory=list)
    contacts: list[str] = field(default_factory=list)
    scenes: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    # Free words the photo captions can use: who and where.
    caption_subject: str = ""


class Deck:
    """Deals items of a vocabulary without repeating one until all have been used, like cards."""

    def __init__(self, rng: random.Random, people: dict) -> None:
        self.rng = rng
        self.people = people
        self._piles: dict[int, list] = {}

    def deal(self, items):
        pile = self._piles.get(id(items))
        if not pile:
            pile = list(items)
            self.rng.shuffle(pile)
            self._piles[id(items)] = pile
        return pile.pop()


def _cap(text: str) -> str:
    """Capitalise the first letter only; ``str.capitalize`` would lower-case "в Москве" into "В москве"."""
    return text[:1].upper() + text[1:]


def p(text: str) -> str:
    return f"<p>{text}</p>"


def quote(text: str, speaker: str) -> str:
    return f"<blockquote><p>“{text}”</p><p>— {speaker}</p></blockquote>"


def quote_ru(text: str, speaker: str) -> str:
    return f"<blockquote><p>«{text}»</p><p>— {speaker}</p></blockquote>"


def bullets(heading: str, items: list[str]) -> str:
    return f"<h2>{heading}</h2><ul>{''.join(f'<li>{item}</li>' for item in items)}</ul>"


def _sample(rng: random.Random, pool: tuple[str, ...] | list[str], k: int) -> list[str]:
    return rng.sample(list(pool), min(k, len(pool)))


SG_EN = "Secretary General Arman Seitkaliyev"
SG_RU = "Генеральный секретарь ОБС Арман Сейткалиев"


# ---------------------------------------------------------------------------------------------------------
# Stories


def story_meeting(rng: random.Random, ctx: Deck) -> Story:
    guest_slug, org, place_key = ctx.deal(GUESTS)
    guest = ctx.people[guest_slug]
    topic, second = rng.sample(TOPICS, 2)
    place = PLACES[place_key]
    title_en = rng.choice(
        (
            f"Secretary General meets {guest.name}, {guest.position}",
            f"Secretary General holds talks with {guest.name}",
            f"{guest.name} and the Secretary General discuss {topic.en}",
        )
    )
    lead_en = (
        f"{SG_EN} and {guest.name}, {guest.position}, discussed {topic.en} and the preparation of the next "
        f"joint events."
    )
    middle = (
        f"Both sides noted the growing practical content of their contacts, in particular the exchange of "
        f"information on {topic.en} and joint training for experts from the member states.",
        f"The interlocutors paid special attention to {second.en}. The Secretary General briefed his guest on the "
        f"decisions of the latest session of the Collective Security Council.",
        "They agreed to hold the next round of working consultations before the end of the year and to invite "
        "experts from the member states' ministries to take part.",
        "The meeting also touched upon the situation in Afghanistan and its possible effect on the security of the "
        "southern borders of the Commonwealth, which both sides called a matter of common concern.",
        f"Particular attention was given to the plan of joint activities for the coming year, which includes a "
        f"seminar on {second.en} and a study visit of young diplomats to the Secretariat.",
    )
    said = rng.choice(
        (
            f"Our cooperation is at its best when it is specific. Today we agreed on concrete steps on {topic.en}, "
            "and our experts will start on them next month",
            "The threats we face do not stop at borders, and neither should the exchange of information between us",
            "We value a partner that speaks openly about difficulties. This is how trust is built, one meeting at a "
            "time",
        )
    )
    body = "".join(
        [
            p(
                f"{SG_EN} met {guest.name}, {guest.position}, in {place.en.split(',')[0]}. "
                f"The conversation focused on {topic.en}."
            ),
            *map(p, _sample(rng, middle, rng.randint(2, 3))),
            quote(said, "Arman Seitkaliyev"),
            p(rng.choice(BACKGROUND_EN)),
        ]
    )
    title_ru = f"Генеральный секретарь ОБС провёл встречу {guest.with_ru}"
    lead_ru = (
        f"{SG_RU} и {guest.name_ru} ({guest.position_ru}) обсудили вопросы {topic.ru} и подготовку ближайших "
        "совместных мероприятий."
    )
    middle_ru = (
        f"Стороны отметили растущее практическое наполнение контактов, в том числе обмен информацией по вопросам "
        f"{topic.ru} и совместную подготовку экспертов государств-членов.",
        f"Особое внимание собеседники уделили вопросам {second.ru}. Генеральный секретарь проинформировал гостя "
        "о решениях последней сессии Совета коллективной безопасности.",
        "Договорились провести следующий раунд рабочих консультаций до конца года с участием экспертов "
        "профильных министерств государств-членов.",
    )
    said_ru = rng.choice(
        (
            "Сотрудничество наиболее эффективно, когда оно конкретно. Сегодня мы договорились о практических шагах, "
            "и эксперты приступят к ним уже в следующем месяце",
            "Угрозы, с которыми мы сталкиваемся, не останавливаются на границах, и обмен информацией между нами "
            "тоже не должен",
        )
    )
    body_ru = "".join(
        [
            p(f"{_cap(place.in_ru)} {SG_RU} провёл встречу {guest.with_ru}."),
            *map(p, _sample(rng, middle_ru, 2)),
            quote_ru(said_ru, "Арман Сейткалиев"),
            p(rng.choice(BACKGROUND_RU)),
        ]
    )
    return Story(
        key="meeting",
        section="secretary-general",
        kind="news",
        place_en=place.en,
        place_ru=place.ru,
        en=Text(title_en, lead_en, body),
        ru=Text(title_ru, lead_ru, body_ru),
        start=(rng.choice((10, 11, 15, 16)), rng.choice((0, 30))),
        hours=1,
        participants=[SECRETARY_GENERAL, guest_slug],
        organizations=["cso", org],
        contacts=["viktor-lebedev"],
        scenes=[HANDSHAKE, TABLE],
        caption_subject=f"Arman Seitkaliyev and {guest.name}",
    )


def story_visit(rng: random.Random, ctx: Deck) -> Story:
    country = ctx.deal(MEMBER_STATES)
    place = PLACES[country.capital]
    topic = ctx.deal(TOPICS)
    city = place.en.split(",")[0]
    title = rng.choice(
        (
            f"Secretary General on a working visit to {country.en}",
            f"Secretary General visits {city}",
        )
    )
    lead = (
        f"During a two-day visit to {country.en}, {SG_EN} held talks with the leadership of the ministries of "
        f"foreign affairs and defence and visited the national peacekeeping training centre."
    )
    programme = [
        "talks at the Ministry of Foreign Affairs",
        "a meeting with the Secretary of the Security Council",
        "a visit to the national peacekeeping training centre",
        "a lecture for students of the diplomatic academy",
        "a meeting with the heads of international organisations' offices",
    ]
    body = "".join(
        [
            p(f"{SG_EN} paid a working visit to {country.en}. The programme of the visit included:"),
            f"<ul>{''.join(f'<li>{item}</li>' for item in _sample(rng, programme, 4))}</ul>",
            p(
                f"The talks focused on the priorities of the current chairmanship and on {topic.en}. The hosts "
                "presented proposals for the agenda of the next session of the Council of Foreign Ministers."
            ),
            quote(
                rng.choice(
                    (
                        f"{country.en} contributes to the collective security system not only with words, but with "
                        "trained units, experts and ideas",
                        "Every visit to a member state shows me how much of our work is done far from the meeting "
                        "rooms, by people at the borders and in the training centres",
                    )
                ),
                "Arman Seitkaliyev",
            ),
            p(
                "At the training centre the Secretary General watched a demonstration of a checkpoint drill by the "
                "unit assigned to the CSO peacekeeping forces and spoke with instructors and officers."
            ),
            p(rng.choice(BACKGROUND_EN)),
        ]
    )
    return Story(
        key="visit",
        section="secretary-general",
        kind=rng.choice(("news", "photo_report")),
        place_en=place.en,
        place_ru=place.ru,
        en=Text(title, lead, body),
        days=2,
        all_day=True,
        participants=[SECRETARY_GENERAL],
        organizations=["cso", country.organization],
        contacts=["viktor-lebedev"],
        scenes=[FACADE, HANDSHAKE, TABLE, FIELD],
        caption_subject=f"the Secretary General's visit to {country.en}",
    )


def story_speech(rng: random.Random, ctx: Deck) -> Story:
    forum, place_key = ctx.deal(FORUMS)
    place = PLACES[place_key]
    topic, second = rng.sample(TOPICS, 2)
    title = f"Address by the Secretary General at {forum}"
    lead = f"{SG_EN} spoke about {topic.en} and offered closer work with partner organisations on {second.en}."
    body = "".join(
        [
            p("<em>Check against delivery.</em>"),
            p(
                "Mr Chairman, distinguished colleagues, ladies and gentlemen, allow me first to thank the organisers "
                "for the invitation and for the chance to speak on behalf of the Commonwealth Security Organisation."
            ),
            p(
                f"Over the past year our member states have made real progress on {topic.en}. Joint operations "
                "have become regular, and the exchange of information between the competent authorities works "
                "around the clock."
            ),
            quote(
                "No organisation can cope with today's threats on its own. Regional organisations know the "
                "terrain; global ones set the standards. Our task is to make these strengths meet",
                "Arman Seitkaliyev",
            ),
            p(
                f"I would like to propose three practical steps: regular expert contacts on {second.en}, a shared "
                "calendar of training events, and joint assessments of the situation in the regions of common "
                "concern."
            ),
            p("Thank you for your attention."),
        ]
    )
    return Story(
        key="speech",
        section="secretary-general",
        kind="speech",
        place_en=place.en,
        place_ru=place.ru,
        en=Text(title, lead, body),
        start=(rng.choice((9, 11, 14)), 30),
        hours=1,
        participants=[SECRETARY_GENERAL],
        organizations=["cso", "osce" if place_key == "vienna" else "united-nations"],
        contacts=["viktor-lebedev"],
        scenes=[PODIUM],
        caption_subject="Arman Seitkaliyev at the rostrum",
    )


def story_interview(rng: random.Random, ctx: Deck) -> Story:
    outlet, org = ctx.deal(MEDIA)
    topic, second = rng.sample(TOPICS, 2)
    title = f"Interview of the Secretary General to {outlet}"
    lead = f"{SG_EN} answered questions about {topic.en}, the chairmanship priorities and the CSO's partners."
    qa = [
        (
            "What is the main result of the year for the Organisation?",
            "Predictability. The member states know what to expect of each other and of the Secretariat. "
            "Our joint forces train on a published schedule, and our councils take decisions on time.",
        ),
        (
            f"How do you cooperate with other organisations on {topic.en}?",
            "Through people more than through documents. Our experts know their colleagues at the UN, the OSCE "
            "and the CIS by name, and that is what makes the memoranda work.",
        ),
        (
            "What will the next session of the Collective Security Council discuss?",
            f"Among other things, {second.en}. The draft decisions are already with the ministries, and I expect "
            "a constructive discussion.",
        ),
        (
            "Is the CSO open to new members or observers?",
            "The founding documents allow it, and several states have shown interest in observer status. Any such "
            "decision belongs to the member states, by consensus.",
        ),
    ]
    chosen = _sample(rng, qa, 3)
    body = "".join(f"<p><strong>{q}</strong></p><p>{a}</p>" for q, a in chosen)
    body += quote(
        "Security is not a product we deliver once a year at a summit. It is daily work, most of it invisible",
        "Arman Seitkaliyev",
    )
    body += p(f"The full interview was published by {outlet}.")
    return Story(
        key="interview",
        section="secretary-general",
        kind="interview",
        place_en=PLACES["moscow"].en,
        place_ru=PLACES["moscow"].ru,
        en=Text(title, lead, body),
        start=(12, 0),
        participants=[SECRETARY_GENERAL] + (["marina-ostrovskaya"] if org == "tass" else []),
        organizations=["cso"] + ([org] if org else []),
        contacts=["viktor-lebedev"],
    )


def story_cfm(rng: random.Random, ctx: Deck) -> Story:
    country = ctx.deal(MEMBER_STATES)
    place = PLACES[country.capital]
    city = place.en.split(",")[0]
    topic, second = rng.sample(TOPICS, 2)
    title = f"Meeting of the CSO Council of Foreign Ministers in {city}"
    lead = (
        f"The ministers approved a statement on {topic.en} and draft decisions for the Collective Security "
        "Council, and agreed the plan of consultations on foreign policy for the next two years."
    )
    decisions = [
        f"a statement of the ministers on {topic.en}",
        "the plan of consultations of the member states' representatives on foreign policy, security and defence",
        f"a draft decision of the Collective Security Council on {second.en}",
        "the list of joint statements to be delivered at the OSCE and the UN General Assembly",
        "the appointment of a new Deputy Secretary General",
    ]
    body = "".join(
        [
            p(
                f"The Council of Foreign Ministers of the Commonwealth Security Organisation met {city} under the "
                f"chairmanship of {country.en}. {SG_EN} took part."
            ),
            p(
                "The ministers exchanged views on the international situation and on the state of security in the "
                "area of responsibility of the Organisation. In the restricted session they discussed the situation "
                "on the southern borders of the Commonwealth."
            ),
            bullets("Documents adopted", _sample(rng, decisions, rng.randint(3, 4))),
            quote(
                "The ministers spoke frankly and found common ground on every document on the agenda. The "
                "drafts now go to the heads of state",
                "Arman Seitkaliyev, at the press conference after the meeting",
            ),
            p("The next meeting of the Council of Foreign Ministers will be held in the spring."),
        ]
    )
    body_ru = "".join(
        [
            p(
                f"{_cap(place.in_ru)} под председательством {country.of_ru} "
                f"состоялось заседание Совета министров иностранных дел ОБС. В работе принял участие {SG_RU}."
            ),
            p(
                "Министры обменялись мнениями о международной обстановке и состоянии безопасности в зоне "
                "ответственности Организации. В узком составе обсуждалось положение на южных рубежах Содружества."
            ),
            bullets(
                "Принятые документы",
                [
                    f"заявление министров по вопросам {topic.ru}",
                    "план консультаций представителей государств-членов по вопросам внешней политики, безопасности "
                    "и обороны",
                    f"проект решения Совета коллективной безопасности по вопросам {second.ru}",
                ],
            ),
            quote_ru(
                "Министры говорили откровенно и нашли общий язык по всем документам повестки дня. Теперь проекты "
                "передаются главам государств",
                "Арман Сейткалиев на пресс-конференции по итогам заседания",
            ),
            p("Следующее заседание Совета министров иностранных дел пройдёт весной."),
        ]
    )
    return Story(
        key="cfm",
        section="council-of-foreign-ministers",
        kind="press_release",
        place_en=place.en,
        place_ru=place.ru,
        en=Text(title, lead, body),
        ru=Text(
            f"Заседание Совета министров иностранных дел ОБС {place.in_ru}",
            f"Министры одобрили заявление по вопросам {topic.ru} и проекты решений Совета коллективной "
            "безопасности, а также согласовали план консультаций на два года.",
            body_ru,
        ),
        days=rng.choice((1, 2)),
        start=(10, 0),
        hours=6,
        participants=[
            SECRETARY_GENERAL,
            "oleg-vasilevsky",
            "anatoly-vereshchagin",
            "pavel-kulesh",
            "aida-zhaksybekova",
        ],
        organizations=["cso", "mfa-russia", "mfa-belarus", "mfa-kazakhstan"],
        contacts=["elena-sokolova", "viktor-lebedev"],
        scenes=[TABLE, GROUP, PODIUM],
        documents=["Statement of the Council of Foreign Ministers"],
        caption_subject="the ministers of foreign affairs",
    )


def story_summit(rng: random.Random, ctx: Deck) -> Story:
    country = ctx.deal(MEMBER_STATES)
    place = PLACES[country.capital]
    city = place.en.split(",")[0]
    topic, second, third = rng.sample(TOPICS, 3)
    title = f"Session of the CSO Collective Security Council in {city}"
    lead = (
        f"The heads of state adopted a declaration, approved the joint plan on {topic.en} and handed over the "
        f"chairmanship. The session lasted two days."
    )
    body = "".join(
        [
            p(
                f"The Collective Security Council, the Organisation's highest body, met {city}. On the first day "
                "the Council of Foreign Ministers, the Council of Defence Ministers and the Committee of "
                "Secretaries of Security Councils held a joint meeting to finalise the documents."
            ),
            p(
                "On the second day the heads of state met in restricted format and then in extended format with "
                "the delegations."
            ),
            bullets(
                "The Council adopted",
                [
                    f"the {city} Declaration of the Collective Security Council",
                    f"the joint plan on {topic.en} for the next three years",
                    f"a decision on {second.en}",
                    f"a statement on {third.en}",
                    "the budget of the Organisation for the next year",
                ],
            ),
            quote(
                "The documents adopted today turn our common intentions into tasks with deadlines and "
                "responsible bodies. The Secretariat will report on them at the next session",
                "Arman Seitkaliyev",
            ),
            p(
                f"{country.en} handed over the chairmanship to the next member state in alphabetical order. "
                "Journalists accredited for the session received the documents in the press centre."
            ),
        ]
    )
    body_ru = "".join(
        [
            p(
                f"{_cap(place.in_ru)} прошла сессия Совета коллективной безопасности — высшего органа "
                "Организации. В первый день совместное заседание провели Совет министров иностранных дел, Совет "
                "министров обороны и Комитет секретарей советов безопасности."
            ),
            p("Во второй день главы государств встретились в узком, а затем в расширенном составе."),
            bullets(
                "Совет принял",
                [
                    "Декларацию Совета коллективной безопасности",
                    f"совместный план по вопросам {topic.ru} на три года",
                    f"решение по вопросам {second.ru}",
                    "бюджет Организации на следующий год",
                ],
            ),
            quote_ru(
                "Принятые сегодня документы превращают общие намерения в задачи со сроками и ответственными "
                "органами. Секретариат доложит об их выполнении на следующей сессии",
                "Арман Сейткалиев",
            ),
            p("Аккредитованные журналисты получили тексты документов в пресс-центре."),
        ]
    )
    return Story(
        key="summit",
        section="councils-and-summits",
        kind="press_release",
        place_en=place.en,
        place_ru=place.ru,
        en=Text(title, lead, body),
        ru=Text(
            f"Сессия Совета коллективной безопасности ОБС {place.in_ru}",
            f"Главы государств приняли декларацию, утвердили совместный план по вопросам {topic.ru} и передали "
            "председательство. Сессия продолжалась два дня.",
            body_ru,
        ),
        days=rng.choice((2, 3)),
        all_day=True,
        participants=[SECRETARY_GENERAL, "galina-rudneva", "oleg-vasilevsky", "sergei-kornilov"],
        organizations=["cso", "mfa-russia", "mfa-belarus", "mfa-kazakhstan", "armenia", "kyrgyzstan"],
        contacts=["viktor-lebedev", "elena-sokolova"],
        scenes=[GROUP, TABLE, PODIUM, FACADE],
        documents=["Declaration of the Collective Security Council"],
        caption_subject="the heads of state of the CSO",
    )


def story_secretaries(rng: random.Random, ctx: Deck) -> Story:
    country = ctx.deal(MEMBER_STATES)
    place = PLACES[country.capital]
    topic = ctx.deal(TOPICS)
    title = f"Committee of Secretaries of Security Councils meets in {place.en.split(',')[0]}"
    lead = f"The secretaries assessed threats to the Organisation's southern borders and discussed {topic.en}."
    body = "".join(
        [
            p(
                "The Committee of Secretaries of Security Councils held its regular meeting. The participants heard "
                "reports from the Secretariat and the Joint Staff on the situation in the area of responsibility."
            ),
            p(
                f"Much of the discussion was devoted to {topic.en}. The Committee instructed the Secretariat to "
                "prepare, with the competent authorities, proposals for a single list of terrorist organisations."
            ),
            quote(
                "The Committee works where policy meets operations. Its decisions reach border posts within weeks",
                "Arman Seitkaliyev",
            ),
            p(rng.choice(BACKGROUND_EN)),
        ]
    )
    return Story(
        key="secretaries",
        section="councils-and-summits",
        kind="press_release",
        place_en=place.en,
        place_ru=place.ru,
        en=Text(title, lead, body),
        start=(10, 0),
        hours=5,
        participants=[SECRETARY_GENERAL, "dilnoza-rakhimova", "sergei-kornilov"],
        organizations=["cso", country.organization],
        contacts=["elena-sokolova"],
        scenes=[TABLE],
        caption_subject="members of the Committee of Secretaries of Security Councils",
    )


def story_exercise(rng: random.Random, ctx: Deck) -> Story:
    name_en, name_ru = ctx.deal(EXERCISE_NAMES)
    where = ctx.deal(RANGES)
    troops = rng.choice((1200, 1500, 2300, 2800, 3100))
    title = f"Joint exercise “{name_en}” begins at the {where.en.split(',')[0]}"
    lead = (
        f"About {troops:,} servicemen of the CSO joint forces are practising the planning and conduct of a "
        "peacekeeping operation. The active phase will last three days."
    )
    body = "".join(
        [
            p(
                f"The joint exercise “{name_en}” of the Commonwealth Security Organisation has opened at the "
                f"{where.en}. Units from all six member states take part, together with aviation and "
                "medical teams."
            ),
            p(
                "According to the scenario, the contingent enters a region where an armed conflict has ended, "
                "separates the sides, protects a humanitarian convoy and clears a supply route of mines."
            ),
            bullets(
                "Phases of the exercise",
                [
                    "day one: deployment and command-staff training",
                    "day two: escort of a humanitarian convoy and a checkpoint exercise",
                    "day three: demining of a route and medical evacuation",
                ],
            ),
            quote(
                "Our units are learning to speak one language on the radio and to use the same maps. That is "
                "what makes a joint force more than a sum of contingents",
                "Colonel General Sergei Kornilov, Chief of the CSO Joint Staff",
            ),
            p("Observers from the OSCE and the ICRC have been invited to the final day."),
        ]
    )
    body_ru = "".join(
        [
            p(
                f"{_cap(where.in_ru)} начались совместные учения ОБС «{name_ru}». В них участвуют "
                "подразделения всех шести государств-членов, авиация и медицинские отряды."
            ),
            p(
                "По замыслу учений контингент вводится в район, где завершился вооружённый конфликт, разводит "
                "стороны, сопровождает гуманитарную колонну и разминирует маршрут снабжения."
            ),
            quote_ru(
                "Наши подразделения учатся говорить на одном языке в эфире и пользоваться одними картами. "
                "Именно это делает объединённые силы больше, чем суммой контингентов",
                "начальник Объединённого штаба ОБС генерал-полковник Сергей Корнилов",
            ),
            p("На заключительный день учений приглашены наблюдатели ОБСЕ и МККК."),
        ]
    )
    return Story(
        key="exercise",
        section="exercises",
        kind=rng.choice(("press_release", "photo_report")),
        place_en=where.en,
        place_ru=where.ru,
        en=Text(title, lead, body),
        ru=Text(
            f"Начались совместные учения «{name_ru}»",
            f"Около {troops} военнослужащих объединённых сил ОБС отрабатывают планирование и проведение "
            "миротворческой операции. Активная фаза продлится три дня.",
            body_ru,
        ),
        days=3,
        all_day=True,
        participants=["sergei-kornilov", "rustam-nazarov"],
        organizations=["cso-joint-staff", "mod-tajikistan"],
        contacts=["timur-abdrakhmanov"],
        scenes=[FIELD, FIELD, GROUP],
        caption_subject=f"the “{name_en}” exercise",
    )


def story_consultations(rng: random.Random, ctx: Deck) -> Story:
    org, name_en, name_ru = ctx.deal(PARTNERS)
    topic = ctx.deal(TOPICS)
    place = PLACES[rng.choice(("moscow", "vienna", "geneva", "new-york"))]
    who = rng.choice(("galina-rudneva", "dilnoza-rakhimova"))
    person = ctx.people[who]
    title = f"CSO Secretariat and {name_en} hold consultations on {topic.en}"
    lead = (
        f"Experts of the two secretariats compared their programmes on {topic.en} and agreed on a joint training event."
    )
    body = "".join(
        [
            p(
                f"Regular consultations between the CSO Secretariat and {name_en} took place. The CSO delegation "
                f"was led by {person.name}, {person.position}."
            ),
            p(
                "The parties reviewed the implementation of the work plan adopted last year and noted that most of "
                "its items have been completed, including the exchange of analytical materials."
            ),
            p(
                f"They agreed to organise a joint training course on {topic.en} for officers of the member states "
                "and to invite each other's experts to their events."
            ),
            quote(
                "We do not duplicate each other; we fill the gaps. These consultations showed exactly where",
                person.name,
            ),
        ]
    )
    body_ru = "".join(
        [
            p(
                f"Состоялись очередные консультации Секретариата ОБС и {name_ru}. Делегацию ОБС возглавила "
                f"{person.name_ru}, {person.position_ru}."
            ),
            p(
                "Стороны рассмотрели ход выполнения плана работы, принятого в прошлом году, и отметили, что "
                "большинство его пунктов выполнено, включая обмен аналитическими материалами."
            ),
            p(
                f"Договорились организовать совместный учебный курс по вопросам {topic.ru} для офицеров "
                "государств-членов."
            ),
            quote_ru(
                "Мы не дублируем друг друга, а заполняем пробелы. Консультации показали, где именно", person.name_ru
            ),
        ]
    )
    return Story(
        key="consultations",
        section="international-cooperation",
        kind="news",
        place_en=place.en,
        place_ru=place.ru,
        en=Text(title, lead, body),
        ru=Text(
            f"Секретариат ОБС и {name_ru} провели консультации по вопросам {topic.ru}",
            f"Эксперты двух секретариатов сверили программы по вопросам {topic.ru} и договорились о совместном "
            "учебном мероприятии.",
            body_ru,
        ),
        start=(rng.choice((10, 14)), 0),
        hours=4,
        participants=[who],
        organizations=["cso-secretariat", org],
        contacts=["elena-sokolova"],
        scenes=[TABLE],
        caption_subject=f"the consultations with {name_en}",
    )


def story_memorandum(rng: random.Random, ctx: Deck) -> Story:
    org, name_en, name_ru = ctx.deal(PARTNERS)
    topic = ctx.deal(TOPICS)
    title = f"CSO and {name_en} sign a memorandum of understanding on {topic.en}"
    lead = (
        f"The memorandum provides for exchanges of information, joint training and mutual participation in "
        f"events on {topic.en}."
    )
    body = "".join(
        [
            p(
                f"{SG_EN} and a representative of {name_en} signed a memorandum of understanding at the CSO "
                "Secretariat in Moscow."
            ),
            bullets(
                "The memorandum provides for",
                [
                    "regular exchange of information and analytical materials",
                    f"joint seminars and training courses on {topic.en}",
                    "invitations of observers to exercises and conferences",
                    "annual consultations at the level of deputy heads",
                ],
            ),
            quote(
                "This memorandum formalises what our teams have been doing for several years. Now it has a "
                "framework, a plan and a budget line",
                "Arman Seitkaliyev",
            ),
            p("The memorandum enters into force on signature and is concluded for five years."),
        ]
    )
    body_ru = "".join(
        [
            p(f"{SG_RU} и представитель {name_ru} подписали меморандум о взаимопонимании в Секретариате ОБС в Москве."),
            bullets(
                "Меморандум предусматривает",
                [
                    "регулярный обмен информацией и аналитическими материалами",
                    f"совместные семинары и учебные курсы по вопросам {topic.ru}",
                    "приглашение наблюдателей на учения и конференции",
                ],
            ),
            quote_ru(
                "Меморандум закрепляет то, чем наши команды занимаются уже несколько лет. Теперь у этой работы есть "
                "рамка, план и строка в бюджете",
                "Арман Сейткалиев",
            ),
            p("Меморандум вступает в силу с даты подписания и заключён на пять лет."),
        ]
    )
    return Story(
        key="memorandum",
        section="international-cooperation",
        kind="press_release",
        place_en=PLACES["moscow"].en,
        place_ru=PLACES["moscow"].ru,
        en=Text(title, lead, body),
        ru=Text(
            f"ОБС и {name_ru} подписали меморандум о взаимопонимании",
            f"Меморандум предусматривает обмен информацией, совместную подготовку и взаимное участие в "
            f"мероприятиях по вопросам {topic.ru}.",
            body_ru,
        ),
        start=(12, 0),
        hours=1,
        participants=[SECRETARY_GENERAL, "galina-rudneva"],
        organizations=["cso", org],
        contacts=["viktor-lebedev"],
        scenes=[SIGNING, HANDSHAKE],
        documents=["Memorandum of understanding"],
        caption_subject=f"the signing of the memorandum with {name_en}",
    )


STATEMENTS = (
    (
        "the floods in the mountain regions of Kyrgyzstan",
        "в связи с наводнениями в горных районах Кыргызстана",
        "The Secretariat expresses its deep condolences to the families of the victims and stands ready to "
        "coordinate assistance from the member states through the crisis-response centre.",
        "Секретариат выражает глубокие соболезнования семьям погибших и готов координировать помощь "
        "государств-членов через центр кризисного реагирования.",
    ),
    (
        "the results of the regional anti-drug operation “Clean Path”",
        "в связи с итогами региональной антинаркотической операции «Чистый путь»",
        "During the operation the competent authorities of the member states seized several tonnes of narcotic "
        "drugs and closed dozens of smuggling channels.",
        "В ходе операции компетентные органы государств-членов изъяли несколько тонн наркотических средств и "
        "перекрыли десятки каналов контрабанды.",
    ),
    (
        "the adoption of the UN General Assembly resolution on cooperation with the CSO",
        "в связи с принятием резолюции Генеральной Ассамблеи ООН о сотрудничестве с ОБС",
        "The Secretariat welcomes the resolution, adopted without a vote, and thanks the co-sponsoring "
        "delegations for their work on the text.",
        "Секретариат приветствует принятие резолюции без голосования и благодарит делегации-соавторы за "
        "работу над текстом.",
    ),
    (
        "the entry into force of the agreement on joint crisis response",
        "в связи со вступлением в силу соглашения о совместном кризисном реагировании",
        "With the last instrument of ratification deposited, the member states can now request the deployment "
        "of rescue and medical teams under a single procedure.",
        "После сдачи последней ратификационной грамоты государства-члены могут запрашивать направление "
        "спасательных и медицинских отрядов по единой процедуре.",
    ),
    (
        "the earthquake in the south of the region",
        "в связи с землетрясением на юге региона",
        "The Secretariat offers its condolences to the families of the victims and stands ready to coordinate "
        "assistance from the member states at the request of the affected country.",
        "Секретариат выражает соболезнования семьям погибших и готов по просьбе пострадавшей страны "
        "координировать помощь государств-членов.",
    ),
    (
        "the completion of the joint mine-clearance mission",
        "в связи с завершением совместной миссии по разминированию",
        "Engineers from four member states cleared more than two hundred hectares of farmland, which can now be "
        "returned to use.",
        "Сапёры четырёх государств-членов очистили более двухсот гектаров сельскохозяйственных угодий, "
        "которые теперь могут быть возвращены в оборот.",
    ),
    (
        "the International Day of United Nations Peacekeepers",
        "по случаю Международного дня миротворцев ООН",
        "The Secretariat pays tribute to the peacekeepers from the member states who serve in United Nations "
        "missions, and to those who lost their lives in the line of duty.",
        "Секретариат отдаёт дань уважения миротворцам из государств-членов, служащим в миссиях ООН, и "
        "чтит память погибших при исполнении долга.",
    ),
)


def story_statement(rng: random.Random, ctx: Deck) -> Story:
    subject_en, subject_ru, line_en, line_ru = ctx.deal(STATEMENTS)
    title = f"Statement by the CSO Secretariat on {subject_en}"
    lead = line_en.split(". ")[0].rstrip(".") + "."
    body = "".join(
        [
            p(line_en),
            p(
                "The Secretariat remains in contact with the competent authorities of the member states and with "
                "partner organisations and will provide further information as it becomes available."
            ),
            quote(
                rng.choice(
                    (
                        "Solidarity between our states is measured in moments like this one",
                        "We will keep working with our partners so that this result is not a single episode but "
                        "a steady practice",
                    )
                ),
                "Arman Seitkaliyev",
            ),
        ]
    )
    body_ru = "".join(
        [
            p(line_ru),
            p(
                "Секретариат поддерживает контакт с компетентными органами государств-членов и "
                "организациями-партнёрами и сообщит дополнительную информацию по мере её поступления."
            ),
            quote_ru("Солидарность наших государств проверяется именно такими моментами", "Арман Сейткалиев"),
        ]
    )
    return Story(
        key="statement",
        section=rng.choice(("press-service", "secretary-general")),
        kind="statement",
        place_en=PLACES["moscow"].en,
        place_ru=PLACES["moscow"].ru,
        en=Text(title, lead, body),
        ru=Text(
            f"Заявление Секретариата ОБС {subject_ru}",
            line_ru.split(". ")[0].rstrip(".") + ".",
            body_ru,
        ),
        start=(17, 0),
        hours=0,
        participants=[SECRETARY_GENERAL],
        organizations=["cso-secretariat"],
        contacts=["viktor-lebedev"],
    )


def story_accreditation(rng: random.Random, ctx: Deck) -> Story:
    country = ctx.deal(MEMBER_STATES)
    place = PLACES[country.capital]
    city = place.en.split(",")[0]
    what = rng.choice(
        (
            ("the session of the Collective Security Council", "сессии Совета коллективной безопасности"),
            ("the meeting of the Council of Foreign Ministers", "заседания Совета министров иностранных дел"),
            ("the joint exercise “Silk Gate”", "совместных учений «Шёлковые ворота»"),
        )
    )
    title = f"Accreditation opens for journalists covering {what[0]} in {city}"
    lead = "Applications are accepted online until ten days before the event; the press centre opens the day before."
    body = "".join(
        [
            p(
                f"The CSO Press Service opens accreditation for representatives of the media who wish to cover "
                f"{what[0]} in {city}."
            ),
            bullets(
                "How to apply",
                [
                    "fill in the online form and attach a scan of your press card",
                    "add a recent photo in portrait format, at least 600 pixels wide",
                    "technical crews list every member and the equipment they bring",
                ],
            ),
            p(
                "Accredited journalists collect their badges at the press centre on presentation of a passport. "
                "Pool places for the opening of the session are limited and allocated by lot."
            ),
            quote(
                "We want every newsroom that covers our region to be able to work in comfortable conditions",
                "Elena Sokolova, Deputy Head of the Press Service",
            ),
        ]
    )
    body_ru = "".join(
        [
            p(f"Пресс-служба ОБС открывает аккредитацию представителей СМИ для освещения {what[1]} {place.in_ru}."),
            p(
                "Заявки принимаются через онлайн-форму не позднее чем за десять дней до мероприятия. Бейджи "
                "выдаются в пресс-центре при предъявлении паспорта."
            ),
            quote_ru(
                "Мы хотим, чтобы каждая редакция, освещающая наш регион, могла работать в комфортных условиях",
                "заместитель руководителя пресс-службы Елена Соколова",
            ),
        ]
    )
    return Story(
        key="accreditation",
        section="press-service",
        kind="announcement",
        place_en=PLACES["moscow-press"].en,
        place_ru=PLACES["moscow-press"].ru,
        en=Text(title, lead, body),
        ru=Text(
            f"Открыта аккредитация журналистов для освещения {what[1]}",
            "Заявки принимаются онлайн не позднее чем за десять дней до мероприятия; пресс-центр открывается накануне.",
            body_ru,
        ),
        all_day=True,
        organizations=["cso-secretariat"],
        contacts=["elena-sokolova"],
    )


def story_briefing(rng: random.Random, ctx: Deck) -> Story:
    topics = rng.sample(TOPICS, 3)
    title = rng.choice(
        (
            "Briefing by the Spokesman of the CSO Secretariat",
            "Weekly briefing of the Press Service",
            "Spokesman's briefing: the week ahead",
        )
    )
    lead = f"Viktor Lebedev spoke about the Secretary General's schedule and answered questions on {topics[0].en}."
    body = "".join(
        [
            p(
                "The Spokesman of the CSO Secretariat, Viktor Lebedev, held the regular briefing for journalists "
                "at the press centre."
            ),
            bullets(
                "Topics of the briefing",
                [
                    "the Secretary General's schedule for the coming week",
                    f"preparations for the expert seminar on {topics[1].en}",
                    f"questions from journalists on {topics[0].en}",
                    f"the progress of the joint programme on {topics[2].en}",
                ],
            ),
            quote(
                "We publish the transcript on the same day so that those who could not come can quote us accurately",
                "Viktor Lebedev",
            ),
            p("The next briefing will be held at the same time next week. Accredited journalists may attend."),
        ]
    )
    body_ru = "".join(
        [
            p("Официальный представитель Секретариата ОБС Виктор Лебедев провёл очередной брифинг для журналистов."),
            p(
                f"Он рассказал о графике Генерального секретаря на предстоящую неделю и ответил на вопросы по "
                f"теме {topics[0].ru}."
            ),
            quote_ru(
                "Мы публикуем стенограмму в тот же день, чтобы те, кто не смог прийти, цитировали нас точно",
                "Виктор Лебедев",
            ),
        ]
    )
    return Story(
        key="briefing",
        section="press-service",
        kind="news",
        place_en=PLACES["moscow-press"].en,
        place_ru=PLACES["moscow-press"].ru,
        en=Text(title, lead, body),
        ru=Text(
            "Брифинг официального представителя Секретариата ОБС",
            f"Виктор Лебедев рассказал о графике Генерального секретаря и ответил на вопросы по теме {topics[0].ru}.",
            body_ru,
        ),
        start=(rng.choice((11, 12)), 0),
        hours=1,
        participants=["viktor-lebedev"],
        organizations=["cso-secretariat"],
        contacts=["viktor-lebedev", "elena-sokolova"],
        scenes=[PODIUM],
        caption_subject="Viktor Lebedev at the briefing",
    )


def story_assembly(rng: random.Random, ctx: Deck) -> Story:
    topic = ctx.deal(TOPICS)
    title = "CSO Parliamentary Assembly holds a plenary session in St Petersburg"
    lead = f"Members of parliament adopted a model law on {topic.en} and heard a report by the Secretary General."
    body = "".join(
        [
            p(
                "The plenary session of the CSO Parliamentary Assembly took place at the Tauride Palace. "
                "Delegations of the parliaments of all member states took part."
            ),
            p(
                f"The deputies adopted a model law on {topic.en}, which the national parliaments can use when "
                "drafting their own legislation, and approved the programme for harmonising legislation."
            ),
            quote(
                "Model laws are how the Assembly turns the Organisation's decisions into national practice",
                "Irina Malysheva, Executive Secretary of the Assembly",
            ),
            p(rng.choice(BACKGROUND_EN)),
        ]
    )
    return Story(
        key="assembly",
        section="councils-and-summits",
        kind="news",
        place_en=PLACES["st-petersburg"].en,
        place_ru=PLACES["st-petersburg"].ru,
        en=Text(title, lead, body),
        start=(10, 0),
        hours=7,
        participants=["irina-malysheva", SECRETARY_GENERAL],
        organizations=["cso-parliamentary-assembly"],
        contacts=["elena-sokolova"],
        scenes=[FACADE, PODIUM, GROUP],
        caption_subject="the plenary session at the Tauride Palace",
    )


def story_conference(rng: random.Random, ctx: Deck) -> Story:
    topic = ctx.deal(TOPICS)
    place = PLACES[rng.choice(("minsk", "astana", "dushanbe", "yerevan", "bishkek"))]
    city = place.en.split(",")[0]
    partner, partner_en, _partner_ru = ctx.deal(PARTNERS)
    title = f"International conference on {topic.en} opens in {city}"
    lead = f"More than 150 experts from 20 countries and {partner_en} discuss {topic.en} over two days."
    body = "".join(
        [
            p(
                f"An international conference on {topic.en}, organised by the CSO Secretariat together with "
                f"{partner_en}, opened in {city}."
            ),
            p(
                "The programme includes four panels: threat assessment, legal frameworks, the training of "
                "specialists, and international cooperation. The sessions are open to accredited media."
            ),
            quote(
                "Conferences like this one are where practitioners find each other. Half of our joint projects "
                "started with a conversation in a corridor",
                "Galina Rudneva, Deputy Secretary General",
            ),
            p("The recommendations of the conference will be sent to the member states and published on this site."),
        ]
    )
    return Story(
        key="conference",
        section="international-cooperation",
        kind="news",
        place_en=place.en,
        place_ru=place.ru,
        en=Text(title, lead, body),
        days=2,
        all_day=True,
        participants=["galina-rudneva", "amira-haddad", "martina-kessler"],
        organizations=["cso-secretariat", partner, "unodc"],
        contacts=["elena-sokolova"],
        scenes=[PODIUM, TABLE, GROUP],
        caption_subject=f"the conference in {city}",
    )


def story_humanitarian(rng: random.Random, ctx: Deck) -> Story:
    country = ctx.deal(MEMBER_STATES)
    tonnes = rng.choice((40, 65, 120, 180))
    title = f"CSO member states deliver humanitarian aid to {country.en}"
    lead = f"{tonnes} tonnes of food, medicine and tents reached the areas affected by floods and mudslides."
    body = "".join(
        [
            p(
                f"A humanitarian convoy coordinated by the CSO crisis-response centre delivered {tonnes} tonnes of "
                f"aid to {country.en}. The cargo was provided by the member states' emergency ministries."
            ),
            p(
                "Rescue teams from three member states are helping the local authorities to restore roads and "
                "water supply. The ICRC regional delegation supports the distribution of aid."
            ),
            quote(
                "The agreement on joint crisis response was written for days like these. It worked within hours",
                "Galina Rudneva, Deputy Secretary General",
            ),
        ]
    )
    return Story(
        key="humanitarian",
        section="crisis-response",
        kind="news",
        place_en=PLACES[country.capital].en.split(",")[0],
        place_ru=PLACES[country.capital].ru.split(",")[0],
        en=Text(title, lead, body),
        start=(9, 0),
        hours=0,
        participants=["galina-rudneva", "claire-fontaine"],
        organizations=["cso", "icrc", country.organization],
        contacts=["timur-abdrakhmanov"],
        scenes=[FIELD, GROUP],
        caption_subject=f"the aid convoy to {country.en}",
    )


def story_training(rng: random.Random, ctx: Deck) -> Story:
    country = ctx.deal(MEMBER_STATES)
    place = PLACES[country.capital]
    title = f"Staff training of the CSO peacekeeping forces in {place.en.split(',')[0]}"
    lead = "Officers of the peacekeeping forces' headquarters practised planning a mission under a UN mandate."
    body = "".join(
        [
            p(
                "A staff training session of the CSO peacekeeping forces took place. Officers from the national "
                "contingents practised the planning of a mission, from the mandate to the daily orders."
            ),
            p(
                "Instructors from the Joint Staff and invited experts from United Nations peacekeeping training "
                "centres led the sessions on the protection of civilians and on gender aspects."
            ),
            quote(
                "A headquarters that has trained together deploys faster. That is the whole point of this week",
                "Sergei Kornilov",
            ),
        ]
    )
    return Story(
        key="training",
        section="crisis-response",
        kind="news",
        place_en=place.en,
        place_ru=place.ru,
        en=Text(title, lead, body),
        days=2,
        all_day=True,
        participants=["sergei-kornilov"],
        organizations=["cso-joint-staff", country.organization],
        contacts=["timur-abdrakhmanov"],
        scenes=[TABLE, FIELD],
        caption_subject="the staff training",
    )


def story_open_day(rng: random.Random, ctx: Deck) -> Story:
    title = rng.choice(
        (
            "Secretariat hosts an open day for students of international relations",
            "Young diplomats from the member states complete an internship at the Secretariat",
        )
    )
    lead = "Students met the Secretary General and the heads of departments and visited the press centre."
    body = "".join(
        [
            p(
                "The CSO Secretariat welcomed a group of students and young diplomats from the member states. "
                "They learned how the statutory bodies prepare their decisions and how the Press Service works."
            ),
            p(
                "In a conversation with the Secretary General the students asked about careers in international "
                "organisations, the working languages and the role of the member states' missions."
            ),
            quote(
                "Some of you will sit at this table as delegates one day. Come prepared and come curious",
                "Arman Seitkaliyev",
            ),
        ]
    )
    return Story(
        key="open-day",
        section="press-service",
        kind="news",
        place_en=PLACES["moscow"].en,
        place_ru=PLACES["moscow"].ru,
        en=Text(title, lead, body),
        start=(15, 0),
        hours=2,
        participants=[SECRETARY_GENERAL, "dilnoza-rakhimova"],
        organizations=["cso-secretariat"],
        contacts=["elena-sokolova"],
        scenes=[GROUP, FACADE],
        caption_subject="students at the Secretariat",
    )


PHOTO_REPORTS = (
    (
        "the Secretariat's new press centre",
        "the press centre",
        "The Press Service has moved into its new press centre on the ground floor of the Secretariat: a briefing "
        "room for eighty journalists, booths for interpreters and a small studio for television interviews.",
    ),
    (
        "a day at the crisis-response centre",
        "the crisis-response centre",
        "Duty officers of the crisis-response centre follow the situation in the member states around the clock "
        "and stay in touch with the emergency ministries and the Joint Staff.",
    ),
    (
        "the handover of equipment to the border units",
        "the equipment handover",
        "The Secretariat handed over off-road vehicles, thermal imagers and radio sets bought under the targeted "
        "programme for strengthening the southern borders of the Commonwealth.",
    ),
    (
        "the wreath-laying ceremony on Peacekeepers' Day",
        "the ceremony",
        "Staff of the Secretariat and the Joint Staff, veterans and diplomats laid wreaths in memory of the "
        "peacekeepers who died in the line of duty.",
    ),
)


def story_photo_report(rng: random.Random, ctx: Deck) -> Story:
    subject, short, what_happened = ctx.deal(PHOTO_REPORTS)
    title = f"Photo report: {subject}"
    lead = f"Pictures by the CSO Press Service photographers: {subject}."
    body = "".join(
        [
            p(what_happened),
            p("Photographers of the CSO Press Service were there; a selection of their pictures is below."),
            p(
                "Media may use the photos free of charge with the credit “CSO Press Service”. Full-resolution "
                "files are available on request."
            ),
            quote("A picture is often the first thing a reader sees of our work", "Viktor Lebedev"),
        ]
    )
    return Story(
        key="photo-report",
        section="press-service",
        kind="photo_report",
        place_en=PLACES["moscow"].en,
        place_ru=PLACES["moscow"].ru,
        en=Text(title, lead, body),
        start=(11, 0),
        hours=2,
        participants=["viktor-lebedev"],
        organizations=["cso-secretariat"],
        contacts=["viktor-lebedev"],
        scenes=[GROUP, FACADE, TABLE, PODIUM],
        caption_subject=short,
    )


StoryFactory = Callable[[random.Random, Deck], Story]

# How many releases of each kind the demo holds: about a hundred, weighted like a real press service's year.
MIX: tuple[tuple[StoryFactory, int], ...] = (
    (story_meeting, 17),
    (story_visit, 6),
    (story_speech, 7),
    (story_interview, 5),
    (story_cfm, 3),
    (story_summit, 2),
    (story_secretaries, 2),
    (story_exercise, 5),
    (story_consultations, 10),
    (story_memorandum, 4),
    (story_statement, 7),
    (story_accreditation, 6),
    (story_briefing, 9),
    (story_assembly, 2),
    (story_conference, 4),
    (story_humanitarian, 3),
    (story_training, 3),
    (story_open_day, 2),
    (story_photo_report, 4),
)
