"""No personal data on the public site: every public address, on the database seeded at ten
times the demo, is read as an anonymous resident would, and none of them shows a key
household's name or phone, a partner unit's contact person or phone, or a person's phone.

Phones are looked for as stored and as digits only (a page might show 02155550102 for
021-55550102). The demo's household heads share their names with people of the public
registers (the roster names its cadres): such a name is the namesake's and is not looked
for; two households with names nobody else has (``MARKED``) are, and their search too."""

import contextlib
import re

import pytest

from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, reverse

from buildings.models import Title
from cobuilding.models import JointActivity, Partner
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
