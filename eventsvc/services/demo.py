"""Demo content for a human-rights clinic's site, loaded through the services, idempotently."""

import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import and_, or_, select

from eventsvc.extensions import db
from eventsvc.inputs import (
    CreditInput,
    EventChanges,
    EventFields,
    NewsFields,
    QuestionFields,
    RegistrationSettings,
)
from eventsvc.models import Event, NewsItem
from eventsvc.services.catalog import find_or_add_person
from eventsvc.services.events import add_recording, cancel_event, save_event
from eventsvc.services.locking import write_transaction
from eventsvc.services.news import create_news
from eventsvc.services.registration import active_questions, register
from eventsvc.services.staff import (
    create_staff,
    find_staff,
    password_matches,
    reset_password,
    set_staff_active,
    set_staff_role,
)
from eventsvc.text import slugify
from eventsvc.timezones import TimesAsked, describe, now, read_schedule

DEMO_EMAIL = "admin@example.org"
LOGIN_FILE = "demo-login.txt"


@dataclass
class DemoCredit:
    """A credit in the demo, with the affiliation shown for people."""

    role: str
    kind: str
    name: str
    url: str | None = None
    affiliation: str = ""


@dataclass
class DemoEvent:
    """An event placed relative to today: `days` from today at `at` in its own zone."""

    title: str
    kind: str
    timezone: str
    days: int
    at: time
    minutes: int
    summary: str
    body: str
    venue: str = ""
    address: str = ""
    join_url: str | None = None
    capacity: int | None = None
    series: str | None = None
    tags: list[str] = field(default_factory=list)
    credits: list[DemoCredit] = field(default_factory=list)
    internal_note: str = ""
    publish: bool = True
    recording: tuple[str, str] | None = None
    cancel_reason: str = ""
    registration: RegistrationSettings | None = None
    questions: list[QuestionFields] = field(default_factory=list)
    registrants: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class DemoNews:
    """A news item published `days_ago`; {date} and {when} come from its first event."""

    title: str
    days_ago: int
    body: str
    excerpt: str = ""
    label: str = "news"
    events: list[str] = field(default_factory=list)
    language: str = "en"


@dataclass
class DemoResult:
    """What a run of the demo loader did."""

    added: int = 0
    existing: int = 0


CLINIC = DemoCredit("host", "organization", "Human Rights Clinic", "https://clinic.example.org")
PARTNER = "Standards Integrity Project"
PARTNER_URL = "https://standards-integrity.example.org"
MSI_SERIES = "Rethinking MSIs"

BOX_TICKING = DemoEvent(
    title="Beyond Box-Ticking",
    kind="webinar",
    timezone="America/New_York",
    days=-45,
    at=time(10, 0),
    minutes=90,
    summary=(
        "Workers, community advocates and researchers on why voluntary standard-setting "
        "schemes keep missing abuses, and what accountable alternatives could look like."
    ),
    body=(
        "Multi-stakeholder initiatives promise that companies, unions and civil society can "
        "write the rules for global supply chains together. After two decades, the people "
        "those rules are meant to protect are still rarely in the room.\n\n"
        "This conversation draws on the Standards Integrity Project's review of forty "
        "standard-setting schemes and on the clinic's interviews with garment, cocoa and "
        "mining communities. The panel will ask:\n\n"
        "- Who sets the standards, and who is left to live with them?\n"
        "- Why do audits so often miss forced labour and retaliation?\n"
        "- What would a worker-driven alternative need to succeed?\n\n"
        "The session will be illustrated live, and the drawing shared afterwards."
    ),
    join_url="https://meet.example.org/j/48213377",
    capacity=500,
    series=MSI_SERIES,
    tags=["Business and human rights", "Multi-stakeholder initiatives"],
    credits=[
        CLINIC,
        DemoCredit("co_host", "organization", PARTNER, PARTNER_URL),
        DemoCredit(
            "moderator",
            "person",
            "Nadia Castellanos",
            "https://civicfutures.example.org",
            "Director of Programs, Civic Futures Lab",
        ),
        DemoCredit("speaker", "person", "Ruth Mensah", None, "Garment Workers' Solidarity Network"),
        DemoCredit("speaker", "person", "Liang Qiao", None, "Standards Integrity Project"),
        DemoCredit(
            "live_illustrator",
            "person",
            "Jonah Whitfield",
            "https://sketchwork.example.org",
            "Visual facilitator, Sketchwork Studio",
        ),
    ],
    recording=("https://video.example.org/watch/beyond-box-ticking", "Full webinar recording"),
)

