"""Talks (谈心谈话): the follow-up marked done by the Party affairs office only, history with
the user, and the six-month rule at its boundary."""

import datetime

import pytest

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from core.transitions import TransitionRefused, perform
from people.compliance import overdue_talks
from people.factories import CadreFactory, TalkFactory
from people.models import FollowUpState, Talk, months_before, talk_due_since
from tests.support import logged_in

pytestmark = pytest.mark.django_db

LISTING = reverse("wagtailsnippets_people_talk:list")
ADD = reverse("wagtailsnippets_people_talk:add")


def step_url(talk, name="complete"):
    return reverse("wagtailsnippets_people_talk:transition", args=[talk.pk, name])


def shanghai(*args):
    return datetime.datetime(*args, tzinfo=timezone.get_current_timezone())


class TestTheFollowUp:
    def test_the_office_marks_it_done_with_the_time(self, party_office, clock):
        clock.set(shanghai(2026, 6, 1, 9, 30))
        talk = TalkFactory(follow_up="调整值班安排。")

        perform(talk, "complete", party_office, reason="已调整")

        talk.refresh_from_db()
        assert talk.follow_up_state == FollowUpState.DONE
        assert talk.done_at == shanghai(2026, 6, 1, 9, 30)
        latest = talk.history.latest()
        assert (latest.follow_up_state, latest.history_user_id) == (
            FollowUpState.DONE,
            party_office.pk,
        )
        entry = AuditEntry.objects.get(
            content_type__model="talk", object_id=str(talk.pk), detail="complete"
        )
        assert (entry.action, entry.username, entry.reason) == ("transition", "party", "已调整")

    def test_through_the_admin_row_button(self, party_office):
        talk = TalkFactory(follow_up="调整值班安排。")
        client = logged_in(party_office)

        listing = client.get(LISTING).content.decode()
        assert step_url(talk) in listing

        response = client.post(step_url(talk), {"reason": ""})

        assert response.status_code == 302
        assert Talk.objects.get(pk=talk.pk).follow_up_state == FollowUpState.DONE

    def test_not_without_a_follow_up_written(self, party_office):
        talk = TalkFactory(follow_up="")
        with pytest.raises(TransitionRefused):
            perform(talk, "complete", party_office)
        assert Talk.objects.get(pk=talk.pk).follow_up_state == FollowUpState.OPEN

    def test_once_only(self, party_office):
        talk = TalkFactory(follow_up="调整值班安排。")
        perform(talk, "complete", party_office)
        with pytest.raises(TransitionRefused):
            perform(Talk.objects.get(pk=talk.pk), "complete", party_office)

    @pytest.mark.parametrize("who", ["supervisor", "clerk", "cadre", "editor"])
    def test_refused_to_other_roles(self, request, who):
        user = request.getfixturevalue(who)
        talk = TalkFactory(follow_up="调整值班安排。")

        with pytest.raises(PermissionDenied):
            perform(talk, "complete", user)
        response = logged_in(user).post(step_url(talk), {"reason": ""})

        assert response.status_code in (302, 403)
        talk = Talk.objects.get(pk=talk.pk)
        assert talk.follow_up_state == FollowUpState.OPEN
        assert talk.done_at is None

    def test_the_state_cannot_be_set_by_hand(self):
        talk = TalkFactory()
        with pytest.raises(AttributeError):
            talk.follow_up_state = FollowUpState.DONE


