"""Who may do what: the one table of roles.

Each role is a Django group. The table is authoritative: ``apply_roles`` (run after every
``migrate``) gives each group exactly the permissions written here, so a fresh database has
them and a hand-made change in the admin does not drift away from the code unnoticed.
Administrators are superusers and are not in the table. Every module that adds models adds
its permissions here, next to the roles that need them.
"""

from dataclasses import dataclass, field

from django.apps import apps as global_apps
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

EDITORS = "Editors"
MODERATORS = "Moderators"
MEETING_CLERKS = "Meeting clerks"
DUTY_CADRES = "Duty cadres"
SUPERVISORS = "Supervisors"
REPRESENTATIVES = "Representatives"
PARTY_OFFICE = "Party affairs office"

ACCESS_ADMIN = "wagtailadmin.access_admin"

# The page permissions that let a role write pages and send them for moderation...
PAGE_WRITE = ("add", "change", "lock", "unlock")
# ...and those that let it publish them.
PAGE_PUBLISH = (*PAGE_WRITE, "publish")

MEDIA_WRITE = (
    "wagtailimages.add_image",
    "wagtailimages.change_image",
    "wagtailimages.choose_image",
    "wagtaildocs.add_document",
    "wagtaildocs.change_document",
    "wagtaildocs.choose_document",
)


@dataclass(frozen=True)
class Role:
    name: str
    description: str
    # Model permissions, as "app_label.codename".
    permissions: tuple[str, ...] = ()
    # Page permissions over the whole tree (granted on the root page).
    page_permissions: tuple[str, ...] = ()
    # Image and document permissions over every collection (granted on the root collection).
    collection_permissions: tuple[str, ...] = field(default=())

    @property
    def uses_admin(self):
        return ACCESS_ADMIN in self.permissions


