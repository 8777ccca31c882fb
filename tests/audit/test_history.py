"""History on every audited model: create, change, delete, restore and state transitions each
write a history row and an entry in the audit chain, with the user, the reason and the record.

Every model that declares ``AuditedHistory`` is tested here through its factory in
``FACTORIES``: a module that adds an audited model adds its factory, or
``test_every_audited_model_has_a_factory`` fails. ``TestEveryModelDeclaresHistory`` fails for
a new model of the project's own apps that keeps no history and is not exempted with a reason.
"""

import copy
import datetime
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from simple_history.models import HistoricalChanges

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.signals import pre_save
from django.test.utils import isolate_apps

from modelcluster.fields import ParentalKey
from wagtail.contrib.settings.models import BaseGenericSetting, BaseSiteSetting
from wagtail.models import Page

from appraisals.factories import AppraisalFactory
from audit.history import AuditedHistory, restore_from_history
from audit.models import Action, AuditEntry
from audit.registry import audited_models, history_model, is_audited
from buildings import factories as buildings_factories
from cobuilding import factories as cobuilding_factories
from core import changes, roles
from core.forms import ReasonForm
from duty import factories as duty_factories
from hearings.factories import DecisionCorrectionFactory
from home.models import StandardPage
from opinions.factories import OpinionFactory
from party.factories import (
    AttendanceFactory,
    FeedbackSheetFactory,
    MeetingFactory,
    PartyMemberFactory,
    ReportedActivityFactory,
)
from people.factories import PersonFactory, TalkFactory, TrainingFactory, UserFactory
from people.models import Person
from tests.support import kept_for_the_scope
from visits.factories import HouseholdFactory, PromiseFactory, VisitFactory
from volunteers import factories as volunteers_factories
from votes.factories import HallCountFactory, MotionFactory

from .support import entries_for, entry_for, history_rows

# Every audited model's factory, by model label. A module that declares AuditedHistory on a
# model adds its factory here.
FACTORIES = {
    "opinions.Opinion": OpinionFactory,
    "people.Person": PersonFactory,
    "people.Training": TrainingFactory,
    "people.Talk": TalkFactory,
    "votes.Motion": MotionFactory,
    "duty.Post": duty_factories.PostFactory,
    "duty.PostAssignment": duty_factories.PostAssignmentFactory,
    "duty.ServiceDay": duty_factories.ServiceDayFactory,
    "duty.Roster": duty_factories.RosterFactory,
    "duty.DutyShift": duty_factories.DutyShiftFactory,
    "duty.ShiftSwap": duty_factories.ShiftSwapFactory,
    "duty.DutyRecord": duty_factories.DutyRecordFactory,
    "duty.Inspection": duty_factories.InspectionFactory,
    "duty.InspectionRating": duty_factories.InspectionRatingFactory,
    "hearings.DecisionCorrection": DecisionCorrectionFactory,
    "votes.HallCount": HallCountFactory,
    "party.PartyMember": PartyMemberFactory,
    "party.Meeting": MeetingFactory,
    "party.Attendance": AttendanceFactory,
    "party.ReportedActivity": ReportedActivityFactory,
    "party.FeedbackSheet": FeedbackSheetFactory,
    "appraisals.Appraisal": AppraisalFactory,
    "buildings.Category": buildings_factories.CategoryFactory,
    "buildings.Standard": buildings_factories.StandardFactory,
    "buildings.Building": buildings_factories.BuildingFactory,
    "buildings.Assessment": buildings_factories.AssessmentFactory,
    "buildings.Score": buildings_factories.ScoreFactory,
    "buildings.Title": buildings_factories.TitleFactory,
    "buildings.Project": buildings_factories.ProjectFactory,
    "cobuilding.Partner": cobuilding_factories.PartnerFactory,
    "cobuilding.Agreement": cobuilding_factories.AgreementFactory,
    "cobuilding.JointActivity": cobuilding_factories.JointActivityFactory,
    "cobuilding.NewOrganisation": cobuilding_factories.NewOrganisationFactory,
    "cobuilding.GuidanceVisit": cobuilding_factories.GuidanceVisitFactory,
    "visits.Household": HouseholdFactory,
    "visits.Visit": VisitFactory,
    "visits.Promise": PromiseFactory,
    "volunteers.Team": volunteers_factories.TeamFactory,
    "volunteers.VolunteerActivity": volunteers_factories.VolunteerActivityFactory,
    "volunteers.Participation": volunteers_factories.ParticipationFactory,
    "volunteers.PledgeCard": volunteers_factories.PledgeCardFactory,
}