class TestTheAdmin:
    def test_the_office_records_a_talk_with_history(self, party_office):
        cadre, member = CadreFactory(name="吴文斌"), CadreFactory(name="林晓梅")

        response = logged_in(party_office).post(
            ADD,
            {
                "cadre": cadre.pk,
                "committee_member": member.pk,
                "date": "2026-05-10",
                "topics": "工作和思想情况",
                "problems": "",
                "follow_up": "",
                "change_reason": "",
            },
        )

        assert response.status_code == 302
        talk = Talk.objects.get()
        assert (talk.cadre, talk.committee_member) == (cadre, member)
        assert talk.follow_up_state == FollowUpState.OPEN
        (created,) = talk.history.all()
        assert created.history_user_id == party_office.pk

    def test_a_person_does_not_talk_with_themselves(self, party_office):
        cadre = CadreFactory()
        response = logged_in(party_office).post(
            ADD,
            {
                "cadre": cadre.pk,
                "committee_member": cadre.pk,
                "date": "2026-05-10",
                "topics": "工作和思想情况",
            },
        )
        assert response.status_code == 200
        assert not Talk.objects.exists()

    @pytest.mark.parametrize("who", ["editor", "moderator", "clerk", "cadre"])
    def test_other_roles_cannot_list_or_add(self, request, who):
        client = logged_in(request.getfixturevalue(who))
        cadre, member = CadreFactory(), CadreFactory()

        assert client.get(LISTING).status_code in (302, 403)
        response = client.post(
            ADD,
            {
                "cadre": cadre.pk,
                "committee_member": member.pk,
                "date": "2026-05-10",
                "topics": "工作和思想情况",
            },
        )
        assert response.status_code in (302, 403)
        assert not Talk.objects.exists()


class TestTheSixMonthRule:
    @pytest.mark.parametrize(
        ("today", "due_since"),
        [
            (datetime.date(2026, 12, 5), datetime.date(2026, 6, 5)),
            (datetime.date(2026, 3, 15), datetime.date(2025, 9, 15)),
            # The month six months back is shorter: its last day.
            (datetime.date(2026, 8, 31), datetime.date(2026, 2, 28)),
            (datetime.date(2028, 8, 31), datetime.date(2028, 2, 29)),
        ],
    )
    def test_six_calendar_months(self, today, due_since):
        assert talk_due_since(today) == due_since
        assert months_before(today, 6) == due_since

    def test_exactly_six_months_ago_complies_a_day_more_is_overdue(self, clock):
        clock.set(shanghai(2026, 12, 5, 23, 50))
        in_time, late, never = CadreFactory(), CadreFactory(), CadreFactory()
        TalkFactory(cadre=in_time, date=datetime.date(2026, 6, 5))
        TalkFactory(cadre=late, date=datetime.date(2026, 6, 4))
        # An older talk does not count against a cadre whose last one is recent.
        TalkFactory(cadre=in_time, date=datetime.date(2025, 1, 4))

        overdue = {cadre.pk: cadre.last_talk for cadre in overdue_talks(timezone.localdate())}

        assert in_time.pk not in overdue
        assert overdue[late.pk] == datetime.date(2026, 6, 4)
        assert overdue[never.pk] is None

    def test_the_next_day_the_boundary_talk_is_overdue(self, clock):
        clock.set(shanghai(2026, 12, 6, 0, 10))
        cadre = CadreFactory()
        TalkFactory(cadre=cadre, date=datetime.date(2026, 6, 5))

        assert [c.pk for c in overdue_talks(timezone.localdate())] == [cadre.pk]

    def test_only_active_cadres_are_held_to_it(self, clock):
        clock.set(shanghai(2026, 12, 5, 12))
        CadreFactory(is_active=False)
        CadreFactory(is_cadre=False, is_volunteer=True)

        assert list(overdue_talks(timezone.localdate())) == []


def test_supervisors_read_a_talk_but_cannot_change_it(supervisor):
    talk = TalkFactory(topics="工作和思想情况", problems="晚间值班有困难")
    client = logged_in(supervisor)

    inspect = client.get(reverse("wagtailsnippets_people_talk:inspect", args=[talk.pk]))
    assert inspect.status_code == 200
    assert "晚间值班有困难" in inspect.content.decode()

    edit = reverse("wagtailsnippets_people_talk:edit", args=[talk.pk])
    response = client.post(edit, {"topics": "改动", "cadre": talk.cadre_id, "date": "2026-01-01"})
    assert response.status_code in (302, 403)
    assert Talk.objects.get(pk=talk.pk).topics == "工作和思想情况"