ROLES = (
    Role(
        EDITORS,
        _("Write pages and submit them for moderation."),
        permissions=(ACCESS_ADMIN,),
        page_permissions=PAGE_WRITE,
        collection_permissions=MEDIA_WRITE,
    ),
    Role(
        MODERATORS,
        _("Approve or reject pages in moderation; moderate residents' opinions."),
        permissions=(
            ACCESS_ADMIN,
            "opinions.view_opinion",
            # Records the committee's response and the public reason (opinions.wagtail_hooks).
            "opinions.change_opinion",
            "opinions.moderate_opinion",
            "opinions.promote_opinion",
            "opinions.view_opinion_contact",
            "hearings.publish_decision",
        ),
        page_permissions=PAGE_PUBLISH,
        collection_permissions=MEDIA_WRITE,
    ),
    Role(
        MEETING_CLERKS,
        _("Keep the register of representatives and run the meetings' votes."),
        permissions=(
            ACCESS_ADMIN,
            "people.view_person",
            "people.view_person_contact",
            "people.add_person",
            "people.change_person",
            "votes.view_motion",
            "votes.add_motion",
            "votes.change_motion",
            "votes.run_motion",
        ),
    ),
    Role(
        DUTY_CADRES,
        _("Keep the duty roster and the duty record book; handle residents' requests."),
        permissions=(
            ACCESS_ADMIN,
            # The register's names, to pick a cadre; never its addresses and phones
            # ("people.view_person_contact"), a party member's least of all.
            "people.view_person",
            "duty.view_dutyrecord",
            "duty.add_dutyrecord",
            "duty.change_dutyrecord",
            "duty.handle_record",
            "duty.view_resident_contact",
            "duty.view_roster",
            "duty.add_roster",
            "duty.change_roster",
            "duty.publish_roster",
            "duty.view_dutyshift",
            "duty.add_dutyshift",
            "duty.change_dutyshift",
            "duty.view_shiftswap",
            "duty.add_shiftswap",
            "duty.view_post",
            "duty.view_postassignment",
            "duty.add_postassignment",
            "duty.change_postassignment",
            "duty.view_serviceday",
            "duty.add_serviceday",
            "duty.change_serviceday",
            "duty.view_inspection",
            "duty.view_inspectionrating",
            "duty.acknowledge_inspection",
            # Key households, their visits and the promises made (visits.wagtail_hooks).
            "visits.view_household",
            "visits.add_household",
            "visits.change_household",
            "visits.view_visit",
            "visits.add_visit",
            "visits.change_visit",
            "visits.view_promise",
            "visits.add_promise",
            "visits.change_promise",
            "visits.record_promise",
            "visits.hand_on_promise",
            # Volunteer service: they keep the posts' service days, the other half of the
            # "donate one day" count, so they read the teams and activities, record who took
            # part (the activity's form) and read the service days (volunteers.wagtail_hooks).
            "volunteers.view_team",
            "volunteers.view_volunteeractivity",
            "volunteers.change_volunteeractivity",
            "volunteers.view_participation",
        ),
    ),
    Role(
        SUPERVISORS,
        _("Read every record and its history; change nothing but their own inspections."),
        permissions=(
            ACCESS_ADMIN,
            "people.view_person",
            "people.view_person_contact",
            "people.view_training",
            "people.view_talk",
            "party.view_partymember",
            "party.view_meeting",
            "party.view_attendance",
            "party.view_reportedactivity",
            "party.view_feedbacksheet",
            "appraisals.view_appraisal",
            "cobuilding.view_partner",
            "cobuilding.view_agreement",
            "cobuilding.view_jointactivity",
            "cobuilding.view_neworganisation",
            "cobuilding.view_guidancevisit",
            "opinions.view_opinion",
            "votes.view_motion",
            "duty.view_dutyrecord",
            "duty.view_resident_contact",
            "duty.view_roster",
            "duty.view_dutyshift",
            "duty.view_shiftswap",
            "duty.view_post",
            "duty.view_postassignment",
            "duty.view_serviceday",
            # The supervisors' own record: their inspections of the duty record book.
            "duty.view_inspection",
            "duty.add_inspection",
            "duty.change_inspection",
            "duty.inspect_record_book",
            "duty.view_inspectionrating",
            "duty.add_inspectionrating",
            "duty.change_inspectionrating",
            "buildings.view_category",
            "buildings.view_standard",
            "buildings.view_building",
            "buildings.view_assessment",
            "buildings.view_score",
            "buildings.view_title",
            "buildings.view_project",
            "visits.view_household",
            "visits.view_visit",
            "visits.view_promise",
            "volunteers.view_team",
            "volunteers.view_volunteeractivity",
            "volunteers.view_participation",
            "volunteers.view_pledgecard",
            "audit.view_auditentry",
        ),
    ),
    Role(
        PARTY_OFFICE,
        _("Keep the cadres' training and talks and follow their compliance; keep party records."),
        permissions=(
            ACCESS_ADMIN,
            "people.view_person",
            "people.view_person_contact",
            "people.add_person",
            "people.change_person",
            "people.view_training",
            "people.add_training",
            "people.change_training",
            "people.view_talk",
            "people.add_talk",
            "people.change_talk",
            "people.close_follow_up",
            # The party members, their rosters and contact cards (party.wagtail_hooks).
            "party.view_partymember",
            "party.add_partymember",
            "party.change_partymember",
            "party.transfer_partymember",
            # Organisation life: meetings and their roll, reported activities, feedback
            # sheets (party.viewsets). Attendance changes only through a meeting's roll.
            "party.view_meeting",
            "party.add_meeting",
            "party.change_meeting",
            "party.take_roll",
            "party.correct_roll",
            "party.view_attendance",
            "party.view_reportedactivity",
            "party.add_reportedactivity",
            "party.change_reportedactivity",
            "party.view_feedbacksheet",
            "party.add_feedbacksheet",
            "party.change_feedbacksheet",
            "party.send_feedbacksheet",
            # The year-end appraisals and the committee's decisions (appraisals.wagtail_hooks).
            "appraisals.view_appraisal",
            "appraisals.add_appraisal",
            "appraisals.change_appraisal",
            "appraisals.record_appraisal",
            "appraisals.decide_appraisal",
            # Characteristic creation (特色创建): categories, standards, buildings, their
            # assessments (scores written only through the step "Enter the scores"), titles
            # and projects (buildings.wagtail_hooks).
            "buildings.view_category",
            "buildings.add_category",
            "buildings.change_category",
            "buildings.view_standard",
            "buildings.add_standard",
            "buildings.change_standard",
            "buildings.view_building",
            "buildings.add_building",
            "buildings.change_building",
            "buildings.view_assessment",
            "buildings.add_assessment",
            "buildings.change_assessment",
            "buildings.assess_building",
            "buildings.confirm_assessment",
            "buildings.view_score",
            "buildings.view_title",
            "buildings.add_title",
            "buildings.change_title",
            "buildings.withdraw_title",
            "buildings.view_project",
            "buildings.add_project",
            "buildings.change_project",
            # Key households, their visits and the promises made (visits.wagtail_hooks).
            "visits.view_household",
            "visits.add_household",
            "visits.change_household",
            "visits.view_visit",
            "visits.add_visit",
            "visits.change_visit",
            "visits.view_promise",
            "visits.add_promise",
            "visits.change_promise",
            "visits.record_promise",
            "visits.hand_on_promise",
            # Co-building (共驻共建): partner units, agreements, joint activities, the new
            # organisations and their guidance visits (cobuilding.wagtail_hooks).
            "cobuilding.view_partner",
            "cobuilding.add_partner",
            "cobuilding.change_partner",
            "cobuilding.view_agreement",
            "cobuilding.add_agreement",
            "cobuilding.change_agreement",
            "cobuilding.end_agreement",
            "cobuilding.view_jointactivity",
            "cobuilding.add_jointactivity",
            "cobuilding.change_jointactivity",
            "cobuilding.publish_jointactivity",
            "cobuilding.view_neworganisation",
            "cobuilding.add_neworganisation",
            "cobuilding.change_neworganisation",
            "cobuilding.view_guidancevisit",
            "cobuilding.add_guidancevisit",
            "cobuilding.change_guidancevisit",
            # Volunteer service (志愿服务): teams, activities with their participants, the
            # "five ones" pledge cards and their steps, the service days (volunteers.wagtail_hooks).
            "volunteers.view_team",
            "volunteers.add_team",
            "volunteers.change_team",
            "volunteers.view_volunteeractivity",
            "volunteers.add_volunteeractivity",
            "volunteers.change_volunteeractivity",
            "volunteers.view_participation",
            "volunteers.view_pledgecard",
            "volunteers.add_pledgecard",
            "volunteers.change_pledgecard",
            "volunteers.record_pledgecard",
            "volunteers.fulfil_pledgecard",
        ),
    ),
    Role(
        REPRESENTATIVES,
        _("Vote on the public site; no access to the admin."),
    ),
)