# Which field a "change" alters, for models whose first plain text field will not do.
CHANGES = {
    "duty.Roster": {"published_at": datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)},
    "votes.HallCount": {"ballots": 1},
    "buildings.Category": {"sort_order": 9},
    "buildings.Building": {"units": 7},
    "buildings.Title": {"kind": "demonstration"},
    "volunteers.Participation": {"hours": Decimal("3.5")},
}

AUDITED = audited_models()


def label(model):
    return model._meta.label


def factory_for(model):
    try:
        return FACTORIES[label(model)]
    except KeyError:
        pytest.fail(f"{label(model)} is audited but has no factory in FACTORIES")


@contextmanager
def recorded_as(model, *, user=None, reason=None):
    """Saves of ``model`` in this block are made by ``user`` for ``reason``.

    Sets ``_history_user`` and ``_change_reason`` on each instance before it is saved, as a
    form or a service does, so that it also works for factories that build related records
    or save again after post-generation.
    """

    def label_instance(sender, instance, **kwargs):
        if user is not None:
            instance._history_user = user
        if reason is not None:
            instance._change_reason = reason

    pre_save.connect(label_instance, sender=model, weak=False)
    try:
        yield
    finally:
        pre_save.disconnect(label_instance, sender=model)


def create(model, user=None, reason=None):
    with recorded_as(model, user=user, reason=reason):
        return factory_for(model)()


def forget_labels(instance):
    """A fresh save of ``instance`` names no user and no reason unless it is given them."""
    for name in ("_history_user", "_change_reason"):
        instance.__dict__.pop(name, None)


def text_field_to_change(model):
    """The first plain text field of the model: the one a "change" in these tests alters."""
    for field in model._meta.concrete_fields:
        if (
            type(field) in (models.CharField, models.TextField)
            and field.editable
            and not field.primary_key
            and not field.unique
            and not field.choices
        ):
            return field
    pytest.fail(f"{label(model)}: no plain text field to change; add it to CHANGES")


def change(instance, user=None, reason=None):
    """Change one field of ``instance`` and save it; return the changed fields' new values."""
    model = type(instance)
    changes = CHANGES.get(label(model))
    if changes is None:
        field = text_field_to_change(model)
        old = getattr(instance, field.attname) or ""
        new = f"{old}（改）"
        if field.max_length:
            new = new[-field.max_length :]
        changes = {field.attname: new}
    for name, value in changes.items():
        setattr(instance, name, value)
    forget_labels(instance)
    if user is not None:
        instance._history_user = user
    if reason is not None:
        instance._change_reason = reason
    instance.save()
    return changes


def delete(instance, user=None, reason=None):
    pk = instance.pk
    forget_labels(instance)
    if user is not None:
        instance._history_user = user
    if reason is not None:
        instance._change_reason = reason
    instance.delete()
    # Django clears the primary key of a deleted instance.
    instance.pk = pk


def restore(model, pk, user, reason):
    """What the history centre's restore does: save the last history row's values again."""
    last = (
        history_model(model)
        ._base_manager.filter(**{model._meta.pk.attname: pk})
        .latest("history_id")
    )
    assert last.history_type == "-"
    # The user comes from the request in the history centre.
    with recorded_as(model, user=user):
        return restore_from_history(last, reason)


def values(instance):
    return {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if not getattr(field, "auto_now", False)
    }


def assert_entry(entry, *, action, user, reason, instance, detail=""):
    assert entry.action == action
    assert entry.detail == detail
    assert entry.user_id == (user.pk if user else None)
    assert entry.username == (user.get_username() if user else "")
    assert entry.reason == (reason or "")
    assert entry.content_type == ContentType.objects.get_for_model(type(instance))
    assert entry.object_id == str(instance.pk)
    assert entry.object_repr == str(instance)[:255]


