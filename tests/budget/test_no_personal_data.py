"""No personal data on the public site: every public address, on the database seeded at ten
times the demo, is read as an anonymous resident would, and none of them shows a key
household's name or phone, a partner unit's contact person or phone, or a person's phone.

Phones are looked for as stored and as digits only (a page might show 02155550102 for
021-55550102). The demo's household heads share their names with people of the public
registers (the roster names its cadres): such a name is the namesake's and is not looked
for; two households with names nobody else has (``MARKED``) are, and their search too."""

import contextlib
import logging
import re
from collections import Counter
from urllib.parse import quote, unquote, urlsplit

import pytest

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import NoReverseMatch, reverse

from buildings.models import Title
from cobuilding.models import JointActivity, Partner
from duty.models import DutyRecord
from opinions.models import Opinion
from people.models import Person
from tests.budget.content import growth_paths
from visits import demo as visits_demo
from visits.models import Household, HouseholdCategory

# Beyond the measured pages: the other public addresses and the feeds.
FIXED_PATHS = [
    "/",
    "/duty/",
    "/duty/posts/",
    "/duty/request/",
    "/votes/",
    "/blog/",
    "/briefings/",
    "/hearings/",
    "/cobuilding/",
    "/cobuilding/?page=2",
    "/cobuilding/?kind=services",
    "/honour-roll/",
    "/sitemap.xml",
    "/blog/feed/",
    "/calendar.ics",
]


def digits(phone):
    return re.sub(r"\D", "", phone)


def secrets():
    """What must never appear, each with what it is."""
    found = {}
    public_names = set(Person.objects.values_list("name", flat=True))
    for name, phone in Household.objects.values_list("head_name", "phone"):
        if name not in public_names:  # a namesake's name is the person's, shown as such
            found[name] = "household name"
        if phone:
            found[phone] = found[digits(phone)] = "household phone"
    for person, phone in Partner.objects.values_list("contact_person", "contact_phone"):
        if person:
            found[person] = "partner contact person"
        if phone:
            found[phone] = found[digits(phone)] = "partner contact phone"
    for phone in Person.objects.exclude(phone="").values_list("phone", flat=True):
        found[phone] = found[digits(phone)] = "person's phone"
    return {text: kind for text, kind in found.items() if len(text) >= 2}


def public_paths():
    paths = [path for module in growth_paths().values() for path in module]
    paths += FIXED_PATHS
    paths += [
        f"/cobuilding/{pk}/"
        for pk in JointActivity.objects.published().values_list("pk", flat=True)
    ]
    years = Title.objects.awarded().values_list("year", flat=True).distinct()
    paths += [f"/honour-roll/?year={year}" for year in years]
    with contextlib.suppress(NoReverseMatch):  # the volunteers' page, once its app is wired
        paths.append(reverse("volunteers:index"))
    return list(dict.fromkeys(paths))


# Households whose heads no person of the registers is named after: a name the public
# pages show for a namesake (a cadre on the roster) cannot be told from a leak, these can.
MARKED = [
    ("欧阳翠屏", "13655550101", "021-55550102"),
    ("司马振邦", "13655550103", ""),
]
# A query that finds nothing: how many times the search page repeats what was typed.
NOTHING = "查无此词"


@pytest.fixture
def households(seeded):
    """The demo's key households with their visits and promises (the budget database leaves
    them out: ``seed_demo --public-only``), and the ``MARKED`` ones."""
    cadre = get_user_model().objects.get(username="cadre")
    visits_demo.seed(scale=1, users={"cadre": cadre})
    for number, (name, phone, _landline) in enumerate(MARKED):
        household = Household(
            building="9号楼",
            unit=f"{number + 1}单元",
            head_name=name,
            phone=phone,
            category=HouseholdCategory.IN_DIFFICULTY,
            notes="低保户",
        )
        household.full_clean()
        household.save()
    person = Person.objects.exclude(phone="").order_by("pk").first()
    person.phone = MARKED[0][2]
    person.save()
    return seeded


def test_the_seeded_site_has_what_the_crawl_looks_for(households):
    hidden = secrets()
    for name, phone, _landline in MARKED:
        assert hidden[name] == "household name"
        assert hidden[phone] == "household phone"
    assert hidden[MARKED[0][2]] == hidden["02155550102"] == "person's phone"
    assert Partner.objects.exclude(contact_person="").exists()
    assert JointActivity.objects.published().count() >= 10
    assert not {name for name, _phone, _landline in MARKED} & set(
        Person.objects.values_list("name", flat=True)
    )


