"""seed_demo's duty content: the eight posts with the people serving them, this month's
published roster (one shift reassigned), records in every state (some overdue, one
reopened), a submitted inspection, a swap waiting for the demo cadre and one withdrawn; and
on the residents' pages, no one's phone number."""

from html import unescape

from django.utils import timezone

from core.models import CommunitySettings
from duty.demo import POSTS, REASSIGNMENT_REASON
from duty.models import (
    DutyRecord,
    DutyRecordState,
    DutyShift,
    Inspection,
    InspectionState,
    Post,
    PostAssignment,
    Roster,
    RosterState,
    ServiceDay,
    ShiftSwap,
    ShiftSwapState,
)
from people.models import Person
from tests.demo.conftest import seed
from tests.support import ui


class TestSeedDemoDuty:
    def test_all_eight_posts_with_people_serving_them(self):
        assert list(Post.objects.values_list("name", flat=True)) == [name for name, *_ in POSTS]
        for post in Post.objects.all():
            current = PostAssignment.objects.current().filter(post=post)
            assert current.exists(), post.name
            for assignment in current:
                person = assignment.person
                assert person.is_cadre or person.is_party_member, person
                assert assignment.skill
        assert ServiceDay.objects.exists()

    def test_this_months_roster_is_published_with_its_shifts(self):
        month = timezone.localdate().replace(day=1)
        roster = Roster.objects.get(month=month)
        assert roster.state == RosterState.PUBLISHED
        assert roster.published_at is not None
        shifts = roster.shifts.all()
        assert shifts.count() >= 20
        assert all(shift.date.replace(day=1) == month for shift in shifts)
        assert all(shift.person.is_cadre for shift in shifts)
        # Next month's is still a draft: residents do not see it yet.
        assert Roster.objects.filter(month__gt=month, state=RosterState.DRAFT).exists()

    def test_the_public_roster_shows_this_month(self, client):
        shift = DutyShift.objects.filter(roster__state=RosterState.PUBLISHED).first()
        response = client.get("/duty/")
        assert response.status_code == 200
        assert shift.person.name in response.content.decode()

    def test_records_in_every_state_some_overdue(self):
        states = set(DutyRecord.objects.values_list("state", flat=True))
        assert states == set(DutyRecordState.values)
        overdue = DutyRecord.objects.overdue()
        assert overdue.filter(state=DutyRecordState.RECEIVED).exists()
        assert overdue.filter(state=DutyRecordState.IN_PROGRESS).exists()
        # ... and open ones still within their time.
        assert DutyRecord.objects.open().filter(due_at__gt=timezone.now()).exists()
        for record in DutyRecord.objects.filter(state=DutyRecordState.RESOLVED):
            assert record.answer and record.result and record.handled_by_id
        for record in DutyRecord.objects.filter(state=DutyRecordState.REFERRED):
            assert record.answer and record.handled_by_id
        assert all(record.history.exists() for record in DutyRecord.objects.all())

    def test_every_request_says_where_it_is_about(self):
        places = list(DutyRecord.objects.values_list("place", flat=True))
        assert places
        assert "" not in places
        assert len(set(places)) > 5

    def test_an_inspection_submitted_with_ratings_and_sampled_records(self):
        inspection = Inspection.objects.get(state=InspectionState.SUBMITTED)
        assert inspection.ratings.exists()
        sampled = inspection.sampled.all()
        assert sampled.exists()
        assert all(record.inspected for record in sampled)
        assert Inspection.objects.filter(state=InspectionState.DRAFT).exists()

    def test_an_inspection_acknowledged_by_the_cadre_it_rates(self):
        inspection = Inspection.objects.get(state=InspectionState.ACKNOWLEDGED)
        acknowledged = inspection.history.latest()
        assert acknowledged.history_user_id == inspection.ratings.get().cadre.user_id

    def test_a_swap_waits_for_the_demo_cadre(self):
        # The demo holds a withdrawn swap too (issue 11): the one waiting is found by state.
        swap = ShiftSwap.objects.get(state=ShiftSwapState.REQUESTED)
        assert swap.to_person.user.username == "cadre"
        assert swap.shift.person == swap.from_person

    def test_a_swap_the_demo_cadre_asked_and_withdrew(self):
        swap = ShiftSwap.objects.get(state=ShiftSwapState.WITHDRAWN)
        assert swap.from_person.user.username == "cadre"
        assert swap.shift.person == swap.from_person
        assert swap.history.latest().history_change_reason == "事情已解决，不用换班了。"

    def test_a_shift_of_the_published_roster_reassigned_with_its_reason(self, client):
        shift = DutyShift.objects.get(reassigned_from__isnull=False)
        assert shift.roster.state == RosterState.PUBLISHED
        assert shift.person != shift.reassigned_from
        assert shift.history.latest().history_change_reason == REASSIGNMENT_REASON
        response = client.get("/duty/", headers={"accept-language": "en"})
        note = ui("en", "reassigned from %(name)s", name=shift.reassigned_from.name)
        assert note in unescape(response.content.decode())

    def test_a_record_reopened_with_its_reason(self):
        reopened = [
            record
            for record in DutyRecord.objects.filter(state=DutyRecordState.IN_PROGRESS)
            if record.history.filter(history_change_reason__contains="重新办理").exists()
        ]
        assert reopened
        assert all(record.closed_at is None for record in reopened)

    def test_the_demo_cadre_and_supervisor_have_their_roles(self):
        cadre = Person.objects.get(user__username="cadre")
        assert cadre.is_cadre
        assert cadre.user.has_perm("duty.handle_record")

    def test_seeding_again_adds_no_duty_content(self):
        models = (Post, PostAssignment, Roster, DutyShift, DutyRecord, Inspection)
        before = [model.objects.count() for model in models]
        seed()
        after = [model.objects.count() for model in models]
        assert after == before


def test_no_personal_phone_number_on_the_residents_pages(client):
    """With the demo's people (all with phones) and requests: no page residents read shows
    a cadre's, a party member's or a resident's own number; the office's duty line shows."""
    personal = set(Person.objects.exclude(phone="").values_list("phone", flat=True))
    personal |= set(DutyRecord.objects.values_list("resident_contact", flat=True))
    on_duty = set(
        DutyShift.objects.filter(roster__state=RosterState.PUBLISHED).values_list(
            "person__phone", flat=True
        )
    )
    assert len(personal) > 40
    assert on_duty - {""}, "the demo's cadres on duty have phone numbers"

    pages = ["/duty/", "/duty/posts/", "/duty/request/"] + [
        f"/duty/request/{reference}/"
        for reference in DutyRecord.objects.values_list("reference", flat=True)
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        leaked = [phone for phone in personal if phone in html]
        assert leaked == [], f"{path} shows {leaked}"
        if path.startswith("/duty/request/") and path != "/duty/request/":
            # The request's own page: not even where it is about.
            record = DutyRecord.objects.get(reference=path.split("/")[-2])
            assert record.place
            assert unescape(record.place) not in unescape(html), path

    duty_phone = CommunitySettings.objects.get().duty_phone
    assert duty_phone
    assert duty_phone not in personal
    assert duty_phone in client.get("/duty/").content.decode()
