"""A resident files an after-hours request at /duty/request/ (CSRF, validated phone number,
clear errors, honeypot, rate limit) and follows it at /duty/request/<reference>/, which
shows the state, the answer and the result and no personal data."""

import re

import pytest
from bs4 import BeautifulSoup

from django.conf import settings
from django.test import Client
from django.utils import timezone, translation

from core.transitions import perform
from duty.factories import DutyRecordFactory
from duty.models import DutyRecord, DutyRecordState, RequestCategory, RequestChannel, new_reference
from tests.support import ui

from .conftest import ENGLISH, text

FORM = "/duty/request/"
NAME = "李秀英"
PHONE = "13712345678"
REQUEST = "楼道灯不亮，晚上上下楼很危险。"
PLACE = "5号楼2单元"


def request_data(**fields):
    return {
        "resident_name": NAME,
        "resident_contact": PHONE,
        "place": PLACE,
        "category": RequestCategory.REPAIR,
        "request": REQUEST,
        "website": "",
        **fields,
    }


def field_errors(response):
    """{field name: [messages]} as the form shows them."""
    page = BeautifulSoup(response.content.decode(), "html.parser")
    return {
        block["id"].removeprefix("id_").removesuffix("_error"): [
            p.get_text(strip=True) for p in block.find_all("p")
        ]
        for block in page.select("div.error[id]")
    }


def status_url(record):
    return f"/duty/request/{record.reference}/"


def state_label(language, state):
    """A state's name as the site shows it (the label carries a context, "request state")."""
    with translation.override(language):
        return str(DutyRecordState(state).label)


@pytest.mark.django_db
class TestAValidRequest:
    def test_is_kept_as_received_online_and_the_resident_is_sent_to_its_page(self, client):
        response = client.post(FORM, request_data())

        record = DutyRecord.objects.get()
        assert response.status_code == 302
        assert response["Location"] == status_url(record) + "?filed=1"
        assert record.channel == RequestChannel.ONLINE
        assert record.state == DutyRecordState.RECEIVED
        assert record.category == RequestCategory.REPAIR
        assert (record.resident_name, record.resident_contact) == (NAME, PHONE)
        assert record.request == REQUEST
        assert record.place == PLACE
        assert record.handled_by is None
        hours = settings.DUTY_RESPONSE_HOURS[RequestCategory.REPAIR]
        assert (record.due_at - record.received_at).total_seconds() == hours * 3600

    def test_the_reference_is_long_and_unguessable(self, client):
        client.post(FORM, request_data())
        client.post(FORM, request_data(), REMOTE_ADDR="10.0.0.2")
        first, second = DutyRecord.objects.order_by("pk")

        for record in (first, second):
            # Three groups of four from the unambiguous alphabet: K7WP-3MXR-Q2TD.
            assert re.fullmatch(
                r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){2}", record.reference
            )
        assert first.reference != second.reference
        # Random, not counted: many references, no repeats, no shared beginnings.
        many = {new_reference() for _ in range(2000)}
        assert len(many) == 2000
        assert len({reference[:4] for reference in many}) > 1900

    def test_the_phone_number_is_kept_as_digits(self, client):
        client.post(FORM, request_data(resident_contact="+86 137 1234 5678"))
        assert DutyRecord.objects.get().resident_contact == PHONE

    def test_a_landline_is_accepted(self, client):
        client.post(FORM, request_data(resident_contact="021-64550123"))
        assert DutyRecord.objects.get().resident_contact == "021-64550123"

    def test_the_request_is_recorded_in_history(self, client):
        client.post(FORM, request_data())
        record = DutyRecord.objects.get()
        assert record.history.count() == 1
        assert record.history.get().history_type == "+"