def search_paths():
    """Searching for a household's and a partner's contact by name finds nothing that shows
    them (the page repeats the query itself, as it does for ``NOTHING``)."""
    partner = Partner.objects.exclude(contact_person="").order_by("pk").first()
    return {f"/search/?q={query}": query for query in (MARKED[0][0], partner.contact_person)}


@pytest.mark.search_index
def test_no_public_page_shows_personal_data(households, client):
    hidden = secrets()
    searches = search_paths()
    echoes = client.get(f"/search/?q={NOTHING}").content.decode().count(NOTHING)
    leaks = []
    for path in [*public_paths(), *searches]:
        for language in ("zh-hans", "en"):
            response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code == 200, (path, response.status_code)
            text = response.content.decode()
            leaks += [
                (path, language, kind, secret)
                for secret, kind in hidden.items()
                if text.count(secret) > (echoes if searches.get(path) == secret else 0)
            ]

    assert not leaks


# --- Every role, every public address, the headers, the links and the log ---------------------

# The roles of the design (the demo's accounts); None is the anonymous resident.
ROLES = [None, "rep", "editor", "moderator", "clerk", "cadre", "supervisor", "admin"]
# Addresses that answer with an error page: (path, status).
ERROR_PATHS = [
    ("/no-such-page/", 404),
    ("/duty/request/ABCD-EFGH-JK1M/", 404),
    ("/blog/no-such-post/", 404),
]
# Forms sent back refused (400), with nothing personal in them: what the error page shows.
REFUSED_POSTS = [
    ("/duty/request/", {"resident_name": "", "request": "", "website": ""}),
    ("/blog/parking-2026/", {"author_name": "", "body": "", "website": ""}),
]
# Digits with what may separate them in a written phone number ("021-5555 0102", "(021)...").
DIGIT_RUNS = re.compile(r"\d[\d\s\-.()\u00a0\u2010-\u2015]*\d")
# A phone number nobody in the seeded database has: what a search repeats back.
NOBODYS_PHONE = "19900009999"
HREFS = re.compile(r"""(?:href|src|action)=["']([^"']*)["']""")


def phones():
    """Every phone number the seeded site holds: residents' (opinions' contacts, requests'
    phones, key households'), partners' and the register's. {digits: what it is}."""
    found = {}
    for kind, values in (
        ("opinion contact", Opinion.objects.values_list("contact", flat=True)),
        ("request phone", DutyRecord.objects.values_list("resident_contact", flat=True)),
        ("household phone", Household.objects.values_list("phone", flat=True)),
        ("partner contact phone", Partner.objects.values_list("contact_phone", flat=True)),
        ("person's phone", Person.objects.values_list("phone", flat=True)),
    ):
        for value in values:
            if len(digits(value)) >= 7:
                found[digits(value)] = kind
    return found


def digit_runs(text):
    """The numbers written in ``text``, separators taken out ("021-5555 0102" → "02155550102")."""
    return [digits(run) for run in DIGIT_RUNS.findall(text)]


def phones_in(text, hidden, allowed=()):
    """The hidden phones ``text`` holds, as written or with other separators; ``allowed``: one
    a search repeats back (its query). Each number written is cut into every piece as long as
    a phone, and each piece looked up (thousands of phones, hundreds of numbers a page)."""
    sizes = {len(phone) for phone in hidden}
    found = set()
    for run in digit_runs(text):
        for size in sizes:
            found.update(
                run[start : start + size]
                for start in range(len(run) - size + 1)
                if run[start : start + size] in hidden
            )
    return found - set(allowed)


def sampled(paths, per_section=2):
    """The first ``per_section`` of ``paths`` under each first segment ("/blog/...")."""
    seen = Counter()
    kept = []
    for path in paths:
        section = path.strip("/").split("/")[0]
        if seen[section] < per_section:
            seen[section] += 1
            kept.append(path)
    return kept


def occurrences(text, phone):
    return sum(run.count(phone) for run in digit_runs(text))


def sitemap_paths(client):
    text = client.get("/sitemap.xml").content.decode()
    return [urlsplit(url).path for url in re.findall(r"<loc>([^<]+)</loc>", text)]


