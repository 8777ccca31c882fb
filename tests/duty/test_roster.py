"""The monthly roster: drafted, published by a Duty cadre once it has shifts, shown to
residents at /duty/ (this month, and next month once published, never a draft) with the
office's duty phone and never a person's own phone number; and shift swaps, which only the
cadre asked may accept or decline."""

import datetime

import pytest

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from core import roles
from core.transitions import TransitionRefused, perform
from duty.factories import DutyShiftFactory, RosterFactory, ShiftSwapFactory
from duty.models import DutyShift, RosterState, ShiftSwap, ShiftSwapState
from people.factories import PersonFactory
from tests.support import logged_in, ui

from .conftest import ENGLISH, assert_refused_in_admin, text


def this_month():
    return timezone.localdate().replace(day=1)


def next_month():
    return (this_month() + datetime.timedelta(days=32)).replace(day=1)


def roster_with_shifts(month, *names, publish_by=None):
    """A roster for ``month`` with one shift a day for each name (persons with phones)."""
    roster = RosterFactory(month=month)
    for day, name in enumerate(names, start=1):
        person = PersonFactory(name=name, is_cadre=True, phone=f"1390000{day:04d}")
        DutyShiftFactory(roster=roster, person=person, date=month.replace(day=day))
    if publish_by is not None:
        perform(roster, "publish", publish_by)
    return roster


def step_url(instance, name):
    return reverse(
        type(instance).snippet_viewset.get_url_name("transition"), args=[instance.pk, name]
    )


@pytest.mark.django_db
class TestPublication:
    def test_a_roster_without_shifts_cannot_be_published(self, cadre):
        roster = RosterFactory(month=this_month())

        with pytest.raises(TransitionRefused):
            perform(roster, "publish", cadre)

        roster.refresh_from_db()
        assert roster.state == RosterState.DRAFT
        assert roster.published_at is None

    def test_the_admin_says_why_a_roster_without_shifts_is_not_published(self, cadre):
        roster = RosterFactory(month=this_month())

        response = logged_in(cadre).post(
            step_url(roster, "publish"), {"reason": ""}, headers=ENGLISH, follow=True
        )

        assert response.status_code == 200
        assert ui("en", "Add the month's shifts first.") in text(response)
        roster.refresh_from_db()
        assert roster.state == RosterState.DRAFT

    def test_a_duty_cadre_publishes_a_roster_with_shifts(self, cadre):
        roster = roster_with_shifts(this_month(), "张一")

        perform(roster, "publish", cadre, reason="本月排班已确认")

        roster.refresh_from_db()
        assert roster.state == RosterState.PUBLISHED
        assert roster.published_at is not None
        latest = roster.history.latest()
        assert latest.state == RosterState.PUBLISHED
        assert latest.history_user_id == cadre.pk
        entry = AuditEntry.objects.filter(object_id=str(roster.pk), detail="publish").get()
        assert (entry.action, entry.username, entry.reason) == (
            "transition",
            "cadre",
            "本月排班已确认",
        )

    def test_a_duty_cadre_publishes_through_the_admin(self, cadre):
        roster = roster_with_shifts(this_month(), "张一")
        client = logged_in(cadre)

        assert client.get(step_url(roster, "publish")).status_code == 200
        response = client.post(step_url(roster, "publish"), {"reason": ""})

        assert response.status_code == 302
        assert response["Location"] == reverse("wagtailsnippets_duty_roster:list")
        roster.refresh_from_db()
        assert roster.state == RosterState.PUBLISHED

    @pytest.mark.parametrize(
        "group", [roles.SUPERVISORS, roles.EDITORS, roles.MODERATORS, roles.MEETING_CLERKS]
    )
    def test_nobody_else_may_publish(self, make_user, group):
        roster = roster_with_shifts(this_month(), "张一")
        user = make_user(group)

        with pytest.raises(PermissionDenied):
            perform(roster, "publish", user)
        assert_refused_in_admin(logged_in(user).post(step_url(roster, "publish")))

        roster.refresh_from_db()
        assert roster.state == RosterState.DRAFT

    def test_a_published_roster_is_not_published_again(self, cadre):
        roster = roster_with_shifts(this_month(), "张一", publish_by=cadre)
        published_at = roster.published_at

        with pytest.raises(TransitionRefused):
            perform(roster, "publish", cadre)
        roster.refresh_from_db()
        assert roster.published_at == published_at

    def test_the_month_is_kept_as_its_first_day(self):
        roster = RosterFactory(month=this_month().replace(day=17))
        assert roster.month == this_month()