@pytest.mark.django_db
class TestBadInput:
    def assert_refused(self, response):
        assert response.status_code == 400
        assert not DutyRecord.objects.exists()
        assert ui("en", "Please correct the marked fields below.") in text(response)

    def test_a_wrong_phone_number(self, client):
        response = client.post(FORM, request_data(resident_contact="12345"), headers=ENGLISH)

        self.assert_refused(response)
        assert field_errors(response) == {
            "resident_contact": [
                ui(
                    "en",
                    "Enter a mobile number of 11 digits or a landline with its area code, e.g. 021-12345678.",
                )
            ]
        }
        # What the resident typed is kept for them to correct.
        assert REQUEST in text(response)

    def test_an_empty_form(self, client):
        response = client.post(
            FORM,
            request_data(resident_name="", resident_contact="", place="", request=""),
            headers=ENGLISH,
        )

        self.assert_refused(response)
        assert field_errors(response) == {
            "resident_name": [ui("en", "Please tell us your name.")],
            "resident_contact": [ui("en", "Please give a phone number we can call you back on.")],
            "place": [ui("en", "Please tell us the building, unit or place the request is about.")],
            "request": [ui("en", "Please describe your request.")],
        }

    def test_a_place_of_blanks(self, client):
        response = client.post(FORM, request_data(place="  "), headers=ENGLISH)

        self.assert_refused(response)
        assert field_errors(response) == {
            "place": [ui("en", "Please tell us the building, unit or place the request is about.")]
        }

    def test_an_over_long_place(self, client):
        response = client.post(FORM, request_data(place="楼" * 101), headers=ENGLISH)

        self.assert_refused(response)
        assert list(field_errors(response)) == ["place"]

    def test_a_request_of_blanks(self, client):
        response = client.post(FORM, request_data(request="   \n  "), headers=ENGLISH)

        self.assert_refused(response)
        assert field_errors(response) == {"request": [ui("en", "Please describe your request.")]}

    def test_an_over_long_request(self, client):
        response = client.post(FORM, request_data(request="灯" * 2001), headers=ENGLISH)

        self.assert_refused(response)
        assert field_errors(response) == {
            "request": [
                ui(
                    "en",
                    "Please keep your request to %(limit)d characters (it has %(length)d).",
                    limit=2000,
                    length=2001,
                )
            ]
        }

    def test_a_request_of_exactly_the_limit_is_taken(self, client):
        assert client.post(FORM, request_data(request="灯" * 2000)).status_code == 302
        assert DutyRecord.objects.count() == 1

    def test_an_over_long_name(self, client):
        response = client.post(FORM, request_data(resident_name="李" * 51), headers=ENGLISH)

        self.assert_refused(response)
        assert list(field_errors(response)) == ["resident_name"]

    def test_an_unknown_category(self, client):
        response = client.post(FORM, request_data(category="fireworks"), headers=ENGLISH)

        self.assert_refused(response)
        assert list(field_errors(response)) == ["category"]

    def test_errors_are_tied_to_their_fields_for_screen_readers(self, client):
        response = client.post(FORM, request_data(resident_contact="12345"))

        field = BeautifulSoup(response.content.decode(), "html.parser").select_one(
            "#id_resident_contact"
        )
        assert "id_resident_contact_error" in field.get("aria-describedby", "")
        assert field.get("aria-invalid") == "true"


@pytest.mark.django_db
class TestBots:
    def test_the_honeypot_keeps_nothing(self, client):
        response = client.post(FORM, request_data(website="http://spam.example"))

        assert response.status_code == 302
        assert response["Location"] == FORM
        assert not DutyRecord.objects.exists()

    def test_csrf_is_enforced(self):
        client = Client(enforce_csrf_checks=True)

        assert client.post(FORM, request_data()).status_code == 403
        assert not DutyRecord.objects.exists()

        assert (
            client.post(FORM, request_data(), headers={"origin": "https://evil.example"})
        ).status_code == 403
        assert not DutyRecord.objects.exists()

        # The form carries no token (it may come from the page cache): the browser's Origin
        # says it comes from this site (core/csrf.py).
        form = client.get(FORM)
        assert (
            BeautifulSoup(form.content.decode(), "html.parser").select_one(
                "input[name=csrfmiddlewaretoken]"
            )
            is None
        )
        response = client.post(FORM, request_data(), headers={"origin": "http://testserver"})
        assert response.status_code == 302
        assert DutyRecord.objects.count() == 1

    def test_other_methods_are_not_allowed(self, client):
        assert client.put(FORM, request_data()).status_code == 405
        assert client.delete(FORM).status_code == 405


