"""The record book's listing tells requests apart (what was asked, where, by whom) without
a query per row, shows the resident's name and place only to those who may see residents'
contacts, and the confirmation of "resolve" says what must be written first."""

import pytest

from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.text import Truncator

from core.transitions import perform
from duty.factories import DutyRecordFactory
from tests.support import logged_in

from .conftest import ENGLISH, text

BOOK = "/admin/snippets/duty/dutyrecord/"


def transition_url(record, name):
    return f"{BOOK}{record.pk}/transition/{name}/"


@pytest.mark.django_db
class TestTheRows:
    def test_each_row_shows_the_request_its_place_and_the_resident(self, cadre):
        request = (
            "5号楼2单元楼道灯不亮，晚上上下楼很危险，老人孩子都摔过跤，请尽快派人来修理，谢谢。"
        )
        DutyRecordFactory(
            request=request,
            place="7号楼3单元",
            resident_name="李先生",
        )

        page = text(logged_in(cadre).get(BOOK, headers=ENGLISH))

        excerpt = Truncator(request).chars(40)
        assert excerpt.endswith("…") and excerpt in page
        assert "请尽快派人来修理，谢谢" not in page  # an excerpt, not the whole request
        assert "7号楼3单元" in page
        assert "李先生" in page
        for heading in ("Request", "Building, unit or place", "Resident"):
            assert heading in page

    def test_the_rows_cost_no_query_each(self, cadre):
        client = logged_in(cadre)
        DutyRecordFactory.create_batch(2)
        client.get(BOOK)
        with CaptureQueriesContext(connection) as few:
            client.get(BOOK)
        DutyRecordFactory.create_batch(15)
        with CaptureQueriesContext(connection) as many:
            response = client.get(BOOK)

        assert len(response.context["object_list"]) == 17
        assert len(many) == len(few)

    def test_no_name_or_place_for_who_may_not_see_contacts(self, make_user):
        readers = Group.objects.create(name="Record book readers")
        readers.permissions.add(
            Permission.objects.get(codename="access_admin"),
            Permission.objects.get(codename="view_dutyrecord"),
        )
        reader = make_user("Record book readers")
        DutyRecordFactory(place="5号楼2单元", resident_name="李先生", request="楼道灯不亮。")

        page = text(logged_in(reader).get(BOOK, headers=ENGLISH))

        assert "楼道灯不亮。" in page
        assert "李先生" not in page
        assert "5号楼2单元" not in page
        assert "Resident" not in page

    def test_a_search_finds_a_building(self, cadre):
        DutyRecordFactory(place="5号楼2单元", request="灯不亮。")
        DutyRecordFactory(place="7号楼", request="电梯异响。")

        response = logged_in(cadre).get(BOOK, {"q": "5号楼"})

        assert [record.request for record in response.context["object_list"]] == ["灯不亮。"]


@pytest.mark.django_db
class TestResolveSaysWhatItNeeds:
    def test_the_confirmation_says_to_write_the_answer_and_the_result(self, cadre):
        record = DutyRecordFactory()
        perform(record, "take_on", cadre)

        page = text(logged_in(cadre).get(transition_url(record, "resolve"), headers=ENGLISH))

        assert "Write the answer to the resident and the result first." in page
        assert "The answer to the resident is not written yet." in page
        assert "The result is not written yet." in page
        assert f"{BOOK}edit/{record.pk}/" in page

    def test_only_what_is_missing_is_named(self, cadre):
        record = DutyRecordFactory(answer="已派电工上门。")
        perform(record, "take_on", cadre)

        page = text(logged_in(cadre).get(transition_url(record, "resolve"), headers=ENGLISH))

        assert "The answer to the resident is not written yet." not in page
        assert "The result is not written yet." in page

    def test_nothing_is_said_once_both_are_written(self, cadre):
        record = DutyRecordFactory(answer="已派电工上门。", result="灯已修好。")
        perform(record, "take_on", cadre)

        page = text(logged_in(cadre).get(transition_url(record, "resolve"), headers=ENGLISH))

        assert "not written yet" not in page

    def test_resolving_without_them_is_refused_and_changes_nothing(self, cadre):
        record = DutyRecordFactory()
        perform(record, "take_on", cadre)

        logged_in(cadre).post(transition_url(record, "resolve"), {"reason": ""})

        record.refresh_from_db()
        assert record.state == "in_progress"