# Class-scoped, so that the tests of a class run model by model and each model's records are
# built once for the class (``TestEveryAuditedModel.kept``).
@pytest.fixture(scope="class", params=AUDITED, ids=label)
def model(request):
    return request.param


@dataclass(frozen=True)
class Kept:
    """What one model's tests share: the users who record, and two records made as
    ``create(model)`` makes them (no user, no reason)."""

    user: object
    superuser: object
    records: tuple


@pytest.fixture(scope="class")
def kept(model, django_db_setup, django_db_blocker):
    """The users and records of one model, built once for a class's tests of that model (as
    ``setUpTestData`` does): each test runs in a savepoint, so that what it changes is gone
    before the next one."""

    def build():
        return Kept(
            user=UserFactory(groups=[roles.MEETING_CLERKS], username="recorder"),
            superuser=UserFactory(username="admin", is_superuser=True, is_staff=True),
            records=(create(model), create(model)),
        )

    yield from kept_for_the_scope(django_db_blocker, build)


def test_audited_models_are_found_through_their_history_declaration():
    assert Person in AUDITED
    assert all(is_audited(model) for model in AUDITED)
    assert all(issubclass(history_model(model), HistoricalChanges) for model in AUDITED)


def test_every_audited_model_has_a_factory():
    missing = [label(model) for model in AUDITED if label(model) not in FACTORIES]
    assert not missing, (
        f"audited models without a factory in tests/audit/test_history.py FACTORIES: {missing}"
    )


def test_factories_name_only_audited_models():
    assert set(FACTORIES) <= {label(model) for model in AUDITED}
    for name, factory in FACTORIES.items():
        assert factory._meta.model._meta.label == name