@pytest.mark.django_db
class TestRateLimit:
    def limit(self):
        return int(settings.PUBLIC_FORM_RATE_LIMITS["duty_request"].split("/")[0])

    def test_after_the_limit_the_client_is_asked_to_wait(self, client, clock):
        for _ in range(self.limit()):
            assert client.post(FORM, request_data()).status_code == 302

        response = client.post(FORM, request_data(), headers=ENGLISH)

        assert response.status_code == 429
        assert DutyRecord.objects.count() == self.limit()
        assert ui("en", "File an after-hours request") in text(response)
        assert re.search(r"try again in \d+ minutes?, or call the duty phone", text(response))

    def test_the_limit_comes_from_the_settings(self, client, clock, settings):
        settings.PUBLIC_FORM_RATE_LIMITS = {
            **settings.PUBLIC_FORM_RATE_LIMITS,
            "duty_request": "1/h",
        }

        assert client.post(FORM, request_data()).status_code == 302
        assert client.post(FORM, request_data()).status_code == 429
        assert DutyRecord.objects.count() == 1

    def test_refused_forms_do_not_count(self, client, clock):
        for _ in range(self.limit() + 2):
            assert client.post(FORM, request_data(resident_contact="1")).status_code == 400

        assert client.post(FORM, request_data()).status_code == 302

    def test_the_limit_is_per_client(self, client, clock):
        for _ in range(self.limit()):
            client.post(FORM, request_data())
        assert client.post(FORM, request_data()).status_code == 429

        other = Client(REMOTE_ADDR="10.1.2.3")
        assert other.post(FORM, request_data()).status_code == 302

    def test_the_limit_lifts_after_its_window(self, client, clock):
        for _ in range(self.limit()):
            client.post(FORM, request_data())
        assert client.post(FORM, request_data()).status_code == 429

        clock.advance(hours=1)
        assert client.post(FORM, request_data()).status_code == 302
        assert DutyRecord.objects.count() == self.limit() + 1

    def test_reading_the_form_is_never_limited(self, client, clock):
        for _ in range(self.limit()):
            client.post(FORM, request_data())

        assert client.get(FORM).status_code == 200


@pytest.mark.django_db
class TestTheStatusPage:
    @pytest.fixture
    def filed(self, client):
        client.post(FORM, request_data())
        return DutyRecord.objects.get()

    def test_shows_the_request_and_that_it_was_received(self, client, filed):
        response = client.get(status_url(filed), headers=ENGLISH)

        assert response.status_code == 200
        page = text(response)
        assert REQUEST in page
        assert state_label("en", DutyRecordState.RECEIVED) in page
        assert ui("en", "Answer due by") in page
        assert ui("en", "Answered") not in page
        assert (
            ui("en", "No answer yet. The cadre on duty will answer you as soon as possible.")
            in page
        )

    def test_the_state_reads_received_not_the_time_received(self, client, filed):
        soup = BeautifulSoup(client.get(status_url(filed)).content.decode(), "html.parser")

        state = soup.select_one(".state").get_text(strip=True)
        assert state == state_label("zh-hans", DutyRecordState.RECEIVED)
        with translation.override("zh-hans"):
            time_label = str(DutyRecord._meta.get_field("received_at").verbose_name)
        assert state != time_label

    def test_the_confirmation_shows_the_reference_large_with_a_note(self, client):
        response = client.post(FORM, request_data(), follow=True, headers=ENGLISH)
        record = DutyRecord.objects.get()

        soup = BeautifulSoup(response.content.decode(), "html.parser")
        assert soup.select_one(".reference-card .reference").get_text(strip=True) == (
            record.reference
        )
        page = text(response)
        assert (
            ui(
                "en",
                "Thank you. Your request has been received and the cadre on duty will see it in "
                "the record book.",
            )
            in page
        )
        assert (
            ui(
                "en",
                "Write it down: with this reference you can follow your request from "
                "the front page or the duty roster page, or tell it to the cadre on duty on "
                "the phone.",
            )
            in page
        )

    def test_the_answer_waits_until_the_request_is_closed(self, client, filed, cadre):
        perform(filed, "take_on", cadre)
        filed.answer = "已派物业电工上门更换灯泡。"
        filed.save()

        page = text(client.get(status_url(filed), headers=ENGLISH))

        assert state_label("en", DutyRecordState.IN_PROGRESS) in page
        assert "已派物业电工上门更换灯泡。" not in page
        assert ui("en", "Answered") not in page
        assert (
            ui("en", "No answer yet. The cadre on duty will answer you as soon as possible.")
            in page
        )

    def test_shows_the_answer_when_it_was_given_and_the_result_once_resolved(
        self, client, filed, cadre
    ):
        filed.answer = "已派物业电工上门更换灯泡。"
        filed.result = "楼道灯已修好。"
        perform(filed, "take_on", cadre)
        perform(filed, "resolve", cadre)

        response = client.get(status_url(filed), headers=ENGLISH)
        page = text(response)

        filed.refresh_from_db()
        assert state_label("en", DutyRecordState.RESOLVED) in page
        assert "已派物业电工上门更换灯泡。" in page
        assert "楼道灯已修好。" in page
        assert ui("en", "Answer due by") not in page
        assert ui("en", "Answered") in page
        answered = BeautifulSoup(response.content.decode(), "html.parser").find_all("time")
        assert timezone.localtime(filed.answered_at).isoformat() in [
            t["datetime"] for t in answered
        ]

    def test_a_referred_request_shows_its_answer(self, client, filed, cadre):
        filed.answer = "已转交街道城管科。"
        perform(filed, "take_on", cadre)
        perform(filed, "refer", cadre)

        page = text(client.get(status_url(filed), headers=ENGLISH))

        assert state_label("en", DutyRecordState.REFERRED) in page
        assert "已转交街道城管科。" in page

    def test_shows_no_personal_data(self, client, filed, cadre, duty_phone):
        cadre.person.phone = "13966668888"
        cadre.person.save()
        filed.answer = "已转交物业。"
        perform(filed, "take_on", cadre)
        perform(filed, "refer", cadre)

        page = text(client.get(status_url(filed)))

        assert state_label("zh-hans", DutyRecordState.REFERRED) in page
        for personal in (NAME, PHONE, PLACE, "13966668888"):
            assert personal not in page

    def test_a_reference_typed_in_lower_case_and_without_hyphens_goes_to_its_page(
        self, client, filed
    ):
        typed = filed.reference.replace("-", "").lower()

        response = client.get(f"/duty/request/{typed}/")

        assert response.status_code == 302
        assert response["Location"] == status_url(filed)
        assert client.get(response["Location"]).status_code == 200

    def test_an_unknown_reference_is_the_sites_not_found_page(self, client, filed):
        for path in (
            "/duty/request/notareference/",
            f"/duty/request/{filed.reference[:-1]}/",
            "/duty/request/0000-0000-0000/",
        ):
            response = client.get(path, headers=ENGLISH)
            assert response.status_code == 404, path
            assert_friendly_not_found(response)

    def test_a_request_filed_before_the_new_references_is_still_found(self, client):
        old = DutyRecordFactory(reference="aB3xK9mPq2Z")

        response = client.get("/duty/request/aB3xK9mPq2Z/", headers=ENGLISH)

        assert response.status_code == 200
        assert old.request in text(response)
        # Old references were case-sensitive tokens: another case is another reference.
        assert client.get("/duty/request/AB3XK9MPQ2Z/").status_code == 404