ANDES_CO_HOSTS = [
    ("Andean Information Collective", "https://andean-info.example.org"),
    ("Instituto de Derechos y Territorio", "https://derechosyterritorio.example.org"),
    ("Justice and Accountability Project", "https://jap.example.org"),
    ("Human Rights Clinic", "https://clinic.example.org"),
    ("Inter-University Rights Network", "https://iurn.example.org"),
    ("Latin America Policy Office", "https://lapo.example.org"),
]

ANDES = DemoEvent(
    title="Protest and Accountability in the Andes",
    kind="webinar",
    timezone="America/La_Paz",
    days=18,
    at=time(11, 0),
    minutes=90,
    summary=(
        "Six organisations discuss the policing of protest in the Andean region, the search "
        "for justice by victims' families, and what international bodies can still do."
    ),
    body=(
        "Over the past year, protests over land, water and elections across the Andes have "
        "been met with mass arrests and lethal force. Families of those killed are still "
        "waiting for independent investigations.\n\n"
        "Lawyers, researchers and relatives of victims will compare what has worked in "
        "domestic courts, at the Inter-American Commission and before U.N. experts. "
        "Simultaneous interpretation between English and Spanish will be available."
    ),
    join_url="https://meet.example.org/j/73019264",
    capacity=1000,
    tags=["Latin America", "Protest rights"],
    credits=[
        *(DemoCredit("co_host", "organization", name, url) for name, url in ANDES_CO_HOSTS),
        DemoCredit("moderator", "person", "Valeria Quispe", None, "Andean Information Collective"),
        DemoCredit(
            "panelist", "person", "Marco Antezana", None, "Instituto de Derechos y Territorio"
        ),
        DemoCredit(
            "panelist", "person", "Helen Achterberg", None, "Justice and Accountability Project"
        ),
    ],
    internal_note=(
        "Interpreters booked through the Policy Office; send panelists the run of show a week "
        "ahead and check the Spanish channel ten minutes before the start."
    ),
    # Participants may be at risk: registration counts only once the address is confirmed.
    registration=RegistrationSettings(confirm_email=True),
    questions=[
        QuestionFields(
            "single_choice",
            "Which language will you follow?",
            required=True,
            choices=["English", "Español"],
        ),
        QuestionFields("organization", "Organisation"),
        QuestionFields("country", "Country"),
    ],
)

AMSTERDAM = DemoEvent(
    title="Remedy in Global Supply Chains: An Amsterdam Workshop",
    kind="in_person",
    timezone="Europe/Amsterdam",
    days=40,
    at=time(14, 0),
    minutes=210,
    summary=(
        "An afternoon workshop with regulators, unions and companies on what due-diligence "
        "laws should require when harm has already happened."
    ),
    body=(
        "European due-diligence laws are moving from paper to practice. This workshop asks "
        "what remedy should mean for the workers and communities harmed along supply chains, "
        "and how complaints can reach the companies that can act on them.\n\n"
        "Places are limited; coffee and a light meal are served from 13:30."
    ),
    venue="Prinsengracht Lecture Hall",
    address="Prinsengracht 301, 1016 GW Amsterdam, Netherlands",
    capacity=60,
    series=MSI_SERIES,
    tags=["Business and human rights", "Due diligence"],
    credits=[
        DemoCredit(
            "host", "organization", "Fair Chains Foundation", "https://fairchains.example.org"
        ),
        DemoCredit("co_host", "organization", "Human Rights Clinic", "https://clinic.example.org"),
        DemoCredit("speaker", "person", "Pieter van Dalen", None, "Fair Chains Foundation"),
    ],
    registration=RegistrationSettings(approval=True),
    questions=[
        QuestionFields("organization", "Organisation", required=True),
        QuestionFields(
            "multiple_choice",
            "Which sessions interest you?",
            choices=["Complaint mechanisms", "Remedy funds", "Enforcement by regulators"],
        ),
        QuestionFields("long_text", "Dietary or access needs"),
    ],
    registrants=[("Noor de Vries", "noor@example.org"), ("Tomás Ruiz", "tomas@example.org")],
)

