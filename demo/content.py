"""The directory of the fictional CSO press service: sections, organisations, people.

Everything here is plain data keyed by slug, so loading it twice finds the same rows again.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SectionData:
    slug: str
    name: str
    name_ru: str
    description: str
    description_ru: str
    position: int
    parent: str = ""
    default_contacts: tuple[str, ...] = ()


@dataclass(frozen=True)
class OrganizationData:
    slug: str
    name: str
    name_ru: str
    short_name: str
    kind: str
    country: str = ""
    website: str = ""
    parent: str = ""
    description: str = ""


@dataclass(frozen=True)
class PersonData:
    slug: str
    name: str
    name_ru: str
    position: str
    position_ru: str
    organization: str
    bio: str
    # Russian "with …" phrase (instrumental case) used when a release says whom someone met.
    with_ru: str = ""
    email: str = ""
    # Written as press releases print them; parsed by events.phones on the way in.
    phones: tuple[str, ...] = field(default_factory=tuple)


SECTIONS: tuple[SectionData, ...] = (
    SectionData(
        slug="secretary-general",
        name="Secretary General",
        name_ru="Генеральный секретарь",
        description="Meetings, visits, speeches and interviews of the Secretary General of the CSO.",
        description_ru="Встречи, визиты, выступления и интервью Генерального секретаря ОБС.",
        position=10,
        default_contacts=("viktor-lebedev",),
    ),
    SectionData(
        slug="councils-and-summits",
        name="Councils and summits",
        name_ru="Советы и саммиты",
        description=(
            "Sessions of the Collective Security Council, the councils of ministers, the Committee of "
            "Secretaries of Security Councils and the Parliamentary Assembly."
        ),
        description_ru=(
            "Сессии Совета коллективной безопасности, заседания советов министров, Комитета секретарей "
            "советов безопасности и Парламентской ассамблеи."
        ),
        position=20,
        default_contacts=("viktor-lebedev", "elena-sokolova"),
    ),
    SectionData(
        slug="council-of-foreign-ministers",
        name="Council of Foreign Ministers",
        name_ru="Совет министров иностранных дел",
        description="Meetings and decisions of the CSO Council of Foreign Ministers.",
        description_ru="Заседания и решения Совета министров иностранных дел ОБС.",
        position=21,
        parent="councils-and-summits",
        default_contacts=("elena-sokolova",),
    ),
    SectionData(
        slug="international-cooperation",
        name="International cooperation",
        name_ru="Международное сотрудничество",
        description=(
            "Contacts with the United Nations, the OSCE, the CIS, the SCO and other partners: consultations, "
            "memoranda, joint conferences."
        ),
        description_ru=(
            "Взаимодействие с ООН, ОБСЕ, СНГ, ШОС и другими партнёрами: консультации, меморандумы, "
            "совместные конференции."
        ),
        position=30,
        default_contacts=("elena-sokolova",),
    ),
    SectionData(
        slug="crisis-response",
        name="Crisis response and peacekeeping",
        name_ru="Кризисное реагирование и миротворчество",
        description="Humanitarian operations, peacekeeping training and regional operations of the CSO.",
        description_ru="Гуманитарные операции, миротворческая подготовка и региональные операции ОБС.",
        position=40,
        default_contacts=("timur-abdrakhmanov",),
    ),
    SectionData(
        slug="exercises",
        name="Joint exercises",
        name_ru="Совместные учения",
        description="Command-staff and field exercises of the CSO joint forces.",
        description_ru="Командно-штабные и полевые учения объединённых сил ОБС.",
        position=41,
        parent="crisis-response",
        default_contacts=("timur-abdrakhmanov",),
    ),
    SectionData(
        slug="press-service",
        name="Press service",
        name_ru="Пресс-служба",
        description="Briefings, accreditation of journalists, announcements and statements of the Secretariat.",
        description_ru="Брифинги, аккредитация журналистов, анонсы и заявления Секретариата.",
        position=50,
        default_contacts=("viktor-lebedev", "elena-sokolova"),
    ),
)


INTERNATIONAL = "international"
STATE = "state"
GOVERNMENT = "government"
AGENCY = "agency"
MEDIA = "media"
OTHER = "other"

# The demo office's identity (the admin's Site identity page); the logo stays the emblem.
SITE_IDENTITY = {
    "name_en": "CSO Press Service",
    "name_ru": "Пресс-служба ОБС",
    "short_name_en": "CSO Press",
    "short_name_ru": "Пресс-служба ОБС",
    "footer_en": "Commonwealth Security Organisation, Moscow. Material may be reproduced with a reference to the CSO.",
    "footer_ru": "Организация безопасности Содружества, Москва. При перепечатке ссылка на ОБС обязательна.",
}

ORGANIZATIONS: tuple[OrganizationData, ...] = (
    OrganizationData(
        slug="cso",
        name="Commonwealth Security Organisation",
        name_ru="Организация безопасности Содружества",
        short_name="CSO",
        kind=INTERNATIONAL,
        country="RU",
        website="https://cso.example.org",
        description="A regional security organisation of six states; its Secretariat sits in Moscow.",
    ),
    OrganizationData(
        slug="cso-secretariat",
        name="CSO Secretariat",
        name_ru="Секретариат ОБС",
        short_name="Secretariat",
        kind=AGENCY,
        country="RU",
        website="https://cso.example.org/secretariat/",
        parent="cso",
        description="The permanent working body of the CSO, headed by the Secretary General.",
    ),
    OrganizationData(
        slug="cso-joint-staff",
        name="CSO Joint Staff",
        name_ru="Объединённый штаб ОБС",
        short_name="Joint Staff",
        kind=AGENCY,
        country="RU",
        parent="cso",
        description="Plans the joint exercises and the training of the peacekeeping forces.",
    ),
    OrganizationData(
        slug="cso-parliamentary-assembly",
        name="CSO Parliamentary Assembly",
        name_ru="Парламентская ассамблея ОБС",
        short_name="CSO PA",
        kind=INTERNATIONAL,
        country="RU",
        parent="cso",
        description="Brings together members of the parliaments of the member states; meets in St Petersburg.",
    ),
    OrganizationData(
        slug="united-nations",
        name="United Nations",
        name_ru="Организация Объединённых Наций",
        short_name="UN",
        kind=INTERNATIONAL,
        website="https://www.un.org",
    ),
    OrganizationData(
        slug="unoct",
        name="UN Office of Counter-Terrorism",
        name_ru="Контртеррористическое управление ООН",
        short_name="UNOCT",
        kind=AGENCY,
        website="https://www.un.org/counterterrorism/",
        parent="united-nations",
    ),
    OrganizationData(
        slug="unodc",
        name="UN Office on Drugs and Crime",
        name_ru="Управление ООН по наркотикам и преступности",
        short_name="UNODC",
        kind=AGENCY,
        country="AT",
        website="https://www.unodc.org",
        parent="united-nations",
    ),
    OrganizationData(
        slug="osce",
        name="Organization for Security and Co-operation in Europe",
        name_ru="Организация по безопасности и сотрудничеству в Европе",
        short_name="OSCE",
        kind=INTERNATIONAL,
        country="AT",
        website="https://www.osce.org",
    ),
    OrganizationData(
        slug="cis",
        name="Commonwealth of Independent States",
        name_ru="Содружество Независимых Государств",
        short_name="CIS",
        kind=INTERNATIONAL,
        country="BY",
        website="https://e-cis.info",
    ),
    OrganizationData(
        slug="sco",
        name="Shanghai Cooperation Organisation",
        name_ru="Шанхайская организация сотрудничества",
        short_name="SCO",
        kind=INTERNATIONAL,
        country="CN",
        website="https://eng.sectsco.org",
    ),
    OrganizationData(
        slug="eaeu",
        name="Eurasian Economic Union",
        name_ru="Евразийский экономический союз",
        short_name="EAEU",
        kind=INTERNATIONAL,
        country="RU",
        website="https://eaeunion.org",
    ),
    OrganizationData(
        slug="icrc",
        name="International Committee of the Red Cross",
        name_ru="Международный комитет Красного Креста",
        short_name="ICRC",
        kind=OTHER,
        country="CH",
        website="https://www.icrc.org",
    ),
    OrganizationData(
        slug="mfa-russia",
        name="Ministry of Foreign Affairs of the Russian Federation",
        name_ru="Министерство иностранных дел Российской Федерации",
        short_name="MFA of Russia",
        kind=GOVERNMENT,
        country="RU",
        website="https://mid.ru",
    ),
    OrganizationData(
        slug="mfa-belarus",
        name="Ministry of Foreign Affairs of the Republic of Belarus",
        name_ru="Министерство иностранных дел Республики Беларусь",
        short_name="MFA of Belarus",
        kind=GOVERNMENT,
        country="BY",
        website="https://mfa.gov.by",
    ),
    OrganizationData(
        slug="mfa-kazakhstan",
        name="Ministry of Foreign Affairs of the Republic of Kazakhstan",
        name_ru="Министерство иностранных дел Республики Казахстан",
        short_name="MFA of Kazakhstan",
        kind=GOVERNMENT,
        country="KZ",
    ),
    OrganizationData(
        slug="mod-tajikistan",
        name="Ministry of Defence of the Republic of Tajikistan",
        name_ru="Министерство обороны Республики Таджикистан",
        short_name="MoD of Tajikistan",
        kind=GOVERNMENT,
        country="TJ",
    ),
    OrganizationData(
        slug="armenia",
        name="Republic of Armenia",
        name_ru="Республика Армения",
        short_name="Armenia",
        kind=STATE,
        country="AM",
    ),
    OrganizationData(
        slug="kyrgyzstan",
        name="Kyrgyz Republic",
        name_ru="Кыргызская Республика",
        short_name="Kyrgyzstan",
        kind=STATE,
        country="KG",
    ),
    OrganizationData(
        slug="tass",
        name="TASS Russian News Agency",
        name_ru="Информационное агентство России ТАСС",
        short_name="TASS",
        kind=MEDIA,
        country="RU",
        website="https://tass.com",
    ),
    OrganizationData(
        slug="belta",
        name="Belarusian Telegraph Agency",
        name_ru="Белорусское телеграфное агентство",
        short_name="BelTA",
        kind=MEDIA,
        country="BY",
        website="https://eng.belta.by",
    ),
)


# Press contacts first: sections and releases refer to them by slug.
PEOPLE: tuple[PersonData, ...] = (
    PersonData(
        slug="viktor-lebedev",
        name="Viktor Lebedev",
        name_ru="Виктор Лебедев",
        position="Spokesman, Head of the Press Service",
        position_ru="официальный представитель, руководитель пресс-службы",
        organization="cso-secretariat",
        bio=(
            "Joined the Secretariat in 2016 after twelve years as a diplomatic correspondent. "
            "Speaks for the Secretary General and runs the weekly briefing."
        ),
        with_ru="с руководителем пресс-службы Виктором Лебедевым",
        email="press@cso.example.org",
        phones=("+7-495-123-45-67", "+ 7-495-765-43-21-tel", "+7-495-123-45-70-fax"),
    ),
    PersonData(
        slug="elena-sokolova",
        name="Elena Sokolova",
        name_ru="Елена Соколова",
        position="Deputy Head of the Press Service",
        position_ru="заместитель руководителя пресс-службы",
        organization="cso-secretariat",
        bio="Coordinates accreditation and media work for councils and summits.",
        with_ru="с заместителем руководителя пресс-службы Еленой Соколовой",
        email="accreditation@cso.example.org",
        phones=("+7-495-123-45-68", "+7 916 555-01-23 mobile"),
    ),
    PersonData(
        slug="timur-abdrakhmanov",
        name="Timur Abdrakhmanov",
        name_ru="Тимур Абдрахманов",
        position="Press Officer, CSO Joint Staff",
        position_ru="пресс-офицер Объединённого штаба ОБС",
        organization="cso-joint-staff",
        bio="Covers exercises and peacekeeping training; former army reporter from Almaty.",
        with_ru="с пресс-офицером Объединённого штаба Тимуром Абдрахмановым",
        email="jointstaff.press@cso.example.org",
        phones=("+7 (495) 123-45-90", "+7-903-210-44-17-mob"),
    ),
    PersonData(
        slug="arman-seitkaliyev",
        name="Arman Seitkaliyev",
        name_ru="Арман Сейткалиев",
        position="Secretary General of the CSO",
        position_ru="Генеральный секретарь ОБС",
        organization="cso-secretariat",
        bio=(
            "Career diplomat from Kazakhstan; served as ambassador in Vienna and as deputy foreign minister "
            "before taking office as Secretary General."
        ),
        with_ru="с Генеральным секретарём ОБС Арманом Сейткалиевым",
    ),
    PersonData(
        slug="galina-rudneva",
        name="Galina Rudneva",
        name_ru="Галина Руднева",
        position="Deputy Secretary General",
        position_ru="заместитель Генерального секретаря",
        organization="cso-secretariat",
        bio="Oversees political affairs, relations with international organisations and the crisis-response unit.",
        with_ru="с заместителем Генерального секретаря Галиной Рудневой",
    ),
    PersonData(
        slug="oleg-vasilevsky",
        name="Oleg Vasilevsky",
        name_ru="Олег Василевский",
        position="Deputy Secretary General",
        position_ru="заместитель Генерального секретаря",
        organization="cso-secretariat",
        bio="Responsible for the budget, the legal department and the work of the councils of ministers.",
        with_ru="с заместителем Генерального секретаря Олегом Василевским",
    ),
    PersonData(
        slug="sergei-kornilov",
        name="Sergei Kornilov",
        name_ru="Сергей Корнилов",
        position="Chief of the CSO Joint Staff",
        position_ru="начальник Объединённого штаба ОБС",
        organization="cso-joint-staff",
        bio="Colonel General; commanded a mountain brigade and led the staff college before joining the CSO.",
        with_ru="с начальником Объединённого штаба ОБС Сергеем Корниловым",
    ),
    PersonData(
        slug="dilnoza-rakhimova",
        name="Dilnoza Rakhimova",
        name_ru="Дильноза Рахимова",
        position="Head of the Political Department",
        position_ru="начальник политического отдела",
        organization="cso-secretariat",
        bio="Prepares the sessions of the councils; previously worked at the Tajik mission to the UN in New York.",
        with_ru="с начальником политического отдела Дильнозой Рахимовой",
    ),
    PersonData(
        slug="irina-malysheva",
        name="Irina Malysheva",
        name_ru="Ирина Малышева",
        position="Executive Secretary of the CSO Parliamentary Assembly",
        position_ru="ответственный секретарь Парламентской ассамблеи ОБС",
        organization="cso-parliamentary-assembly",
        bio="A constitutional lawyer who has run the Assembly's secretariat in St Petersburg since its founding.",
        with_ru="с ответственным секретарём Парламентской ассамблеи ОБС Ириной Малышевой",
    ),
    PersonData(
        slug="martina-kessler",
        name="Martina Kessler",
        name_ru="Мартина Кесслер",
        position="Director of the Conflict Prevention Centre",
        position_ru="директор Центра по предотвращению конфликтов",
        organization="osce",
        bio="Fictional demo person. Austrian diplomat working on early warning and mediation support.",
        with_ru="с директором Центра ОБСЕ по предотвращению конфликтов Мартиной Кесслер",
    ),
    PersonData(
        slug="jonathan-avery",
        name="Jonathan Avery",
        name_ru="Джонатан Эйвери",
        position="Director, UN Office of Counter-Terrorism",
        position_ru="директор Контртеррористического управления ООН",
        organization="unoct",
        bio="Fictional demo person. Leads capacity-building programmes for regional organisations.",
        with_ru="с директором Контртеррористического управления ООН Джонатаном Эйвери",
    ),
    PersonData(
        slug="amira-haddad",
        name="Amira Haddad",
        name_ru="Амира Хаддад",
        position="Regional Representative for Central Asia",
        position_ru="региональный представитель в Центральной Азии",
        organization="unodc",
        bio="Fictional demo person. Runs UNODC border-management projects from Tashkent.",
        with_ru="с региональным представителем УНП ООН в Центральной Азии Амирой Хаддад",
    ),
    PersonData(
        slug="li-wenhao",
        name="Li Wenhao",
        name_ru="Ли Вэньхао",
        position="Deputy Secretary-General of the SCO",
        position_ru="заместитель Генерального секретаря ШОС",
        organization="sco",
        bio="Fictional demo person. Oversees security cooperation within the SCO Secretariat in Beijing.",
        with_ru="с заместителем Генерального секретаря ШОС Ли Вэньхао",
    ),
    PersonData(
        slug="nikolai-drozdov",
        name="Nikolai Drozdov",
        name_ru="Николай Дроздов",
        position="First Deputy Chairman of the CIS Executive Committee",
        position_ru="первый заместитель Председателя Исполнительного комитета СНГ",
        organization="cis",
        bio="Fictional demo person. Coordinates the CIS bodies for security and law enforcement.",
        with_ru="с первым заместителем Председателя Исполнительного комитета СНГ Николаем Дроздовым",
    ),
    PersonData(
        slug="claire-fontaine",
        name="Claire Fontaine",
        name_ru="Клэр Фонтен",
        position="Head of the ICRC Regional Delegation in Moscow",
        position_ru="глава Региональной делегации МККК в Москве",
        organization="icrc",
        bio="Fictional demo person. Works on the humanitarian aspects of crisis response in the region.",
        with_ru="с главой Региональной делегации МККК в Москве Клэр Фонтен",
    ),
    PersonData(
        slug="anatoly-vereshchagin",
        name="Anatoly Vereshchagin",
        name_ru="Анатолий Верещагин",
        position="Deputy Minister of Foreign Affairs of the Russian Federation",
        position_ru="заместитель Министра иностранных дел Российской Федерации",
        organization="mfa-russia",
        bio="Fictional demo person. Responsible for relations with the CIS countries and regional organisations.",
        with_ru="с заместителем Министра иностранных дел России Анатолием Верещагиным",
    ),
    PersonData(
        slug="pavel-kulesh",
        name="Pavel Kulesh",
        name_ru="Павел Кулеш",
        position="Deputy Minister of Foreign Affairs of the Republic of Belarus",
        position_ru="заместитель Министра иностранных дел Республики Беларусь",
        organization="mfa-belarus",
        bio="Fictional demo person. Career diplomat, previously ambassador to several Central Asian states.",
        with_ru="с заместителем Министра иностранных дел Беларуси Павлом Кулешом",
    ),
    PersonData(
        slug="aida-zhaksybekova",
        name="Aida Zhaksybekova",
        name_ru="Аида Жаксыбекова",
        position="Deputy Minister of Foreign Affairs of the Republic of Kazakhstan",
        position_ru="заместитель Министра иностранных дел Республики Казахстан",
        organization="mfa-kazakhstan",
        bio="Fictional demo person. In charge of multilateral diplomacy and the chairmanship programme.",
        with_ru="с заместителем Министра иностранных дел Казахстана Аидой Жаксыбековой",
    ),
    PersonData(
        slug="rustam-nazarov",
        name="Rustam Nazarov",
        name_ru="Рустам Назаров",
        position="First Deputy Minister of Defence of the Republic of Tajikistan",
        position_ru="первый заместитель Министра обороны Республики Таджикистан",
        organization="mod-tajikistan",
        bio="Fictional demo person. Oversees border troops' training and the hosting of joint exercises.",
        with_ru="с первым заместителем Министра обороны Таджикистана Рустамом Назаровым",
    ),
    PersonData(
        slug="hovhannes-sargsyan",
        name="Hovhannes Sargsyan",
        name_ru="Ованес Саргсян",
        position="Permanent Representative of Armenia to the CSO",
        position_ru="Постоянный представитель Армении при ОБС",
        organization="armenia",
        bio="Fictional demo person. Ambassador; chairs the Permanent Council in the current rotation.",
        with_ru="с Постоянным представителем Армении при ОБС Ованесом Саргсяном",
    ),
    PersonData(
        slug="bakyt-osmonov",
        name="Bakyt Osmonov",
        name_ru="Бакыт Осмонов",
        position="Permanent Representative of Kyrgyzstan to the CSO",
        position_ru="Постоянный представитель Кыргызстана при ОБС",
        organization="kyrgyzstan",
        bio="Fictional demo person. Former head of the international department of the Security Council.",
        with_ru="с Постоянным представителем Кыргызстана при ОБС Бакытом Осмоновым",
    ),
    PersonData(
        slug="marina-ostrovskaya",
        name="Marina Ostrovskaya",
        name_ru="Марина Островская",
        position="Security correspondent",
        position_ru="обозреватель по вопросам безопасности",
        organization="tass",
        bio="Fictional demo person. Has covered the CSO councils for a decade.",
        with_ru="с обозревателем ТАСС Мариной Островской",
    ),
)

PRESS_CONTACT_SLUGS = ("viktor-lebedev", "elena-sokolova", "timur-abdrakhmanov")
SECRETARY_GENERAL = "arman-seitkaliyev"

# Photographers of the press service: name, Russian name, and the prefix their camera gives file names.
PHOTOGRAPHERS = (
    ("Andrei Melnikov", "Андрей Мельников", "AMX_"),
    ("Saule Bekova", "Сауле Бекова", "DSC_"),
    ("Dmitry Orlov", "Дмитрий Орлов", "IMG_"),
    ("Nadezhda Kim", "Надежда Ким", "NK1_"),
)
