"""A resident files an after-hours request at /duty/request/ (CSRF, validated phone number,
clear errors, honeypot, rate limit) and follows it at /duty/request/<reference>/, which
shows the state, the answer and the result and no personal data."""

import re
import string

import pytest
from bs4 import BeautifulSoup

from django.conf import settings
from django.test import Client

from core.transitions import perform
from duty.models import DutyRecord, DutyRecordState, RequestCategory, RequestChannel, new_reference
from tests.support import ui

from .conftest import ENGLISH, text

FORM = "/duty/request/"
NAME = "李秀英"
PHONE = "13712345678"
REQUEST = "5号楼2单元楼道灯不亮，晚上上下楼很危险。"


def request_data(**fields):
    return {
        "resident_name": NAME,
        "resident_contact": PHONE,
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


@pytest.mark.django_db
class TestAValidRequest:
    def test_is_kept_as_received_online_and_the_resident_is_sent_to_its_page(self, client):
        response = client.post(FORM, request_data())

        record = DutyRecord.objects.get()
        assert response.status_code == 302
        assert response["Location"] == status_url(record)
        assert record.channel == RequestChannel.ONLINE
        assert record.state == DutyRecordState.RECEIVED
        assert record.category == RequestCategory.REPAIR
        assert (record.resident_name, record.resident_contact) == (NAME, PHONE)
        assert record.request == REQUEST
        assert record.handled_by is None
        hours = settings.DUTY_RESPONSE_HOURS[RequestCategory.REPAIR]
        assert (record.due_at - record.received_at).total_seconds() == hours * 3600

    def test_the_reference_is_long_and_unguessable(self, client):
        client.post(FORM, request_data())
        client.post(FORM, request_data(), REMOTE_ADDR="10.0.0.2")
        first, second = DutyRecord.objects.order_by("pk")

        for record in (first, second):
            assert len(record.reference) >= 10
            assert set(record.reference) <= set(string.ascii_letters + string.digits)
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
            FORM, request_data(resident_name="", resident_contact="", request=""), headers=ENGLISH
        )

        self.assert_refused(response)
        assert field_errors(response) == {
            "resident_name": [ui("en", "Please tell us your name.")],
            "resident_contact": [ui("en", "Please give a phone number we can call you back on.")],
            "request": [ui("en", "Please describe your request.")],
        }

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

        form = client.get(FORM)
        token = BeautifulSoup(form.content.decode(), "html.parser").select_one(
            "input[name=csrfmiddlewaretoken]"
        )["value"]
        response = client.post(FORM, request_data(csrfmiddlewaretoken=token))
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
        assert filed.reference in page
        assert REQUEST in page
        assert ui("en", "received") in page
        assert (
            ui("en", "No answer yet. The cadre on duty will answer you as soon as possible.")
            in page
        )

    def test_shows_the_answer_the_result_and_the_state_once_resolved(self, client, filed, cadre):
        filed.answer = "已派物业电工上门更换灯泡。"
        filed.result = "楼道灯已修好。"
        perform(filed, "take_on", cadre)
        perform(filed, "resolve", cadre)

        page = text(client.get(status_url(filed), headers=ENGLISH))

        assert ui("en", "resolved") in page
        assert "已派物业电工上门更换灯泡。" in page
        assert "楼道灯已修好。" in page
        assert ui("en", "Answer due by") not in page

    def test_shows_no_personal_data(self, client, filed, cadre, duty_phone):
        cadre.person.phone = "13966668888"
        cadre.person.save()
        filed.answer = "已转交物业。"
        perform(filed, "take_on", cadre)
        perform(filed, "refer", cadre)

        page = text(client.get(status_url(filed)))

        assert ui("zh-hans", "referred") in page
        for personal in (NAME, PHONE, "13966668888"):
            assert personal not in page

    def test_an_unknown_reference_is_not_found(self, client, filed):
        assert client.get("/duty/request/notareference/").status_code == 404
        assert client.get(f"/duty/request/{filed.reference.swapcase()}/").status_code == 404
        assert client.get(f"/duty/request/{filed.reference[:-1]}/").status_code == 404