SYDNEY = DemoEvent(
    title="Certification at Sea: Labour Rights in Pacific Fisheries",
    kind="webinar",
    timezone="Australia/Sydney",
    days=30,
    at=time(9, 0),
    minutes=60,
    summary=(
        "Can seafood certification protect the crews who catch the fish? A conversation "
        "hosted from Sydney with fishers' advocates and auditors."
    ),
    body=(
        "Crews on distant-water fishing vessels can spend months at sea, far from inspectors "
        "and unions. Certification labels promise buyers that the catch is clean; fishers' "
        "advocates say the audits rarely reach the boats.\n\n"
        "Speakers from the Pacific and South-East Asia discuss what a credible standard "
        "would have to check, and who should be allowed to check it."
    ),
    join_url="https://meet.example.org/j/55120987",
    series=MSI_SERIES,
    tags=["Multi-stakeholder initiatives", "Labour rights"],
    credits=[
        CLINIC,
        DemoCredit(
            "co_host", "organization", "Pacific Labour Rights Centre", "https://plrc.example.org"
        ),
        DemoCredit("speaker", "person", "Mele Tupou", None, "Pacific Labour Rights Centre"),
        DemoCredit("speaker", "person", "Arief Santoso", None, "Fishers' Rights Alliance"),
    ],
    registration=RegistrationSettings(),
)

SCREENING = DemoEvent(
    title="Film Screening: The River Keepers",
    kind="in_person",
    timezone="America/New_York",
    days=10,
    at=time(18, 30),
    minutes=120,
    summary="A documentary about a village defending its river, followed by a discussion.",
    body=(
        "The River Keepers follows a fishing village's five-year campaign against a dam "
        "built without its consent. The screening will be followed by a discussion with the "
        "directors and clinic students who worked on the community's legal complaint."
    ),
    venue="Hale Hall, Room 110",
    address="415 University Avenue, Riverton",
    capacity=120,
    tags=["Land and environment"],
    credits=[CLINIC],
    cancel_reason=(
        "The directors can no longer travel on this date. We hope to reschedule the screening "
        "in the spring and will announce the new date here."
    ),
)

OPEN_HOUSE = DemoEvent(
    title="Open House for Prospective Clinical Students",
    kind="webinar",
    timezone="America/New_York",
    days=7,
    at=time(12, 0),
    minutes=60,
    summary="Meet clinic staff and current students and ask how clinical work fits your studies.",
    body=(
        "Current students describe a semester in the clinic: fact-finding, advocacy before "
        "U.N. bodies and litigation support. Bring your questions about applications, "
        "workload and supervision."
    ),
    join_url="https://meet.example.org/j/90142231",
    capacity=3,
    tags=["Clinic"],
    credits=[CLINIC],
    registration=RegistrationSettings(),
    questions=[
        QuestionFields("short_text", "Which programme are you in?", required=True),
        QuestionFields("checkbox", "Send me the clinic's newsletter"),
    ],
    registrants=[
        ("Amara Okafor", "amara@example.org"),
        ("Lin Wei", "lin@example.org"),
        ("Sofia Marin", "sofia@example.org"),
        ("Jonas Berg", "jonas@example.org"),
    ],
)

