"""Every text field of every public form, filled one at a time with what a hostile or merely
unusual visitor types: NUL characters, bytes that are not UTF-8 (a lone surrogate among them),
emoji of four bytes and joined ones, Chinese (rare characters too), right-to-left marks,
zero-width characters, a value one character over the field's limit, only spaces, SQL, LIKE
wildcards and full-text operators; and values that are not among a choice field's choices.

Whatever is sent, the answer is a page, never a server error: a value the form cannot take
brings the form back with its message beside the field, and nothing is kept; a form that
cannot be read (bytes that are not text) gets the site's 400 page, and nothing is kept; a
value it can take is kept exactly as typed (surrounding spaces aside), emoji and Chinese
included. NUL characters are dropped on the way in (PostgreSQL refuses them in text).

The posts are made as a browser makes them, against Django's CSRF check: an anonymous resident's
from this site's page (``Origin``, no token: core/csrf.py), a signed-in user's with the token.
A post from another site is refused (403) everywhere, and so is a signed-in user's without
its token.
"""

import datetime
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from axes.models import AccessAttempt
from bs4 import BeautifulSoup

from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.utils import timezone

from blog.factories import BlogPageFactory
from blog.models import BlogKind
from cobuilding.factories import JointActivityFactory, PartnerFactory
from core.transitions import perform
from duty.factories import DutyRecordFactory
from duty.models import DutyRecord
from hearings.factories import BriefingPageFactory, HearingPageFactory
from opinions.factories import OpinionFactory
from opinions.models import Opinion
from people.factories import PersonFactory, UserFactory
from people.validators import PHONE_PATTERN, normalise_phone
from tests.support import kept_for_the_scope, ui
from tests.votes.conftest import STEPS, step
from votes.factories import MotionFactory
from votes.models import Ballot, BallotReceipt, MotionState

from .conftest import opinion_data, request_data

SITE = "http://testserver"
FOREIGN = "https://evil.example"
FORM = "application/x-www-form-urlencoded"
ENGLISH = "en"
UNREADABLE = "Your request could not be read"
PASSWORD = "密码😀\u202e ok-17"

# What is typed: text, or the raw bytes a client may send instead (percent-encoded in the body).
HOSTILE = {
    "nul": "\x00",
    "nul-inside": "小区\x00门口",
    "nuls-around": "\x00\x00停车\x00",
    "invalid-utf8": b"\xff\xfe\xfa",
    "lone-surrogate": b"\xed\xa0\x80",  # U+D800 as UTF-8 would write it, which UTF-8 forbids
    "truncated-utf8": "停".encode()[:2],
    "utf8-then-junk": "停车".encode() + b"\xc3",
    "emoji": "😀👍🏽🚗",
    "zwj-family": "👨‍👩‍👧‍👦 一家",
    "chinese": "小区停车难，大家怎么看？",
    "rare-cjk": "𠮷𩸽𪚥",
    "rtl-marks": "\u202eمرحبا\u200f 你好\u200e",
    "zero-width": "a\u200bb\u200dc\u2060d\ufeff",
    "whitespace-only": " \t\u3000\r\n ",
    "too-long": None,  # one character over the field's own limit
    "far-too-long": "长" * 20_000,
    "sql": "'; DROP TABLE opinions_opinion; --",
    "sql-or": "' OR '1'='1",
    "like-wildcards": "100% _x_ \\ %% \\%",
    "fts-operators": '"停车" NEAR(小区 门口) * AND -门 OR NOT ^x',
    "fts-unbalanced": '"(((*',
    "backslashes": "\\\\\\",
    "html-entities": "&amp; &#0; &#x0;",
}


@dataclass(frozen=True)
class Field:
    name: str
    max_length: int
    required: bool = True
    phone: bool = False


def outcome(field, value):
    """What the form does with ``value`` in ``field``: ``("unreadable",)``, ``("refused",)``
    or ``("kept", stored)``. The rules are the form's, said again here: NUL characters
    dropped, surrounding spaces stripped, required, at most ``max_length`` characters, a
    phone number for the phone field."""
    if isinstance(value, bytes):
        return ("unreadable",)
    text = value.replace("\x00", "").strip()
    if not text:
        return ("refused",) if field.required else ("kept", "")
    if len(text) > field.max_length:
        return ("refused",)
    if field.phone:
        phone = normalise_phone(text)
        return ("kept", phone) if PHONE_PATTERN.match(phone) else ("refused",)
    return ("kept", text)