@pytest.mark.django_db
class TestEveryAuditedModel:
    @pytest.fixture
    def user(self, kept):
        return kept.user

    @pytest.fixture
    def superuser(self, kept):
        return kept.superuser

    @pytest.fixture
    def instances(self, kept, db):
        """Two records of the model, each as ``create(model)`` left it; a copy for each test
        (as ``setUpTestData``'s attributes are), so that no test sees another's changes."""
        return copy.deepcopy(kept.records)

    @pytest.fixture
    def instance(self, instances):
        return instances[0]

    def test_create(self, model, user):
        instance = create(model, user=user, reason="登记新记录")
        row = history_rows(instance).first()
        assert row.history_type == "+"
        assert row.history_user_id == user.pk
        assert row.history_change_reason == "登记新记录"
        assert_entry(
            entry_for(row),
            action=Action.CREATED,
            user=user,
            reason="登记新记录",
            instance=instance,
        )

    def test_change(self, model, instance, user):
        changes = change(instance, user=user, reason="更正信息")
        row = history_rows(instance).last()
        assert row.history_type == "~"
        assert row.history_user_id == user.pk
        assert row.history_change_reason == "更正信息"
        for name, value in changes.items():
            assert getattr(row, name) == value
        assert_entry(
            entry_for(row), action=Action.CHANGED, user=user, reason="更正信息", instance=instance
        )

    def test_change_without_user_or_reason(self, model, instance):
        change(instance)
        entry = entry_for(history_rows(instance).last())
        assert_entry(entry, action=Action.CHANGED, user=None, reason="", instance=instance)

    def test_delete(self, model, instance, user):
        repr_before = str(instance)
        delete(instance, user=user, reason="迁出本社区")
        assert not model._base_manager.filter(pk=instance.pk).exists()
        row = history_rows(instance).last()
        assert row.history_type == "-"
        assert row.history_user_id == user.pk
        assert row.history_change_reason == "迁出本社区"
        entry = entry_for(row)
        assert_entry(
            entry, action=Action.DELETED, user=user, reason="迁出本社区", instance=instance
        )
        # The deleted record stays readable in history.
        assert entry.object_repr == repr_before
        assert str(row.instance) == repr_before

    def test_restore(self, model, instance, user, superuser):
        change(instance)
        pk = instance.pk
        delete(instance, user=user)
        restored = restore(model, pk, superuser, "误删恢复")
        assert restored.pk == pk
        # The record is back as it was, its creation time included; only a time kept
        # with auto_now moves to the restore.
        stored = model._base_manager.get(pk=pk)
        assert values(stored) == values(instance)
        row = history_rows(restored).last()
        assert row.history_user_id == superuser.pk
        assert row.history_change_reason == "误删恢复"
        assert_entry(
            entry_for(row),
            action=Action.RESTORED,
            user=superuser,
            reason="误删恢复",
            instance=restored,
        )
        # The restore's label and reason belong to the restore alone.
        restored._history_user = user
        restored.save()
        assert_entry(
            entry_for(history_rows(restored).last()),
            action=Action.CHANGED,
            user=user,
            reason="",
            instance=restored,
        )

    def test_a_restore_label_marks_the_row(self, model, instance, user):
        instance._history_user = user
        with changes.recorded_as(instance, action="restored", reason="按历史恢复"):
            instance.save()
        assert_entry(
            entry_for(history_rows(instance).last()),
            action=Action.RESTORED,
            user=user,
            reason="按历史恢复",
            instance=instance,
        )

    def test_every_history_row_has_exactly_one_entry(self, model, user, instance):
        change(instance, user=user)
        change(instance, user=user)
        pk = instance.pk
        delete(instance, user=user)
        restore(model, pk, user, "恢复")
        rows = list(history_rows(instance))
        entries = list(entries_for(instance))
        # The restore is a change from the deleted state.
        assert [row.history_type for row in rows] == ["+", "~", "~", "-", "~"]
        assert [entry.action for entry in entries] == [
            Action.CREATED,
            Action.CHANGED,
            Action.CHANGED,
            Action.DELETED,
            Action.RESTORED,
        ]
        assert [entry.source_id for entry in entries] == [row.pk for row in rows]

    def test_a_transition_labels_the_next_row_only(self, model, instance, user):
        instance._history_user = user
        with changes.recorded_as(
            instance, action="transition", detail="approve", reason="居民会议通过"
        ):
            instance.save()
            # A second save in the same block is a plain change: the label was spent.
            instance.save()
        transition_entry, second_entry = (
            entry_for(row) for row in list(history_rows(instance))[-2:]
        )
        assert (second_entry.action, second_entry.detail, second_entry.reason) == (
            Action.CHANGED,
            "",
            "",
        )
        assert history_rows(instance).last().history_change_reason is None
        assert transition_entry.action == Action.TRANSITION
        assert transition_entry.detail == "approve"
        assert transition_entry.reason == "居民会议通过"
        assert transition_entry.user_id == user.pk

        instance.save()
        next_entry = entry_for(history_rows(instance).last())
        assert next_entry.action == Action.CHANGED
        assert next_entry.detail == ""
        # The transition's reason belonged to the transition.
        assert next_entry.reason == ""

    def test_a_transition_without_a_reason_keeps_the_one_given(self, model, instance):
        instance._change_reason = "按程序办理"
        with changes.recorded_as(instance, action="transition", detail="close"):
            instance.save()
        entry = entry_for(history_rows(instance).last())
        assert (entry.action, entry.detail, entry.reason) == (
            Action.TRANSITION,
            "close",
            "按程序办理",
        )

    def test_a_transition_label_on_one_instance_does_not_touch_another(self, model, instances):
        first, second = instances
        with changes.recorded_as(first, action="transition", detail="approve", reason="只对这一条"):
            second.save()
            first.save()
        assert entry_for(history_rows(second).last()).reason == ""
        assert entry_for(history_rows(second).last()).action == Action.CHANGED
        assert entry_for(history_rows(first).last()).action == Action.TRANSITION