SYMPOSIUM = DemoEvent(
    title="Spring Symposium: Technology and the Right to Protest",
    kind="hybrid",
    timezone="Europe/London",
    days=100,
    at=time(9, 30),
    minutes=420,
    summary="A day on surveillance, facial recognition and the freedom of peaceful assembly.",
    body="Programme to follow.",
    venue="Kingsway Conference Centre",
    address="12 Kingsway, London WC2B 6XF, United Kingdom",
    join_url="https://meet.example.org/j/61833410",
    tags=["Protest rights", "Technology"],
    credits=[CLINIC],
    internal_note="Draft until the venue confirms the booking.",
    publish=False,
)

DEMO_EVENTS = {
    "box-ticking": BOX_TICKING,
    "andes": ANDES,
    "amsterdam": AMSTERDAM,
    "sydney": SYDNEY,
    "screening": SCREENING,
    "open-house": OPEN_HOUSE,
    "symposium": SYMPOSIUM,
}

DEMO_NEWS = [
    DemoNews(
        title="Rethinking MSIs: Who Speaks for Workers at the Standard-Setting Table?",
        days_ago=172,
        body=(
            "Voluntary schemes that bring companies, governments and civil society together "
            "to write standards have become a fixture of global governance. They certify "
            "palm oil, audit factories and vet mining projects. Yet the workers and "
            "communities most affected by those standards rarely hold a vote, and almost "
            "never hold a veto.\n\n"
            "In this first essay of our series, we look at how these initiatives are "
            "governed. Of the schemes we reviewed, most give industry members a majority on "
            "their boards, few publish the findings of their audits, and only a handful let "
            "affected people bring a complaint to anyone outside the scheme.\n\n"
            "## Three kinds of initiative\n\n"
            "Some set standards, some shape policy, and some deliver projects on the ground. "
            "Each raises different questions about who is accountable, and to whom."
        ),
    ),
    DemoNews(
        title="Students Present Findings on Detention Conditions to Regional Commission",
        days_ago=158,
        excerpt=(
            "Clinic students briefed commissioners on overcrowding, denial of medical care and "
            "the use of solitary confinement in pre-trial detention."
        ),
        body=(
            "During a thematic hearing this week, clinic students presented the results of a "
            "year of interviews with former detainees, their families and defence lawyers. "
            "They asked the commission to request information from the state on medical care "
            "in pre-trial detention and to schedule an on-site visit."
        ),
    ),
    DemoNews(
        title="Clinic Asks U.N. Experts to Examine Attacks on Land Defenders",
        days_ago=141,
        body=(
            "*La Clínica pide a expertos de la ONU que examinen los ataques contra defensores "
            "de la tierra. (La versión en español está abajo.)*\n\n"
            "The Human Rights Clinic today asked four U.N. Special Rapporteurs to examine a "
            "pattern of threats, arbitrary arrests and killings of people defending their "
            "land against mining and logging projects in the northern highlands. The "
            "submission documents thirty-one incidents over eighteen months and finds that "
            "none has led to a prosecution.\n\n"
            "The clinic urges the experts to request information from the government and to "
            "call for independent investigations.\n\n"
            "---\n\n"
            "La Clínica de Derechos Humanos pidió hoy a cuatro Relatores Especiales de la ONU "
            "que examinen un patrón de amenazas, detenciones arbitrarias y asesinatos de "
            "personas que defienden su tierra frente a proyectos mineros y madereros en el "
            "altiplano norte. La presentación documenta treinta y un incidentes en dieciocho "
            "meses y constata que ninguno ha llevado a un proceso penal.\n\n"
            "La Clínica insta a los expertos a solicitar información al gobierno y a pedir "
            "investigaciones independientes."
        ),
    ),
    DemoNews(
        title="Families and Civil Society Groups Write to the U.N. on Police Violence",
        days_ago=126,
        body=(
            "More than a hundred families of people killed or injured by police, joined by "
            "over three hundred civil society organisations, have signed a letter to the U.N. "
            "High Commissioner for Human Rights. The letter asks her office to follow through "
            "on a recent Human Rights Council resolution on systemic racism and police "
            "violence, and to make sure that families are heard at every stage.\n\n"
            "The signatories ask for a public report with findings on specific cases, for "
            "visits to the countries concerned, and for a standing mechanism that families "
            "can turn to when domestic remedies fail. Clinic students helped gather the "
            "families' accounts and translated the letter into four languages."
        ),
    ),
    DemoNews(
        title="Appeals Court Reinstates Verdict in Civil Case Over Highland Killings",
        days_ago=110,
        body=(
            "A federal appeals court today set aside a trial judge's decision that had "
            "overturned a jury verdict against two former officials for the killing of "
            "unarmed villagers during a military operation. The jury had found the officials "
            "liable and awarded damages to the victims' families; the trial judge later ruled "
            "that the evidence was insufficient.\n\n"
            "The appeals court disagreed, holding that the jury was entitled to weigh the "
            "testimony of survivors and soldiers as it did. The case now returns to the trial "
            "court. The clinic has supported the families' legal team since the complaint was "
            "filed and will continue to do so."
        ),
    ),
    DemoNews(
        title="{date} Virtual Event: Beyond Box-Ticking",
        days_ago=59,
        label="event",
        events=["box-ticking"],
        body=(
            "As part of our #RethinkingMSIs series with the Standards Integrity Project, we are "
            "hosting a conversation on {when} about what it would take for supply-chain "
            "standards to protect the people they are written for. Panelists from workers' "
            "organisations and research groups will draw on a new review of forty "
            "standard-setting schemes. Nadia Castellanos of Civic Futures Lab will moderate, "
            "and Jonah Whitfield of Sketchwork Studio will illustrate the discussion live. "
            "Registration is free and open to all."
        ),
    ),
    DemoNews(
        title="Rethinking MSIs: What Voluntary Sector Agreements Taught Regulators",
        days_ago=75,
        body=(
            "For five years, a group of European governments invited whole industries — "
            "textiles, banking, food, metals and more — to sign voluntary agreements on "
            "responsible business conduct. Companies, unions and NGOs sat at the same table, "
            "and the agreements were presented as a model for the rest of the world.\n\n"
            "An evaluation published this year found that the agreements built trust and "
            "knowledge among those who took part, but reached only a small share of each "
            "sector and produced few changes that workers could feel. Several governments "
            "have since decided to legislate instead.\n\n"
            "In this essay we ask what the agreements got right, where they fell short, and "
            "what lawmakers drafting due-diligence rules can learn from them."
        ),
    ),
    DemoNews(
        title="Marking Five Years of the Community Monitoring Project",
        days_ago=52,
        excerpt=(
            "Five years ago, twelve villages began recording every threat and incident they "
            "faced. Their records have since reached courts, ministries and U.N. experts."
        ),
        body=(
            "Five years ago, residents of twelve villages asked the clinic to help them keep "
            "a careful record of the threats they were receiving. Today their monitors have "
            "logged more than nine hundred incidents, trained neighbours in three provinces "
            "and given evidence that courts could not ignore."
        ),
    ),
    DemoNews(
        title="WATCH: “Beyond Box-Ticking”",
        days_ago=38,
        label="recording",
        events=["box-ticking"],
        body=(
            "On {date}, we hosted “Beyond Box-Ticking”, a webinar with the Standards Integrity "
            "Project on what workers and communities have learned from two decades of "
            "voluntary supply-chain standards. Nadia Castellanos, Director of Programs at "
            "Civic Futures Lab, moderated, and Jonah Whitfield of Sketchwork Studio captured "
            "the conversation in a live drawing. More than four hundred people joined from "
            "thirty countries. The full recording is now available on the event page, along "
            "with the illustration and the reading list the panelists shared."
        ),
    ),
    DemoNews(
        title="New Report: Grievance Mechanisms That Workers Actually Use",
        days_ago=24,
        body=(
            "Most large companies now say they offer a way for workers in their supply chains "
            "to raise complaints. Our new report, based on interviews with two hundred "
            "workers in four countries, finds that few of them had heard of these channels "
            "and fewer still trusted them.\n\n"
            "The mechanisms that workers did use had three things in common: they were run "
            "with a union or a workers' organisation, they protected complainants from "
            "retaliation, and they led to visible results within weeks rather than years. "
            "The report sets out ten recommendations for companies and for the schemes that "
            "audit them."
        ),
    ),
    DemoNews(
        title="Clinic Welcomes Four New Fellows",
        days_ago=15,
        excerpt=(
            "Four fellows join the clinic this year to work on business accountability, "
            "protest rights, detention and environmental defenders."
        ),
        body=(
            "The clinic is delighted to welcome four new fellows, who will supervise student "
            "teams and lead projects on business accountability, protest rights, conditions "
            "of detention and the protection of environmental defenders."
        ),
    ),
    DemoNews(
        title="Amsterdam Workshop: Remedy in Global Supply Chains",
        days_ago=9,
        label="event",
        events=["amsterdam"],
        body=(
            "Join the Fair Chains Foundation and the clinic in Amsterdam on {when} for an "
            "afternoon on remedy under the new European due-diligence laws. Regulators, union "
            "representatives and company lawyers will work through real cases together. "
            "Places are limited, so please register early."
        ),
    ),
    DemoNews(
        title="Cancelled: Film Screening of “The River Keepers”",
        days_ago=6,
        events=["screening"],
        body=(
            "We are sorry to announce that the screening of “The River Keepers” planned for "
            "{date} is cancelled, because the directors can no longer travel. We hope to "
            "host them in the spring and will share a new date as soon as we have one."
        ),
    ),
    DemoNews(
        title="{date} Virtual Event: Protest and Accountability in the Andes",
        days_ago=4,
        label="event",
        events=["andes"],
        body=(
            "Join the Andean Information Collective, the Instituto de Derechos y Territorio, "
            "the Justice and Accountability Project, the Human Rights Clinic, the "
            "Inter-University Rights Network and the Latin America Policy Office for a "
            "webinar on {when}. Relatives of victims, lawyers and researchers will discuss "
            "the policing of protest across the region, the investigations that have stalled "
            "and the ones that have moved, and what international bodies can still do. "
            "Interpretation between English and Spanish will be provided."
        ),
    ),
    DemoNews(
        title="Rethinking MSIs: Certification at Sea",
        days_ago=2,
        label="event",
        events=["sydney"],
        excerpt=(
            "Our series heads to the Pacific: a webinar hosted from Sydney on whether seafood "
            "certification can protect the crews who catch the fish."
        ),
        body=(
            "The next #RethinkingMSIs conversation is hosted from Sydney with the Pacific "
            "Labour Rights Centre on {when}. Register on the event page to receive the link."
        ),
    ),
]