def value_of(name, field):
    value = HOSTILE[name]
    return "长" * (field.max_length + 1) if value is None else value


def encode(value):
    return quote(value if isinstance(value, bytes) else value.encode(), safe="")


def body(data):
    return "&".join(f"{encode(key)}={encode(value)}" for key, value in data.items()).encode()


def post(client, path, data, origin=SITE, **extra):
    """A form as a browser sends it: urlencoded, with the page's origin."""
    headers = {"HTTP_ACCEPT_LANGUAGE": ENGLISH, **extra}
    if origin:
        headers["HTTP_ORIGIN"] = origin
    return client.generic("POST", path, body(data), content_type=FORM, **headers)


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def assert_unreadable(response):
    assert response.status_code == 400
    assert soup(response).h1.get_text(strip=True) == ui(ENGLISH, UNREADABLE)


def assert_sent_back_with_a_message(response, field):
    """The form again (200, or 400 as the public forms answer), the field's message beside it."""
    assert response.status_code in (200, 400), response.status_code
    error = soup(response).select_one(f"#id_{field}_error")
    assert error is not None and error.get_text(strip=True), f"no message for {field}"


# ---------------------------------------------------------------------------------------------
# The forms' pages and records, built once for the module.


def build():
    now = timezone.now()
    admin = UserFactory(username="fields-admin", is_superuser=True, is_staff=True)
    topic = BlogPageFactory(kind=BlogKind.TOPIC, title="小区停车难，大家怎么看？", slug="parking")
    briefing = BriefingPageFactory(starts_at=now - datetime.timedelta(days=2))
    hearing = HearingPageFactory(
        consultation_opens=now - datetime.timedelta(days=1),
        consultation_closes=now + datetime.timedelta(days=5),
        starts_at=now + datetime.timedelta(days=6),
    )
    voter = PersonFactory(
        name="王建国",
        is_representative=True,
        user=UserFactory(username="陈小明", password=PASSWORD, groups=["Representatives"]),
    )
    motion = step(MotionFactory(title="关于加装电梯的表决"), *STEPS[MotionState.OPEN], by=admin)
    activity = JointActivityFactory()
    activity.partners.add(PartnerFactory())
    perform(activity, "publish", admin)
    return {
        "opinion pages": {"blog post": topic.url, "briefing": briefing.url, "hearing": hearing.url},
        "voter": voter.user,
        "motion": motion,
        "request": DutyRecordFactory().reference,
        "opinion": OpinionFactory(page=topic).reference,
        "activity": activity.pk,
        "meeting": hearing.pk,
    }


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    yield from kept_for_the_scope(django_db_blocker, build)


@pytest.fixture(autouse=True)
def no_rate_limits(settings):
    """Every case here is one resident's first form: the rate limits are not what is tested."""
    settings.PUBLIC_FORM_RATE_LIMITS = {"opinion": "1000/m", "duty_request": "1000/m"}


def resident():
    return Client(enforce_csrf_checks=True)


# ---------------------------------------------------------------------------------------------
# The opinion form (blog posts, briefings, hearings) and the request form.

OPINION = opinion_data()
OPINION_FIELDS = [
    Field("author_name", 50),
    Field("contact", 100, required=False),
    Field("body", 2000),
]
REQUEST = request_data()
REQUEST_FIELDS = [
    Field("resident_name", 50),
    Field("resident_contact", 30, phone=True),
    Field("place", 100),
    Field("request", 2000),
]


def cases(fields, names=tuple(HOSTILE)):
    return [
        pytest.param(field, name, id=f"{field.name}-{name}") for field in fields for name in names
    ]


# The three pages share the form: every value on the blog post, a few of each kind on the others.
SAMPLE = (
    "nul-inside",
    "lone-surrogate",
    "zwj-family",
    "too-long",
    "whitespace-only",
    "fts-operators",
)
OPINION_CASES = [
    pytest.param(page, *case.values, id=f"{case.id}-{page}")
    for page, names in [("blog post", tuple(HOSTILE)), ("briefing", SAMPLE), ("hearing", SAMPLE)]
    for case in cases(OPINION_FIELDS, names)
]