@pytest.mark.django_db
class TestThePublicRoster:
    def test_shows_this_months_published_roster(self, client, cadre):
        roster_with_shifts(this_month(), "张一", "李二", publish_by=cadre)

        response = client.get("/duty/")

        assert response.status_code == 200
        html = response.content.decode()
        assert "张一" in html
        assert "李二" in html
        assert this_month().strftime("%Y-%m-%d") in html

    def test_never_shows_a_draft(self, client):
        roster_with_shifts(this_month(), "张一")
        roster_with_shifts(next_month(), "王三")

        response = client.get("/duty/", headers=ENGLISH)

        html = text(response)
        assert "张一" not in html
        assert "王三" not in html
        assert ui("en", "This month's roster has not been published yet.") in html

    def test_shows_next_months_roster_once_it_is_published(self, client, cadre):
        roster_with_shifts(this_month(), "张一", publish_by=cadre)
        upcoming = roster_with_shifts(next_month(), "王三")

        assert "王三" not in client.get("/duty/").content.decode()

        perform(upcoming, "publish", cadre)
        html = client.get("/duty/").content.decode()
        assert "张一" in html
        assert "王三" in html
        assert html.index("张一") < html.index("王三")

    def test_does_not_show_last_months_roster(self, client, cadre):
        last_month = (this_month() - datetime.timedelta(days=1)).replace(day=1)
        roster_with_shifts(last_month, "赵四", publish_by=cadre)

        assert "赵四" not in client.get("/duty/").content.decode()

    def test_shows_the_offices_duty_phone_and_no_ones_own_phone(self, client, cadre, duty_phone):
        roster = roster_with_shifts(this_month(), "张一", "李二", publish_by=cadre)
        own_phones = [shift.person.phone for shift in roster.shifts.select_related("person")]
        assert all(own_phones)

        html = client.get("/duty/").content.decode()

        assert duty_phone in html
        for phone in own_phones:
            assert phone not in html

    def test_the_posts_page_shows_names_and_posts_and_no_phone(self, client):
        from duty.factories import PostAssignmentFactory

        assignment = PostAssignmentFactory(
            person__name="钱五", person__phone="13911112222", post__name="环境守护岗"
        )

        response = client.get("/duty/posts/")

        html = response.content.decode()
        assert response.status_code == 200
        assert "钱五" in html
        assert "环境守护岗" in html
        assert assignment.person.phone not in html
        assert assignment.person.building not in html


@pytest.mark.django_db
class TestSwaps:
    @pytest.fixture
    def swap(self, cadre, other_cadre):
        """The cadre on the shift asks the other cadre to take it."""
        roster = RosterFactory(month=next_month())
        shift = DutyShiftFactory(roster=roster, person=cadre.person)
        return ShiftSwapFactory(
            shift=shift, from_person=cadre.person, to_person=other_cadre.person, note="家中有事"
        )

    def test_the_asked_cadre_accepts_and_the_shift_is_theirs(self, swap, cadre, other_cadre):
        perform(swap, "accept", other_cadre)

        swap.refresh_from_db()
        shift = DutyShift.objects.get(pk=swap.shift_id)
        assert swap.state == ShiftSwapState.ACCEPTED
        assert shift.person == other_cadre.person

        # Both are in history: the swap's acceptance and the shift changing hands.
        swap_history = swap.history.order_by("history_date", "history_id")
        assert [row.state for row in swap_history] == [
            ShiftSwapState.REQUESTED,
            ShiftSwapState.ACCEPTED,
        ]
        assert swap_history.last().history_user_id == other_cadre.pk
        shift_history = shift.history.order_by("history_date", "history_id")
        assert [row.person_id for row in shift_history] == [
            cadre.person.pk,
            other_cadre.person.pk,
        ]
        assert shift_history.last().history_change_reason == ui(
            "zh-hans", "Shift swap #%(number)s accepted", number=swap.pk
        )
        assert AuditEntry.objects.filter(
            object_id=str(swap.pk), action="transition", detail="accept", username="cadre2"
        ).exists()
        assert AuditEntry.objects.filter(
            content_type__model="dutyshift", object_id=str(shift.pk), action="changed"
        ).exists()

    def test_the_asked_cadre_declines_and_the_shift_stays(self, swap, cadre, other_cadre):
        perform(swap, "decline", other_cadre)

        swap.refresh_from_db()
        assert swap.state == ShiftSwapState.DECLINED
        assert DutyShift.objects.get(pk=swap.shift_id).person == cadre.person
        assert swap.history.latest().state == ShiftSwapState.DECLINED

    @pytest.mark.parametrize("name", ["accept", "decline"])
    def test_nobody_else_may_answer(self, swap, cadre, make_cadre, make_user, name):
        third_cadre, _person = make_cadre("王三")
        others = [
            cadre,  # who asked
            third_cadre,
            make_user(roles.SUPERVISORS),
            make_user(roles.EDITORS),
            make_user(username="root", is_superuser=True, is_staff=True),
        ]
        for user in others:
            with pytest.raises(PermissionDenied):
                perform(swap, name, user)
            assert_refused_in_admin(logged_in(user).post(step_url(swap, name)))

        swap.refresh_from_db()
        assert swap.state == ShiftSwapState.REQUESTED
        assert DutyShift.objects.get(pk=swap.shift_id).person == cadre.person

    def test_the_asked_cadre_accepts_through_the_admin(self, swap, other_cadre):
        client = logged_in(other_cadre)

        response = client.post(step_url(swap, "accept"), {"reason": "可以"})

        assert response.status_code == 302
        swap.refresh_from_db()
        assert swap.state == ShiftSwapState.ACCEPTED
        assert DutyShift.objects.get(pk=swap.shift_id).person == other_cadre.person

    def test_an_answered_swap_cannot_be_answered_again(self, swap, cadre, other_cadre):
        perform(swap, "decline", other_cadre)

        with pytest.raises(TransitionRefused):
            perform(swap, "accept", other_cadre)
        assert ShiftSwap.objects.get(pk=swap.pk).state == ShiftSwapState.DECLINED
        assert DutyShift.objects.get(pk=swap.shift_id).person == cadre.person