def _find_event(title: str) -> Event | None:
    return db.session.scalar(select(Event).where(Event.slug == slugify(title)))


def _event_fields(spec: DemoEvent, today: date) -> EventFields:
    local_start = datetime.combine(today + timedelta(days=spec.days), spec.at)
    asked = TimesAsked(zone=spec.timezone, start=local_start, duration=spec.minutes)
    return EventFields(
        title=spec.title,
        kind=spec.kind,
        schedule=read_schedule(asked),
        summary=spec.summary,
        body=spec.body,
        venue=spec.venue,
        address=spec.address,
        join_url=spec.join_url,
        capacity=spec.capacity,
        series=spec.series,
        tags=spec.tags,
        credits=[CreditInput(c.role, c.kind, c.name, c.url) for c in spec.credits],
        internal_note=spec.internal_note,
    )


@write_transaction()
def _add_people(spec: DemoEvent) -> None:
    """Record people with their affiliations before the event credits them by name."""
    for credit in spec.credits:
        if credit.kind == "person":
            find_or_add_person(credit.name, credit.url, credit.affiliation)


def _sign_up(event: Event, spec: DemoEvent) -> None:
    """Register a new demo event's first registrants."""
    questions = active_questions(event)
    for name, email in spec.registrants:
        answers = {str(q.id): _demo_answer(q) for q in questions if q.required}
        register(event, name, email, answers, True, event.timezone)