def check(response, field, value, kept_rows, stored):
    """The answer and what was kept, against what the form does with the value."""
    expected = outcome(field, value)
    if expected[0] == "unreadable":
        assert_unreadable(response)
        assert kept_rows == []
    elif expected[0] == "refused":
        assert_sent_back_with_a_message(response, field.name)
        assert kept_rows == []
    else:
        assert response.status_code == 302, response.status_code
        (row,) = kept_rows
        # Kept exactly: the characters typed, four-byte ones and marks included.
        assert getattr(row, field.name) == expected[1] == stored(expected[1])
        assert "\x00" not in getattr(row, field.name)


@pytest.mark.parametrize("page, field, name", OPINION_CASES)
def test_the_opinion_form(world, db, page, field, name):
    value = value_of(name, field)
    response = post(resident(), world["opinion pages"][page], {**OPINION, field.name: value})
    kept = list(Opinion.objects.exclude(reference=world["opinion"]))
    check(response, field, value, kept, stored=lambda text: text)
    if kept:
        # Read back from the database, as the moderators' queue reads it.
        assert getattr(Opinion.objects.get(pk=kept[0].pk), field.name) == outcome(field, value)[1]


@pytest.mark.parametrize("field, name", cases(REQUEST_FIELDS))
def test_the_request_form(world, db, field, name):
    value = value_of(name, field)
    response = post(resident(), "/duty/request/", {**REQUEST, field.name: value})
    kept = list(DutyRecord.objects.exclude(reference=world["request"]))
    check(response, field, value, kept, stored=lambda text: text)


@pytest.mark.parametrize(
    "value",
    ["", "other ", "REPAIR", "repair\x00x", "😀", "维修", "' OR 1=1 --", "%", "_", "9" * 40],
)
def test_a_category_that_is_not_a_choice_is_refused(world, db, value):
    response = post(resident(), "/duty/request/", {**REQUEST, "category": value})
    assert_sent_back_with_a_message(response, "category")
    assert not DutyRecord.objects.exclude(reference=world["request"]).exists()


@pytest.mark.parametrize("name", ["emoji", "chinese", "nul-inside", "sql", "invalid-utf8"])
def test_the_honeypot_keeps_nothing_whatever_it_holds(world, db, name):
    value = HOSTILE[name]
    for path, data in [
        (world["opinion pages"]["blog post"], OPINION),
        ("/duty/request/", REQUEST),
    ]:
        response = post(resident(), path, {**data, "website": value})
        # Sent on as a resident is (a bot learns nothing), or unreadable; nothing kept.
        assert response.status_code in (302, 400)
    assert not Opinion.objects.exclude(reference=world["opinion"]).exists()
    assert not DutyRecord.objects.exclude(reference=world["request"]).exists()


def test_every_field_at_once_round_trips_on_both_forms(world, db):
    """Emoji, rare Chinese characters and marks in every field together, read back as typed."""
    text = f"{HOSTILE['zwj-family']}{HOSTILE['rare-cjk']}{HOSTILE['rtl-marks']}"
    response = post(
        resident(),
        world["opinion pages"]["hearing"],
        {**OPINION, "author_name": text, "contact": text, "body": text + HOSTILE["fts-operators"]},
    )
    assert response.status_code == 302
    kept = Opinion.objects.exclude(reference=world["opinion"]).get()
    assert (kept.author_name, kept.contact, kept.body) == (
        text,
        text,
        text + HOSTILE["fts-operators"],
    )
    response = post(resident(), "/duty/request/", {**REQUEST, "resident_name": text, "place": text})
    assert response.status_code == 302
    record = DutyRecord.objects.exclude(reference=world["request"]).get()
    assert (record.resident_name, record.place) == (text, text)
    # The request's status page shows it to the resident without a server error.
    assert resident().get(f"/duty/request/{record.reference}/").status_code == 200


# ---------------------------------------------------------------------------------------------
# The login form, the reference lookups, the search and the ballot.


def login_token(client):
    page = client.get("/accounts/login/")
    return soup(page).select_one("input[name=csrfmiddlewaretoken]")["value"]