def swap_form(shift, to_person, note="家中有事", **extra):
    return {"shift": shift.pk, "to_person": to_person.pk, "note": note, **extra}


SWAP_ADD = "/admin/snippets/duty/shiftswap/add/"


@pytest.mark.django_db
class TestOnlyTheHolderAsks:
    @pytest.fixture
    def shift(self, cadre):
        return DutyShiftFactory(roster=RosterFactory(month=next_month()), person=cadre.person)

    def test_the_cadre_on_the_shift_asks_in_the_admin(self, shift, cadre, other_cadre):
        response = logged_in(cadre).post(SWAP_ADD, swap_form(shift, other_cadre.person))

        assert response.status_code == 302
        swap = ShiftSwap.objects.get()
        assert (swap.from_person, swap.to_person) == (cadre.person, other_cadre.person)
        (created,) = swap.history.all()
        assert created.history_user_id == cadre.pk

    def test_a_colleague_cannot_ask_for_someone_elses_shift_naming_themselves(
        self, shift, cadre, other_cadre
    ):
        # The form once took "asked by" as a field: a colleague named the holder as the
        # asker and themselves as the one asked, then accepted.
        response = logged_in(other_cadre).post(
            SWAP_ADD, swap_form(shift, other_cadre.person, from_person=cadre.person.pk)
        )

        assert response.status_code == 200
        assert not ShiftSwap.objects.exists()
        assert DutyShift.objects.get(pk=shift.pk).person == cadre.person

    def test_the_model_refuses_a_swap_asked_by_someone_not_on_the_shift(
        self, shift, cadre, other_cadre
    ):
        from django.core.exceptions import ValidationError

        swap = ShiftSwap(shift=shift, from_person=other_cadre.person, to_person=cadre.person)
        with pytest.raises(ValidationError):
            swap.clean()

    def test_a_swap_is_not_accepted_once_the_shift_changed_hands(
        self, shift, cadre, other_cadre, make_cadre
    ):
        swap = ShiftSwapFactory(shift=shift, from_person=cadre.person, to_person=other_cadre.person)
        third, third_person = make_cadre("王三")
        DutyShift.objects.filter(pk=shift.pk).update(person=third_person)

        with pytest.raises(TransitionRefused):
            perform(swap, "accept", other_cadre)
        assert DutyShift.objects.get(pk=shift.pk).person == third_person
        assert ShiftSwap.objects.get(pk=swap.pk).state == ShiftSwapState.REQUESTED