def _demo_answer(question) -> str:
    return "English" if question.type == "single_choice" else "Human rights law"


def _finish_event(event: Event, spec: DemoEvent) -> None:
    """Post the recording and cancel, where the spec asks and it has not happened yet."""
    if spec.recording and not event.recordings:
        add_recording(event, *spec.recording)
    if spec.cancel_reason and not event.is_cancelled:
        cancel_event(event, spec.cancel_reason)


def _ensure_event(spec: DemoEvent, today: date, result: DemoResult) -> Event:
    event = _find_event(spec.title)
    if event is None:
        _add_people(spec)
        changes = EventChanges(
            fields=_event_fields(spec, today),
            registration=spec.registration,
            questions=spec.questions if spec.registration else None,
            publish=spec.publish,
        )
        event = save_event(None, changes)
        _sign_up(event, spec)
        result.added += 1
    else:
        result.existing += 1
    _finish_event(event, spec)
    return event


def _fill(text: str, event: Event | None) -> str:
    if event is None:
        return text
    start = event.local_start
    text = text.replace("{date}", f"{start:%B} {start.day}")
    return text.replace("{when}", describe(event.starts_at, event.timezone))


def _news_exists(title: str, label: str, linked: list[Event]) -> bool:
    """An item with this slug, or one with this label already about the same event."""
    same = NewsItem.slug == slugify(title)
    if linked:
        same = or_(same, and_(NewsItem.label == label, NewsItem.events.any(id=linked[0].id)))
    return db.session.scalar(select(NewsItem.id).where(same).limit(1)) is not None