@pytest.mark.parametrize("which", ["username", "password"])
@pytest.mark.parametrize("name", list(HOSTILE))
def test_the_login_form(world, db, which, name):
    value = value_of(name, Field(which, 150))
    client = resident()
    data = {"username": "陈小明", "password": PASSWORD, which: value}
    data["csrfmiddlewaretoken"] = login_token(client)
    response = post(client, "/accounts/login/", data)
    if isinstance(value, bytes):
        assert_unreadable(response)
    elif value.replace("\x00", "") == {"username": "陈小明", "password": PASSWORD}[which]:
        assert response.status_code == 302  # NUL characters dropped: the right name
    else:
        assert response.status_code == 200
        # Its message: the name and password do not match, or the field is required.
        assert soup(response).select_one(".error").get_text(strip=True)
    signed_in = SESSION_KEY in client.session
    assert signed_in == (response.status_code == 302)


@pytest.mark.parametrize(
    "path, recorded",
    [
        ("/accounts/login/", ["长" * 255]),
        # The admin's form refuses a name over 150 characters before any password is tried.
        ("/admin/login/", []),
    ],
)
def test_a_user_name_longer_than_any_is_a_failed_login(world, db, path, recorded):
    """The failure is recorded (django-axes) under the name cut to its column's length: on
    PostgreSQL the whole name was refused, and the login answered a server error."""
    client = resident()
    token = soup(client.get(path)).select_one("input[name=csrfmiddlewaretoken]")["value"]
    data = {"username": "长" * 20_000, "password": "x", "csrfmiddlewaretoken": token}
    response = post(client, path, data)
    assert response.status_code == 200
    assert SESSION_KEY not in client.session
    assert [attempt.username for attempt in AccessAttempt.objects.all()] == recorded


def test_a_name_and_password_in_chinese_and_emoji_sign_in(world, db):
    client = resident()
    data = {"username": "陈小明", "password": PASSWORD}
    response = post(
        client, "/accounts/login/", {**data, "csrfmiddlewaretoken": login_token(client)}
    )
    assert response.status_code == 302
    assert int(client.session[SESSION_KEY]) == world["voter"].pk


@pytest.mark.parametrize("lookup", ["/duty/follow/", "/opinions/follow/"])
@pytest.mark.parametrize("name", list(HOSTILE))
def test_the_reference_lookups(world, db, lookup, name):
    value = value_of(name, Field("reference", 14))
    response = resident().get(f"{lookup}?reference={encode(value)}", HTTP_ACCEPT_LANGUAGE="en")
    # Nothing typed here is a reference: the lookup's page says so, with the box again.
    assert response.status_code == 404
    assert soup(response).select_one("input[name=reference]") is not None
    assert "reference" in soup(response).get_text()


@pytest.mark.parametrize(
    "lookup, kind", [("/duty/follow/", "request"), ("/opinions/follow/", "opinion")]
)
def test_a_reference_typed_loosely_is_found(world, db, lookup, kind):
    reference = world[kind]
    typed = " " + reference.lower().replace("-", " ").replace("1", "l").replace("0", "o") + " "
    response = resident().get(f"{lookup}?reference={encode(typed)}")
    assert response.status_code == 302
    assert reference in response["Location"]