class CapturedLog(logging.Handler):
    """Everything every logger writes, at every level, as the server's log would hold it."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))


@contextlib.contextmanager
def captured_log():
    handler = CapturedLog()
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger) and not logger.propagate
    ]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)


@pytest.mark.search_index
def test_no_role_finds_a_phone_number_on_the_public_site(households, record_property):
    """As every role: the public pages, the sitemap's entries, the feeds, a search for a
    resident's phone, the error pages. No phone in the body (however written), in a header or
    in a link, and none in the log meanwhile."""
    hidden = phones()
    resident_phone = DutyRecord.objects.order_by("pk").values_list("resident_contact", flat=True)[0]
    contact = (
        Opinion.objects.exclude(contact="").order_by("pk").values_list("contact", flat=True)[0]
    )
    assert digits(resident_phone) in hidden and digits(contact) in hidden
    assert NOBODYS_PHONE not in hidden
    users = {username: get_user_model().objects.get(username=username) for username in ROLES[1:]}
    searches = {
        f"/search/?q={quote(query)}": digits(query)
        for query in (resident_phone, contact, MARKED[0][1])
    }
    pages = public_paths()
    every_entry = [path for path in sitemap_paths(Client()) if path not in pages]
    # The anonymous resident and the administrator read every sitemap entry; the other roles
    # (who see what a representative or an editor sees) two of each section, to keep it short.
    paths_for = {
        role: pages + (every_entry if role in (None, "admin") else sampled(every_entry))
        for role in ROLES
    }
    leaks = []
    asked = 0
    with captured_log() as log:
        for role in ROLES:
            client = Client()
            if role is not None:
                client.force_login(users[role])
            # How many times a search repeats a number that is nobody's: a search for a
            # resident's phone may show it that often (the query), and not once more.
            echoes = occurrences(
                client.get(f"/search/?q={NOBODYS_PHONE}").content.decode(), NOBODYS_PHONE
            )
            assert echoes
            for path, status, data in [
                *((path, 200, None) for path in paths_for[role]),
                *((path, 200, None) for path in searches),
                *((path, status, None) for path, status in ERROR_PATHS),
                *((path, 400, data) for path, data in REFUSED_POSTS),
            ]:
                if data is None:
                    response = client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans")
                else:
                    response = client.post(path, data, HTTP_ACCEPT_LANGUAGE="zh-hans")
                asked += 1
                assert response.status_code == status, (role, path, response.status_code)
                allowed = {searches[path]} if path in searches else set()
                text = response.content.decode()
                headers = "\n".join(f"{name}: {value}" for name, value in response.items())
                links = "\n".join(unquote(link) for link in HREFS.findall(text))
                for where, written in (("body", text), ("headers", headers), ("links", links)):
                    leaks += [
                        (role, path, where, hidden[phone])
                        for phone in phones_in(written, hidden, allowed)
                    ]
                if path in searches and occurrences(text, searches[path]) > echoes:
                    leaks.append((role, path, "search results", hidden[searches[path]]))
    assert not leaks
    others = len(searches) + len(ERROR_PATHS) + len(REFUSED_POSTS)
    assert asked == sum(len(paths) + others for paths in paths_for.values())
    assert not [line for line in log.lines if phones_in(line, hidden)], log.lines
    record_property("addresses", len(paths_for[None]) + others)
    record_property("addresses_sampled", len(paths_for["rep"]) + others)
    record_property("requests", asked)


def test_a_refused_form_logs_no_phone_number(households):
    """A request refused for a missing field, and an opinion refused for its missing text, log
    that they were refused (400), and nothing of the phone the resident typed."""
    phone = "13699990000"
    with captured_log() as log:
        refused = [
            Client().post(
                "/duty/request/",
                {"resident_name": "", "resident_contact": phone, "place": "", "request": ""},
            ),
            Client().post("/blog/parking-2026/", {"author_name": "", "contact": phone, "body": ""}),
            Client().post(
                "/duty/request/",
                {"resident_name": "李", "resident_contact": f"{phone}x", "request": "灯坏了"},
            ),
        ]
    assert [response.status_code for response in refused] == [400, 400, 400]
    for response in refused:
        assert phone not in "\n".join(f"{n}: {v}" for n, v in response.items())
    assert [line for line in log.lines if "Bad Request" in line]  # the refusals are logged...
    assert not [line for line in log.lines if phone in digits(line)], log.lines  # ...without it