def _ensure_news(spec: DemoNews, events: dict[str, Event], today: date, result: DemoResult):
    linked = [events[key] for key in spec.events]
    first = linked[0] if linked else None
    title = _fill(spec.title, first)
    if _news_exists(title, spec.label, linked):
        result.existing += 1
        return
    published = datetime.combine(today - timedelta(days=spec.days_ago), time(14, 0), UTC)
    values = NewsFields(
        title=title,
        body=_fill(spec.body, first),
        excerpt=spec.excerpt,
        language=spec.language,
        label=spec.label,
        event_ids=[event.id for event in linked],
        published_at=published,
    )
    create_news(values)
    result.added += 1


def load_demo(today: date | None = None) -> DemoResult:
    """Add the demo events and news items that are not there yet; dates follow `today`."""
    today = today or now().date()
    result = DemoResult()
    events = {key: _ensure_event(spec, today, result) for key, spec in DEMO_EVENTS.items()}
    for spec in DEMO_NEWS:
        _ensure_news(spec, events, today, result)
    return result


def _saved_password(path: Path) -> str | None:
    if not path.exists():
        return None
    for line in path.read_text().splitlines():
        if line.startswith("password:"):
            return line.partition(":")[2].strip() or None
    return None


def _save_login(path: Path, password: str) -> None:
    """Write the login file readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(
            "# The demo site's staff login. Keep this file private.\n"
            f"email: {DEMO_EMAIL}\npassword: {password}\n"
        )


def ensure_demo_login(instance_path: str) -> tuple[str, str]:
    """Make sure the demo admin exists and can sign in; return (email, password)."""
    path = Path(instance_path) / LOGIN_FILE
    saved = _saved_password(path)
    user = find_staff(DEMO_EMAIL)
    if user is None:
        user, password = create_staff(DEMO_EMAIL, "admin", saved)
    elif saved is None or not password_matches(user, saved):
        password = reset_password(user)
    else:
        password = saved
    if user.role != "admin":
        set_staff_role(user, "admin")
    if not user.active:
        set_staff_active(user, True)
    _save_login(path, password)
    return DEMO_EMAIL, password