def assert_friendly_not_found(response):
    """The site's own 404 page, with the message and the box to try again; never Django's
    debug page."""
    page = text(response)
    assert ui("en", "Page not found") in page
    assert (
        ui(
            "en",
            "There is no request with this reference. Please check it against the one you "
            "wrote down and type it again.",
        )
        in page
    )
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    assert soup.select_one("form.follow-box input[name=reference]") is not None
    assert "Using the URLconf" not in page
    assert "technical_404" not in page


@pytest.mark.django_db
class TestTheFollowBox:
    @pytest.fixture
    def filed(self, client):
        client.post(FORM, request_data())
        return DutyRecord.objects.get()

    @pytest.mark.parametrize("path", ["/duty/", FORM, "/"])
    def test_is_on_the_roster_the_form_and_the_front_page(self, client, home_page, path):
        soup = BeautifulSoup(client.get(path).content.decode(), "html.parser")

        box = soup.select_one("form.follow-box")
        assert box["method"] == "get"
        assert box["action"] == "/duty/follow/"
        assert box.select_one("input[name=reference]") is not None

    def test_a_good_reference(self, client, filed):
        response = client.get("/duty/follow/", {"reference": filed.reference})

        assert response.status_code == 302
        assert response["Location"] == status_url(filed)

    @pytest.mark.parametrize(
        "typing",
        [
            lambda ref: ref.lower(),
            lambda ref: ref.replace("-", ""),
            lambda ref: " " + ref.replace("-", " ").lower() + " ",
            # Lookalikes a person may write: O for 0, I or L for 1.
            lambda ref: ref.replace("0", "O").replace("1", "l"),
        ],
    )
    def test_a_reference_typed_loosely(self, client, filed, typing):
        response = client.get("/duty/follow/", {"reference": typing(filed.reference)}, follow=True)

        assert response.redirect_chain[-1] == (status_url(filed), 302)
        assert response.status_code == 200
        assert REQUEST in text(response)

    @pytest.mark.parametrize(
        "typed", ["", "ZZZZ-ZZZZ-ZZZZ", 'a"b', "<script>", "x" * 500, "UUUU-UUUU-UUUU"]
    )
    def test_a_bad_reference_is_a_friendly_not_found_page(self, client, filed, typed, settings):
        settings.DEBUG = True  # as in the demo: still the site's page, never the debug page

        response = client.get("/duty/follow/", {"reference": typed}, follow=True, headers=ENGLISH)

        assert response.status_code == 404
        assert_friendly_not_found(response)