ROLES_BY_NAME = {role.name: role for role in ROLES}

# The page moderation workflow: editors submit, moderators approve, on every page type. Its
# name is data that Wagtail shows as it is stored ("Submit to <name>"), so it is stored in the
# site's language (``moderation_workflow_name``); the name it had before is renamed.
MODERATION_WORKFLOW = pgettext_lazy("page moderation workflow", "Review")
FORMER_WORKFLOW_NAMES = ("Moderators approval",)


def moderation_workflow_name():
    """The workflow's (and its one task's) name, in the site's language: 审核 in Chinese, so
    that Wagtail's button reads 提交审核."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(MODERATION_WORKFLOW)


def _permissions(names):
    """Permission objects for "app_label.codename" strings; an unknown name is an error."""
    found = []
    for name in names:
        app_label, codename = name.split(".", 1)
        try:
            found.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        except Permission.DoesNotExist as error:
            raise LookupError(f"core.roles names an unknown permission: {name}") from error
    return found


def _page_permissions(types):
    return _permissions(f"wagtailcore.{kind}_page" for kind in types)


@transaction.atomic
def apply_roles():
    """Make every group in the table hold exactly the table's permissions."""
    from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

    root_page = Page.get_first_root_node()
    root_collection = Collection.get_first_root_node()
    for role in ROLES:
        group, _created = Group.objects.get_or_create(name=role.name)
        group.permissions.set(_permissions(role.permissions))

        if root_page is not None:
            wanted = _page_permissions(role.page_permissions)
            GroupPagePermission.objects.filter(group=group).exclude(
                page=root_page, permission__in=wanted
            ).delete()
            for permission in wanted:
                GroupPagePermission.objects.get_or_create(
                    group=group, page=root_page, permission=permission
                )

        if root_collection is not None:
            wanted = _permissions(role.collection_permissions)
            GroupCollectionPermission.objects.filter(group=group).exclude(
                collection=root_collection, permission__in=wanted
            ).delete()
            for permission in wanted:
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=root_collection, permission=permission
                )

    if root_page is not None:
        ensure_moderation_workflow(root_page)


def ensure_moderation_workflow(root_page):
    """Assign the moderators' approval workflow to the whole page tree."""
    from wagtail.models import GroupApprovalTask, Workflow, WorkflowPage, WorkflowTask

    name = moderation_workflow_name()
    workflow = (
        Workflow.objects.filter(name=name).first()
        or Workflow.objects.filter(name__in=FORMER_WORKFLOW_NAMES).first()
        or Workflow(name=name)
    )
    if workflow.pk is None or not workflow.active or workflow.name != name:
        workflow.name, workflow.active = name, True
        workflow.save()
    task = GroupApprovalTask.objects.filter(workflow_tasks__workflow=workflow).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=name)
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    elif task.name != name:
        task.name = name
        task.save(update_fields=["name"])
    task.groups.set([Group.objects.get(name=MODERATORS)])
    WorkflowPage.objects.update_or_create(page=root_page, defaults={"workflow": workflow})


def apply_roles_after_migrate(sender, apps=global_apps, using="default", verbosity=1, **kwargs):
    # Permissions of every app must exist before the table can point at them.
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    apply_roles()