@pytest.mark.django_db
class TestACadreWhoseAccountIsAClerks:
    @pytest.fixture
    def clerk_cadre(self, make_user):
        user = make_user(roles.MEETING_CLERKS, username="clerk-cadre")
        PersonFactory(name="陈六", is_cadre=True, user=user)
        return user

    @pytest.fixture
    def swap(self, cadre, clerk_cadre):
        shift = DutyShiftFactory(roster=RosterFactory(month=next_month()), person=cadre.person)
        return ShiftSwapFactory(shift=shift, from_person=cadre.person, to_person=clerk_cadre.person)

    def test_finds_and_accepts_the_swap_asked_of_them(self, swap, clerk_cadre):
        client = logged_in(clerk_cadre)

        listing = client.get("/admin/snippets/duty/shiftswap/")
        assert listing.status_code == 200
        assert step_url(swap, "accept") in listing.content.decode()
        response = client.post(step_url(swap, "accept"), {"reason": ""})

        assert response.status_code == 302
        assert ShiftSwap.objects.get(pk=swap.pk).state == ShiftSwapState.ACCEPTED
        assert DutyShift.objects.get(pk=swap.shift_id).person == clerk_cadre.person

    def test_a_clerk_who_is_not_a_cadre_still_sees_no_swaps(self, swap, clerk):
        assert_refused_in_admin(logged_in(clerk).get("/admin/snippets/duty/shiftswap/"))
        assert_refused_in_admin(logged_in(clerk).post(step_url(swap, "accept")))
        assert ShiftSwap.objects.get(pk=swap.pk).state == ShiftSwapState.REQUESTED


@pytest.mark.django_db
class TestTheAskerWithdraws:
    @pytest.fixture
    def swap(self, cadre, other_cadre):
        shift = DutyShiftFactory(roster=RosterFactory(month=next_month()), person=cadre.person)
        return ShiftSwapFactory(shift=shift, from_person=cadre.person, to_person=other_cadre.person)

    def test_the_asker_withdraws_through_the_admin(self, swap, cadre):
        response = logged_in(cadre).post(step_url(swap, "withdraw"), {"reason": "不用换了"})

        assert response.status_code == 302
        swap = ShiftSwap.objects.get(pk=swap.pk)
        assert swap.state == ShiftSwapState.WITHDRAWN
        assert DutyShift.objects.get(pk=swap.shift_id).person == cadre.person
        latest = swap.history.latest()
        assert (latest.state, latest.history_user_id) == (ShiftSwapState.WITHDRAWN, cadre.pk)
        assert AuditEntry.objects.filter(
            object_id=str(swap.pk), detail="withdraw", reason="不用换了"
        ).exists()

    def test_nobody_else_withdraws(self, swap, other_cadre, make_cadre, make_user):
        third, _person = make_cadre("王三")
        for user in [
            other_cadre,  # who was asked
            third,
            make_user(roles.SUPERVISORS),
            make_user(username="root", is_superuser=True, is_staff=True),
        ]:
            with pytest.raises(PermissionDenied):
                perform(swap, "withdraw", user)
            assert_refused_in_admin(logged_in(user).post(step_url(swap, "withdraw")))
        assert ShiftSwap.objects.get(pk=swap.pk).state == ShiftSwapState.REQUESTED

    def test_a_withdrawn_swap_cannot_be_accepted(self, swap, cadre, other_cadre):
        perform(swap, "withdraw", cadre)

        with pytest.raises(TransitionRefused):
            perform(swap, "accept", other_cadre)
        assert DutyShift.objects.get(pk=swap.shift_id).person == cadre.person


def shift_url(shift, view="edit"):
    return reverse(f"wagtailsnippets_duty_dutyshift:{view}", args=[shift.pk])


def shift_form(shift, **changes):
    return {
        "roster": shift.roster_id,
        "person": shift.person_id,
        "date": shift.date.isoformat(),
        "starts": shift.starts.strftime("%H:%M"),
        "ends": shift.ends.strftime("%H:%M"),
        "place": shift.place,
        **changes,
    }


@pytest.mark.django_db
class TestAPublishedRosterIsFixed:
    @pytest.fixture
    def roster(self, cadre):
        return roster_with_shifts(this_month(), "张一", "李二", publish_by=cadre)

    @pytest.fixture
    def shift(self, roster):
        return roster.shifts.select_related("person").get(person__name="张一")

    def test_a_duty_cadre_cannot_edit_a_shift_of_a_published_roster(
        self, shift, cadre, other_cadre
    ):
        client = logged_in(cadre)

        response = client.post(shift_url(shift), shift_form(shift, person=other_cadre.person.pk))

        assert response.status_code == 302
        assert DutyShift.objects.get(pk=shift.pk).person.name == "张一"
        assert client.get(shift_url(shift)).status_code == 302
        assert [row.history_type for row in shift.history.all()] == ["+"]

    def test_nor_add_a_shift_to_it(self, roster, cadre, other_cadre):
        before = roster.shifts.count()

        response = logged_in(cadre).post(
            "/admin/snippets/duty/dutyshift/add/",
            {
                "roster": roster.pk,
                "person": other_cadre.person.pk,
                "date": this_month().replace(day=20).isoformat(),
                "starts": "17:30",
                "ends": "20:30",
                "place": "社区党群服务中心",
            },
        )

        assert response.status_code == 200
        assert roster.shifts.count() == before

    def test_a_draft_rosters_shift_is_edited_as_before(self, cadre, other_cadre):
        roster = roster_with_shifts(next_month(), "王三")
        shift = roster.shifts.get()

        response = logged_in(cadre).post(
            shift_url(shift), shift_form(shift, person=other_cadre.person.pk)
        )

        assert response.status_code == 302
        assert DutyShift.objects.get(pk=shift.pk).person == other_cadre.person

    def test_nor_edit_the_published_roster(self, roster, cadre):
        url = reverse("wagtailsnippets_duty_roster:edit", args=[roster.pk])

        response = logged_in(cadre).post(url, {"month": next_month().isoformat()})

        assert response.status_code == 302
        roster.refresh_from_db()
        assert roster.month == this_month()