@pytest.mark.parametrize("name", list(HOSTILE))
@pytest.mark.search_index
def test_the_search(world, db, name):
    value = value_of(name, Field("q", 100))
    response = resident().get(f"/search/?q={encode(value)}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    box = soup(response).select_one("input[name=q]")
    text = (value.decode("utf-8", "replace") if isinstance(value, bytes) else value).replace(
        "\x00", ""
    )
    if len(text.strip()) > 100:
        assert (
            ui(ENGLISH, "Please shorten your search to at most %(limit)d characters.")
            % {"limit": 100}
            in soup(response).get_text()
        )
    else:
        # What was searched for is in the box again, exactly.
        assert box["value"] == text.strip()


@pytest.mark.search_index
def test_a_chinese_search_finds_the_chinese_page(world, db):
    response = resident().get("/search/?q=停车")
    assert "小区停车难" in soup(response).get_text()


@pytest.fixture
def voter(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["voter"])
    return client


def ballot_token(client, motion):
    page = client.get(f"/votes/{motion.pk}/")
    return soup(page).select_one("form[method=post] input[name=csrfmiddlewaretoken]")["value"]


@pytest.mark.parametrize(
    "value",
    [
        "",
        "0",
        "-1",
        "1.0",
        "²",
        "١",
        "9" * 40,
        "1 OR 1=1",
        "%",
        "_",
        "😀",
        "反对",
        "\x00",
        "x\x00",
        "\u202e1",
    ],
)
@pytest.mark.parametrize("confirm", [False, True])
def test_a_ballot_for_an_option_that_is_not_one_is_refused(world, db, voter, value, confirm):
    motion = world["motion"]
    data = {"option": value, "csrfmiddlewaretoken": ballot_token(voter, motion)}
    if confirm:
        data["confirm"] = "1"
    response = post(voter, f"/votes/{motion.pk}/", data)
    assert response.status_code == 400
    assert ui(ENGLISH, "Choose one of the options.") in soup(response).get_text()
    assert not BallotReceipt.objects.filter(motion=motion).exists()
    assert not Ballot.objects.filter(motion=motion).exists()


# ---------------------------------------------------------------------------------------------
# Cross-site posts.


def public_paths(world):
    """Every public address: the pages with forms and every view beside them."""
    return [
        "/",
        *world["opinion pages"].values(),
        "/blog/",
        "/blog/feed/",
        "/briefings/",
        "/hearings/",
        "/search/",
        "/duty/",
        "/duty/posts/",
        "/duty/request/",
        "/duty/follow/",
        f"/duty/request/{world['request']}/",
        "/opinions/follow/",
        f"/opinions/{world['opinion']}/",
        "/votes/",
        f"/votes/{world['motion'].pk}/",
        "/volunteers/",
        "/cobuilding/",
        f"/cobuilding/{world['activity']}/",
        "/honour-roll/",
        "/calendar.ics",
        f"/calendar/{world['meeting']}.ics",
        "/sitemap.xml",
        "/language/",
        "/healthz",
        "/accounts/login/",
        "/accounts/logout/",
    ]


FORM_DATA = {**OPINION, **REQUEST, "username": "陈小明", "password": PASSWORD, "option": "1"}


def assert_nothing_changed(world):
    assert not Opinion.objects.exclude(reference=world["opinion"]).exists()
    assert not DutyRecord.objects.exclude(reference=world["request"]).exists()
    assert not BallotReceipt.objects.exists()


def test_every_public_address_is_there(world, db):
    for path in public_paths(world):
        response = resident().get(path)
        # The lookups asked for no reference answer with their box again (404).
        expected = (404,) if path.endswith("/follow/") else (200, 302, 405)
        assert response.status_code in expected, path


class TestCrossSitePosts:
    @pytest.mark.parametrize("origin", [FOREIGN, "null", "http://testserver.evil.example"])
    def test_are_refused_at_every_public_address(self, world, db, origin):
        for path in public_paths(world):
            response = post(resident(), path, FORM_DATA, origin=origin)
            assert response.status_code == 403, path
        assert_nothing_changed(world)

    def test_an_anonymous_post_without_origin_or_token_is_refused(self, world, db):
        for path in [*world["opinion pages"].values(), "/duty/request/", "/accounts/login/"]:
            response = post(resident(), path, FORM_DATA, origin=None)
            assert response.status_code == 403, path
        assert_nothing_changed(world)

    def test_the_login_needs_its_token_even_from_this_site(self, world, db):
        client = resident()
        response = post(client, "/accounts/login/", {"username": "陈小明", "password": PASSWORD})
        assert response.status_code == 403
        assert SESSION_KEY not in client.session

    def test_a_signed_in_users_post_without_its_token_is_refused(self, world, db, voter):
        motion = world["motion"]
        option = motion.options.first()
        paths = [
            *world["opinion pages"].values(),
            "/duty/request/",
            f"/votes/{motion.pk}/",
            "/accounts/logout/",
        ]
        data = {**FORM_DATA, "option": str(option.pk), "confirm": "1"}
        for origin in (SITE, FOREIGN):
            for path in paths:
                response = post(voter, path, data, origin=origin)
                assert response.status_code == 403, (origin, path)
        assert_nothing_changed(world)
        # Still signed in: the logout was refused too.
        assert SESSION_KEY in voter.session

    def test_a_signed_in_users_post_with_its_token_is_taken(self, world, db, voter):
        motion = world["motion"]
        option = motion.options.first()
        token = ballot_token(voter, motion)
        response = post(
            voter,
            f"/votes/{motion.pk}/",
            {"option": str(option.pk), "confirm": "1", "csrfmiddlewaretoken": token},
        )
        assert response.status_code == 302
        assert BallotReceipt.objects.filter(motion=motion).count() == 1