@pytest.mark.django_db
class TestThroughTheAdmin:
    """The request's user is recorded by HistoryRequestMiddleware, once per change."""

    def test_an_edit_records_the_request_user_once(self, client, clerk):
        person = PersonFactory(name="张秀英", building="3号楼", unit="2单元")
        client.force_login(clerk)
        data = person_form(person, unit="4单元")
        response = client.post(f"/admin/snippets/people/person/edit/{person.pk}/", data)
        assert response.status_code == 302
        entry = entries_for(person).last()
        assert_entry(entry, action=Action.CHANGED, user=clerk, reason="", instance=person)
        # Wagtail's own log entry for the edit is not chained a second time.
        assert entries_for(person).count() == history_rows(person).count() == 2

    @pytest.mark.parametrize(
        "model",
        [model for model in AUDITED if getattr(model, "snippet_viewset", None)],
        ids=label,
    )
    def test_a_delete_records_the_request_user(self, client, superuser, model):
        instance = factory_for(model)()
        client.force_login(superuser)
        url_name = model.snippet_viewset.get_url_name("delete")
        from django.urls import reverse

        response = client.post(reverse(url_name, args=[instance.pk]))
        assert response.status_code == 302
        assert not model._base_manager.filter(pk=instance.pk).exists()
        entry = entries_for(instance).last()
        assert_entry(entry, action=Action.DELETED, user=superuser, reason="", instance=instance)


def person_form(person, **changes):
    """What the Person edit form posts, unchanged unless ``changes`` say otherwise."""
    data = {
        "name": person.name,
        "is_representative": "on",
        "building": person.building,
        "unit": person.unit,
        "phone": person.phone,
        "user": "",
        "is_active": "on",
        "notes": person.notes,
        "change_reason": "",
    }
    data.update(changes)
    return data


@pytest.mark.django_db
class TestReasonAskedByTheForm:
    """Forms where a change matters ask for an optional reason (``core.forms.ReasonForm``)."""

    def test_the_history_holds_every_reason_the_form_accepts(self, model):
        form_limit = ReasonForm.base_fields["change_reason"].max_length
        field = history_model(model)._meta.get_field("history_change_reason")
        assert field.max_length is None or form_limit <= field.max_length

    def test_a_reason_given_in_the_admin_is_kept(self, client, clerk):
        person = PersonFactory(building="3号楼", unit="2单元")
        client.force_login(clerk)
        response = client.post(
            f"/admin/snippets/people/person/edit/{person.pk}/",
            person_form(person, unit="4单元", change_reason="  核对门牌后更正  "),
        )
        assert response.status_code == 302
        entry = entries_for(person).last()
        assert_entry(
            entry, action=Action.CHANGED, user=clerk, reason="核对门牌后更正", instance=person
        )
        assert history_rows(person).last().history_change_reason == "核对门牌后更正"

    def test_the_longest_reason_the_form_accepts_is_kept_whole(self, client, clerk):
        person = PersonFactory()
        longest = "理" * ReasonForm.base_fields["change_reason"].max_length
        client.force_login(clerk)
        response = client.post(
            f"/admin/snippets/people/person/edit/{person.pk}/",
            person_form(person, notes="已回访", change_reason=longest),
        )
        assert response.status_code == 302
        assert entries_for(person).last().reason == longest
        assert history_rows(person).last().history_change_reason == longest

    def test_a_longer_reason_is_refused_by_the_form_and_changes_nothing(self, client, clerk):
        person = PersonFactory(notes="")
        too_long = "理" * (ReasonForm.base_fields["change_reason"].max_length + 1)
        client.force_login(clerk)
        response = client.post(
            f"/admin/snippets/people/person/edit/{person.pk}/",
            person_form(person, notes="已回访", change_reason=too_long),
        )
        assert response.status_code == 200
        assert response.context["form"].errors["change_reason"]
        person.refresh_from_db()
        assert person.notes == ""
        assert history_rows(person).count() == entries_for(person).count() == 1

    def test_no_reason_leaves_the_reason_empty(self, client, clerk):
        person = PersonFactory()
        client.force_login(clerk)
        response = client.post(
            f"/admin/snippets/people/person/edit/{person.pk}/", person_form(person, notes="无")
        )
        assert response.status_code == 302
        assert entries_for(person).last().reason == ""


# Models of the project's own apps that keep no history of their own, each with the reason.
EXEMPT = {
    "audit.AuditEntry": "the audit chain itself: append-only, tamper-evident by its hashes",
    "audit.ChainLock": "a lock row serialising writers of the chain; holds no data",
    "audit.Seal": "part of the audit chain: append-only, each seal has its own chain entry",
    "votes.MotionOption": "part of its motion, edited only while the motion is a draft",
    "votes.RollEntry": "written once when the vote opens and never changed",
    "votes.BallotReceipt": "append-only (code and PostgreSQL triggers); cast once, never changed",
    "votes.Ballot": "append-only; history would tie a secret choice to the user who cast it",
}