@pytest.mark.django_db
class TestReassignment:
    @pytest.fixture
    def shift(self, cadre):
        roster = roster_with_shifts(this_month(), "张一", "李二", publish_by=cadre)
        return roster.shifts.select_related("person").get(person__name="张一")

    def test_a_roster_keeper_reassigns_with_a_reason(self, client, shift, cadre, other_cadre):
        before = shift.person
        response = logged_in(cadre).post(
            step_url(shift, "reassign"),
            {"person": other_cadre.person.pk, "reason": "张一外出培训"},
        )

        assert response.status_code == 302
        shift = DutyShift.objects.get(pk=shift.pk)
        assert (shift.person, shift.reassigned_from) == (other_cadre.person, before)
        latest = shift.history.latest()
        assert (latest.person_id, latest.history_user_id, latest.history_change_reason) == (
            other_cadre.person.pk,
            cadre.pk,
            "张一外出培训",
        )
        entry = AuditEntry.objects.get(
            content_type__model="dutyshift", object_id=str(shift.pk), detail="reassign"
        )
        assert (entry.username, entry.reason) == ("cadre", "张一外出培训")

        html = text(client.get("/duty/", headers=ENGLISH))
        assert ui("en", "reassigned from %(name)s", name="张一") in html
        assert other_cadre.person.name in html

    def test_the_listing_offers_the_reassignment_on_published_shifts(self, shift, cadre):
        html = logged_in(cadre).get("/admin/snippets/duty/dutyshift/").content.decode()
        assert step_url(shift, "reassign") in html

    def test_the_step_asks_for_the_cadre_and_the_reason(self, shift, cadre, other_cadre):
        html = logged_in(cadre).get(step_url(shift, "reassign")).content.decode()

        assert 'name="person"' in html
        assert 'name="reason"' in html
        # The shift's own cadre is not offered.
        assert f'value="{other_cadre.person.pk}"' in html
        assert f'value="{shift.person.pk}"' not in html

    def test_a_draft_rosters_shift_is_not_offered_the_reassignment(self, cadre):
        shift = roster_with_shifts(next_month(), "王三").shifts.get()
        html = logged_in(cadre).get("/admin/snippets/duty/dutyshift/").content.decode()
        assert step_url(shift, "reassign") not in html

    def test_a_reassignment_needs_its_reason(self, shift, cadre, other_cadre):
        response = logged_in(cadre).post(
            step_url(shift, "reassign"), {"person": other_cadre.person.pk, "reason": "  "}
        )

        assert response.status_code == 200
        assert DutyShift.objects.get(pk=shift.pk).person.name == "张一"

    @pytest.mark.parametrize(
        "group", [roles.SUPERVISORS, roles.EDITORS, roles.MODERATORS, roles.MEETING_CLERKS]
    )
    def test_nobody_else_reassigns(self, shift, other_cadre, make_user, group):
        response = logged_in(make_user(group)).post(
            step_url(shift, "reassign"), {"person": other_cadre.person.pk, "reason": "调整"}
        )

        assert_refused_in_admin(response)
        shift = DutyShift.objects.get(pk=shift.pk)
        assert shift.person.name == "张一"
        assert shift.reassigned_from is None

    def test_a_draft_rosters_shift_is_not_reassigned(self, cadre, other_cadre):
        shift = roster_with_shifts(next_month(), "王三").shifts.get()

        response = logged_in(cadre).post(
            step_url(shift, "reassign"),
            {"person": other_cadre.person.pk, "reason": "调整"},
            headers=ENGLISH,
            follow=True,
        )

        assert response.status_code == 200
        message = ui("en", "“%(object)s”: that step is not possible now.", object=str(shift))
        assert message in text(response)
        assert DutyShift.objects.get(pk=shift.pk).reassigned_from is None