def project_app_configs():
    """The app configs whose code lives in this project (not in the virtualenv)."""
    base = Path(settings.BASE_DIR).resolve()
    installed = {Path(prefix).resolve() for prefix in (sys.prefix, sys.base_prefix)}
    found = []
    for app_config in apps.get_app_configs():
        path = Path(app_config.path).resolve()
        if not path.is_relative_to(base) or "site-packages" in path.parts:
            continue
        if any(path.is_relative_to(prefix) for prefix in installed):
            continue
        found.append(app_config)
    return found


def why_without_history(model):
    """Why ``model`` may keep no history of its own, or None when nothing excuses it."""
    if is_audited(model):
        return "audited"
    if issubclass(model, HistoricalChanges):
        return "a history model"
    if issubclass(model, Page):
        return "a page: Wagtail's revisions and log record it"
    if any(
        isinstance(field, ParentalKey) and issubclass(field.related_model, Page)
        for field in model._meta.concrete_fields
    ):
        return "part of a page (a ParentalKey): saved in the page's revisions"
    if issubclass(model, BaseSiteSetting | BaseGenericSetting):
        return "a Wagtail setting"
    return EXEMPT.get(label(model))


def unaccounted(models_to_check):
    return [label(model) for model in models_to_check if why_without_history(model) is None]


class TestEveryModelDeclaresHistory:
    def test_the_project_apps_are_found(self):
        names = {app_config.name for app_config in project_app_configs()}
        assert {"core", "home", "people", "audit"} <= names
        assert not names & {"wagtail", "simple_history", "django.contrib.auth"}

    def test_every_model_of_the_project_keeps_history_or_is_exempt_with_a_reason(self):
        project_models = [
            model for app_config in project_app_configs() for model in app_config.get_models()
        ]
        assert Person in project_models
        missing = unaccounted(project_models)
        assert not missing, (
            f"{missing} keep no history: declare `history = AuditedHistory(...)` "
            "(audit.history), or add them to EXEMPT in tests/audit/test_history.py with a reason"
        )

    def test_exemptions_name_existing_models(self):
        for name, reason in EXEMPT.items():
            assert apps.get_model(name)
            assert reason

    def test_the_kinds_accounted_for(self):
        assert why_without_history(Person) == "audited"
        assert why_without_history(history_model(Person)) == "a history model"
        assert why_without_history(StandardPage).startswith("a page")
        assert why_without_history(apps.get_model("core.CommunitySettings")) == (
            "a Wagtail setting"
        )
        assert why_without_history(AuditEntry) == EXEMPT["audit.AuditEntry"]

    @isolate_apps("people")
    def test_a_new_model_with_personal_data_and_no_history_fails(self):
        class Resident(models.Model):  # noqa: DJ008
            name = models.CharField(max_length=100)
            phone = models.CharField(max_length=20)

            class Meta:
                app_label = "people"

        class Decision(models.Model):  # noqa: DJ008
            motion = models.CharField(max_length=200)
            outcome = models.CharField(max_length=20)

            class Meta:
                app_label = "people"

        assert unaccounted([Person, Resident, Decision]) == ["people.Resident", "people.Decision"]

    @isolate_apps("home")
    def test_a_part_of_a_page_is_recorded_with_the_page(self):
        class Related(models.Model):  # noqa: DJ008
            page = ParentalKey(StandardPage, on_delete=models.CASCADE, related_name="+")
            link = models.URLField()

            class Meta:
                app_label = "home"

        class Loose(models.Model):  # noqa: DJ008
            page = models.ForeignKey(StandardPage, on_delete=models.CASCADE, related_name="+")
            phone = models.CharField(max_length=20)

            class Meta:
                app_label = "home"

        assert why_without_history(Related).startswith("part of a page")
        # A plain foreign key to a page is not saved in the page's revisions.
        assert unaccounted([Related, Loose]) == ["home.Loose"]

    def test_a_model_declaring_audited_history_passes(self):
        assert isinstance(Person._audited_history, AuditedHistory)
        assert unaccounted([Person]) == []
