"""Who may open what: the access matrix, as data.

Every URL pattern the site and Wagtail expose is matched here by a rule; a rule says, for each
role, what a request gets. ``tests/security/test_access_matrix.py`` walks Django's resolver
and fails for a pattern no rule matches (a new view must be added here), then requests the
patterns as the roles (a sample by default, every cell with ``ACCESS_MATRIX=full``) and
fails where the answer differs from the rule.

A pattern's rule is found in this order:

1. ``EXCEPTIONS``: its exact route or its full URL name, for a view that answers unlike its
   neighbours (each says why);
2. ``SNIPPET_VIEWS``: a snippet view by the end of its route, for every snippet model;
3. ``RULES``: the longest route prefix that matches it.

An expectation is one outcome for every role, a ``dict`` by role (``staff(...)`` and
``only(...)`` build the admin's usual ones), a tuple of outcomes either of which is right,
or an object working it out from the roles table (``core.roles``): ``ModelPermission(*actions)``
allows a role holding one of the actions on the pattern's model, ``PagePermission(*actions)``
one holding them on the page tree, ``TransitionPermission()`` one allowed the record's step.
"""

from dataclasses import dataclass, field

from core import roles

# Outcomes, as the test reads a response.
OK = "ok"  # 200, or a redirect to the address asked (a form sent back to itself)
LOGIN = "login"  # a redirect to a login page
DENIED = "denied"  # 403, or Wagtail's admin sending the user to its dashboard, refused
NOT_FOUND = "404"
NOT_ALLOWED = "405"
REDIRECT = "redirect"  # a redirect elsewhere (done, or nothing to do here)
BAD = "400"

ANONYMOUS = "anonymous"
REPRESENTATIVE = "representative"
EDITOR = "editor"
MODERATOR = "moderator"
CLERK = "clerk"
CADRE = "cadre"
SUPERVISOR = "supervisor"
PARTY = "party"
ADMIN = "admin"

# Each role and its group in ``core.roles`` (administrators are superusers, in no group).
ROLE_GROUPS = {
    ANONYMOUS: None,
    REPRESENTATIVE: roles.REPRESENTATIVES,
    EDITOR: roles.EDITORS,
    MODERATOR: roles.MODERATORS,
    CLERK: roles.MEETING_CLERKS,
    CADRE: roles.DUTY_CADRES,
    SUPERVISOR: roles.SUPERVISORS,
    PARTY: roles.PARTY_OFFICE,
    ADMIN: None,
}
ROLES = tuple(ROLE_GROUPS)
STAFF = (EDITOR, MODERATOR, CLERK, CADRE, SUPERVISOR, PARTY)
# POST is tried as these roles only (and as all of them where a rule says ``post_roles=ROLES``):
# the ones who must be turned away from every admin form.
POST_ROLES = (ANONYMOUS, REPRESENTATIVE)


# Requested by every role even in the sampled run (``test_access_matrix.plan``): the views
# that list or name records of any kind, where a role could see more than its menus show.
EVERY_ROLE = (
    "admin/choose-page/",
    "admin/api/",
    "admin/pages/search/",
    "admin/reports/site-history/",
    "admin/tag-autocomplete/",
)


def everyone(outcome):
    return dict.fromkeys(ROLES, outcome)


def staff(outcome=OK, *, admin=None, **by_role):
    """The admin's usual answer: visitors are sent to log in, representatives (no access to
    the admin) are refused, staff get ``outcome`` (or ``by_role``), administrators ``admin``
    (by default the same as ``outcome`` when it is a plain outcome, else OK)."""
    expected = {ANONYMOUS: LOGIN, REPRESENTATIVE: DENIED}
    for role in STAFF:
        expected[role] = by_role.get(role, outcome)
    expected[ADMIN] = admin or (outcome if isinstance(outcome, str) else OK)
    return expected


def only(*allowed, otherwise=DENIED, outcome=OK):
    """Staff roles in ``allowed`` get ``outcome``, the other staff ``otherwise``."""
    return staff(otherwise, admin=outcome, **dict.fromkeys(allowed, outcome))


@dataclass(frozen=True)
class ModelPermission:
    """``outcome`` for a role holding one of ``actions`` on the pattern's model in the roles
    table (administrators: all of them), ``otherwise`` for the others; visitors log in."""

    actions: tuple
    outcome: str = OK
    otherwise: str = DENIED
    admin: str | None = None

    def __init__(self, *actions, outcome=OK, otherwise=DENIED, admin=None):
        object.__setattr__(self, "actions", actions)
        object.__setattr__(self, "outcome", outcome)
        object.__setattr__(self, "otherwise", otherwise)
        object.__setattr__(self, "admin", admin)

    def expect(self, role, model):
        if role == ANONYMOUS:
            return LOGIN
        if role == ADMIN:
            return self.admin or self.outcome
        if role == REPRESENTATIVE:
            return DENIED
        if model is None:
            return self.otherwise
        held = roles.ROLES_BY_NAME[ROLE_GROUPS[role]].permissions
        opts = model._meta
        wanted = {f"{opts.app_label}.{action}_{opts.model_name}" for action in self.actions}
        return self.outcome if wanted & set(held) else self.otherwise


@dataclass(frozen=True)
class PagePermission:
    """``outcome`` for roles holding one of ``actions`` on the page tree, ``otherwise`` for
    the other staff; visitors log in, representatives are refused."""

    actions: tuple
    outcome: str = OK
    otherwise: str = DENIED

    def __init__(self, *actions, outcome=OK, otherwise=DENIED):
        object.__setattr__(self, "actions", actions)
        object.__setattr__(self, "outcome", outcome)
        object.__setattr__(self, "otherwise", otherwise)

    def expect(self, role, model):
        if role == ANONYMOUS:
            return LOGIN
        if role == ADMIN:
            return self.outcome
        if role == REPRESENTATIVE:
            return DENIED
        held = roles.ROLES_BY_NAME[ROLE_GROUPS[role]].page_permissions
        return self.outcome if set(self.actions) & set(held) else self.otherwise


@dataclass(frozen=True)
class Rule:
    """What GET (``get``) and POST (``post``, ``None``: the same as GET) get, by role.

    ``kwargs`` fill the route's arguments the world cannot (by argument name; a callable
    takes the world); ``path`` replaces the address altogether; ``skip`` says why a pattern
    is not requested at all (it must say why)."""

    get: object
    post: object = None
    post_roles: tuple = POST_ROLES
    kwargs: dict = field(default_factory=dict)
    path: object = None
    skip: str = ""


@dataclass(frozen=True)
class TransitionPermission:
    """A record's transition view (``<pk>/transition/<name>/``, the model's first labelled
    transition): refused to roles whose permissions do not allow the step; to the others the
    confirmation, or back to the listing when the record's state does not offer it now."""

    def expect(self, role, model):
        from core.transitions import _declarations, labelled_transitions

        if role == ANONYMOUS:
            return LOGIN
        if role == REPRESENTATIVE:
            return DENIED
        if role == ADMIN:
            return ALLOWED
        wanted = {
            t.permission
            for t in _declarations(model, labelled_transitions(model)[0])
            if isinstance(t.permission, str)
        }
        held = roles.ROLES_BY_NAME[ROLE_GROUPS[role]].permissions
        return ALLOWED if wanted & set(held) else DENIED


def expect(expectation, role, model):
    """The outcome (or the tuple of outcomes) expected of ``role``."""
    if isinstance(expectation, (str, tuple)):
        return expectation
    if isinstance(expectation, dict):
        return expectation[role]
    return expectation.expect(role, model)


# Either is right: the confirmation, or back to the listing when the state does not allow it.
ALLOWED = (OK, REDIRECT)
LISTING = ModelPermission("add", "change", "delete", "view")
ADDING = ModelPermission("add")
CHANGING = ModelPermission("change")
ADMINISTRATORS = only()
PAGE_WRITERS = PagePermission("add", "change", "publish")
PAGE_PUBLISHERS = PagePermission("publish")
PUBLIC = everyone(OK)
LOGGED_OUT_OK = {**everyone(OK), **dict.fromkeys(STAFF, OK)}
ANY_STAFF = staff(OK)
# Wagtail's admin asks representatives (no access to the admin) to log in as someone else.
ADMIN_AREA_REFUSED = {ANONYMOUS: LOGIN, REPRESENTATIVE: LOGIN}


def admin(expected):
    """An admin view's expectation, representatives sent to log in like visitors."""
    if isinstance(expected, dict):
        return {**expected, **ADMIN_AREA_REFUSED}
    return AdminArea(expected)


@dataclass(frozen=True)
class AdminArea:
    """``inner`` for staff and administrators; visitors and representatives log in."""

    inner: object

    def expect(self, role, model):
        if role in (ANONYMOUS, REPRESENTATIVE):
            return LOGIN
        return expect(self.inner, role, model)


def r(get, post=None, **options):
    """A rule for an admin view: ``get`` (and ``post``) wrapped with ``admin``."""
    return Rule(admin(get), None if post is None else admin(post), **options)


# --- Defaults, by route prefix (the longest prefix that matches wins) ----------------------

RULES = {
    # The public site: anyone reads it; its pages take no POST but where a rule says so.
    "": Rule(PUBLIC, post=NOT_ALLOWED),
    # Wagtail's admin: staff only; each view then asks for its own permission.
    "admin/": r(ANY_STAFF),
    # Snippets: each view as Wagtail's generic views ask, on the pattern's own model. The
    # listing's views (its results, inspect, the chooser) ask for any of add/change/delete/
    # view: a chooser shows a role only what its listing does (core.viewsets).
    "admin/snippets/": r(LISTING),
    # Wagtail's page explorer and page views: the page tree's writers (editors, moderators).
    "admin/pages/": r(PAGE_WRITERS),
    "admin/reports/": r(PAGE_WRITERS),
    "admin/images/": r(PAGE_WRITERS),
    "admin/documents/": r(PAGE_WRITERS),
    "admin/forms/": r(PAGE_WRITERS),
    # What only administrators keep: users, groups, sites, collections, workflows, redirects.
    "admin/users/": r(ADMINISTRATORS),
    "admin/groups/": r(ADMINISTRATORS),
    "admin/sites/": r(ADMINISTRATORS),
    "admin/collections/": r(ADMINISTRATORS),
    "admin/workflows/": r(ADMINISTRATORS),
    "admin/redirects/": r(ADMINISTRATORS),
    # Wagtail's admin API: its listings answer every staff role, narrowed to what the role
    # may explore (nothing for roles without page permissions); one object by id or ``find``
    # answers only what the listing holds.
    "admin/api/": r(ANY_STAFF),
    # The site's own admin screens, each with its role.
    "admin/people/": r(only(PARTY, SUPERVISOR)),
    "admin/party/": r(only(PARTY, SUPERVISOR)),
    "admin/appraisals/": r(only(PARTY, SUPERVISOR)),
    "admin/duty/": r(only(CADRE, SUPERVISOR)),
    "admin/duty_record_chooser/": r(only(SUPERVISOR)),
    "admin/history/": r(only(SUPERVISOR)),
    "admin/visits/": r(only(CADRE, SUPERVISOR, PARTY)),
    "admin/volunteers/": r(only(CADRE, SUPERVISOR, PARTY)),
    "admin/votes/": r(only(CLERK)),
    "admin/two-factor/": r(ADMINISTRATORS),
}

# --- Exceptions, by exact route ---------------------------------------------------------

SNIPPET_VIEWS = {
    # The last part of a snippet's route (after ``admin/snippets/<app>/<model>/``).
    "add/": ADDING,
    "copy/<int:pk>/": ADDING,
    "edit/<int:pk>/": CHANGING,
    "usage/<int:pk>/": CHANGING,
    "history/<int:pk>/": CHANGING,
    "history-results/<int:pk>/": CHANGING,
    "delete/<int:pk>/": ADMINISTRATORS,
    "<int:pk>/transition/<str:name>/": TransitionPermission(),
    "create/": ADDING,  # the chooser's "create" tab
}


def first(label):
    """The first record of the model ``label`` ("app.Model") in the world, as a URL value."""

    def value(world):
        from django.apps import apps

        model = apps.get_model(label)
        return model._default_manager.order_by("pk").values_list("pk", flat=True).first()

    return value


def reference(label):
    def value(world):
        from django.apps import apps

        return apps.get_model(label)._default_manager.order_by("pk").first().reference

    return value


# Logged-in users sent on to the dashboard by a screen meant for those not logged in.
FOR_VISITORS = {**everyone(DENIED), ANONYMOUS: OK, REPRESENTATIVE: OK}

BLOG_PAGE_TYPE = {
    "content_type_app_name": "blog",
    "content_type_model_name": "blogpage",
    "parent_page_id": lambda world: world["post"].get_parent().pk,
}
SETTINGS = {"app_name": "core", "model_name": "communitysettings"}

EXCEPTIONS = {
    # --- The public site ------------------------------------------------------------------
    # Pages: the post, by its path; the public views with a record in the path get one.
    # Posted to, a page that is no form refuses what it cannot read (400).
    "wagtail_serve": Rule(PUBLIC, post=BAD, path=lambda world: world["post"].url),
    # The world's motion is a draft and its joint activity unpublished: not public (404).
    "votes:detail": Rule(NOT_FOUND, kwargs={"pk": first("votes.Motion")}),
    "cobuilding:activity": Rule(
        NOT_FOUND, post=NOT_ALLOWED, kwargs={"pk": first("cobuilding.JointActivity")}
    ),
    "event_ics": Rule(PUBLIC, post=NOT_ALLOWED, kwargs={"pk": lambda world: world["hearing"].pk}),
    # One resident's record by its reference (tests/security/test_object_access.py tries a
    # wrong one and another resident's).
    "opinion_status": Rule(
        PUBLIC, post=NOT_ALLOWED, kwargs={"reference": reference("opinions.Opinion")}
    ),
    "duty:request_status": Rule(
        PUBLIC, post=NOT_ALLOWED, kwargs={"reference": reference("duty.DutyRecord")}
    ),
    "wagtaildocs_serve": Rule(
        PUBLIC,
        path=lambda world: world["document"].url,
    ),
    # Posted to: a form sent empty is shown again with its errors.
    "duty:request": Rule(PUBLIC, post=BAD),
    "follow_opinion": Rule(NOT_FOUND, post=NOT_ALLOWED),
    "duty:follow": Rule(NOT_FOUND, post=NOT_ALLOWED),
    "login": Rule(
        {**everyone(REDIRECT), ANONYMOUS: OK},
        post={ANONYMOUS: OK, REPRESENTATIVE: REDIRECT},
    ),
    "logout": Rule(NOT_ALLOWED, post=REDIRECT),
    "switch_language": Rule(REDIRECT, post=NOT_ALLOWED),
    # The admin's own screens for those not logged in.
    "wagtailadmin_login": Rule(FOR_VISITORS, post={ANONYMOUS: OK, REPRESENTATIVE: OK}),
    "wagtailadmin_password_reset": Rule(PUBLIC),
    "wagtailadmin_password_reset_done": Rule(PUBLIC),
    "wagtailadmin_password_reset_complete": Rule(PUBLIC),
    "wagtailadmin_password_reset_confirm": Rule(
        None, skip="needs a signed one-time token; Django's own tests cover it"
    ),
    "wagtailadmin_sprite": Rule(PUBLIC),
    "sitemap": Rule(PUBLIC),
    "wagtailcore_login": Rule(PUBLIC),
    "wagtailadmin_javascript_catalog": Rule(PUBLIC, post=NOT_ALLOWED),
    # --- Wagtail's admin ------------------------------------------------------------------
    "admin/failwhale/": Rule(None, skip="Wagtail's deliberate test of the error page (500)."),
    "admin/^.*/$": Rule(admin(staff(NOT_FOUND)), path="/admin/no-such-screen/"),
    "wagtailadmin_logout": r(staff(NOT_ALLOWED)),
    "wagtailadmin_block_preview": r(staff(NOT_FOUND)),  # asked without a block: nothing
    "wagtailadmin_api:pages:detail": r(PagePermission("add", otherwise=NOT_FOUND)),
    "wagtailadmin_api:pages:find": r(staff(NOT_FOUND)),
    "wagtailadmin_api:documents:detail": r(staff(NOT_FOUND)),
    "wagtailadmin_api:documents:find": r(staff(NOT_FOUND)),
    "wagtailadmin_api:images:detail": r(staff(NOT_FOUND)),
    "wagtailadmin_api:images:find": r(staff(NOT_FOUND)),
    # Wagtail's choosers of media and links: every staff role, each list narrowed by Wagtail
    # to the collections the role may choose from.
    "wagtaildocs_chooser:choose": r(ANY_STAFF),
    "wagtaildocs_chooser:choose_results": r(ANY_STAFF),
    "wagtaildocs_chooser:chosen_multiple": r(ANY_STAFF),
    "wagtailimages_chooser:choose": r(ANY_STAFF),
    "wagtailimages_chooser:choose_results": r(ANY_STAFF),
    "wagtailimages_chooser:chosen_multiple": r(ANY_STAFF),
    "admin/images/<int:image_id>/generate_url/": r(only(EDITOR, MODERATOR, outcome=NOT_FOUND)),
    "admin/images/<int:image_id>/generate_url/output/": r(
        only(EDITOR, MODERATOR, outcome=NOT_FOUND)
    ),
    "wagtailimages:edit_multiple": r(staff(NOT_ALLOWED)),
    "wagtailimages:delete_multiple": r(staff(NOT_ALLOWED)),
    "wagtaildocs:edit_multiple": r(staff(NOT_ALLOWED)),
    "wagtaildocs:delete_multiple": r(staff(NOT_ALLOWED)),
    # The page tree's views that ask for more than writing a page.
    "wagtailadmin_pages:delete": r(ADMINISTRATORS),
    "wagtailadmin_pages:move": r(ADMINISTRATORS),
    # Checked by ``core.wagtail_hooks.only_who_may_move_the_page``: Wagtail checked nothing.
    "wagtailadmin_pages:move_confirm": r(
        ADMINISTRATORS, kwargs={"destination_id": lambda world: world["post"].get_parent().pk}
    ),
    "wagtailadmin_pages:unpublish": r(PAGE_PUBLISHERS),
    "wagtailadmin_pages:set_privacy": r(PAGE_PUBLISHERS),
    "wagtailadmin_pages:revisions_unschedule": r(PAGE_PUBLISHERS),
    "wagtailadmin_pages:convert_alias": r(staff(NOT_FOUND)),  # the post is no alias
    "wagtailadmin_pages:set_page_position": r(staff(NOT_ALLOWED)),
    "wagtailadmin_pages:lock": r(staff(NOT_ALLOWED)),
    "wagtailadmin_pages:unlock": r(staff(NOT_ALLOWED)),
    "wagtailadmin_pages:revisions_index": r(staff(REDIRECT)),
    # Says only whether a workflow is under way and its name, never the page's.
    "wagtailadmin_pages:confirm_workflow_cancellation": r(ANY_STAFF),
    # An unknown transition is refused like one the roles do not allow.
    "page_transition": r(staff(DENIED, admin=DENIED), kwargs={"name": "none"}),
    "wagtailforms:list_submissions": r(staff(NOT_FOUND)),  # the post is no form page
    "wagtailforms:list_submissions_results": r(staff(NOT_FOUND)),
    "wagtailforms:delete_submissions": r(staff(DENIED, admin=DENIED)),
    # Wagtail's site history: every staff role, narrowed by Wagtail to what it may see.
    "admin/reports/site-history/": r(ANY_STAFF),
    "admin/reports/site-history/results/": r(ANY_STAFF),
    # Administrators' screens asked for what the world does not hold.
    "wagtailadmin_collections:edit": r(only(outcome=NOT_FOUND)),  # the root collection
    "wagtailadmin_collections:delete": r(staff(NOT_FOUND)),
    "wagtailadmin_workflows:enable": r(staff(NOT_ALLOWED)),
    "wagtailadmin_workflows:usage": r(staff(NOT_FOUND)),
    "wagtailadmin_workflows:usage_results": r(staff(NOT_FOUND)),
    "admin/workflows/remove/<int:page_pk>/": r(staff(NOT_ALLOWED)),
    "wagtailadmin_workflows:select_task_type": r(only(outcome=REDIRECT)),
    "wagtailadmin_workflows:edit_task": r(staff(NOT_FOUND)),
    "wagtailadmin_workflows:enable_task": r(staff(NOT_ALLOWED)),
    # Wagtail's task chooser (in the workflow editor) lists the tasks' names to any staff.
    "wagtailadmin_workflows:task_chooser": r(ANY_STAFF),
    "wagtailadmin_workflows:task_chooser_results": r(ANY_STAFF),
    "wagtailadmin_workflows:task_chooser_create": r(ANY_STAFF),
    "wagtailredirects:process_import": r(only(outcome=NOT_ALLOWED)),
    # Two-factor sign-in (core.twofactor): enrolment for everyone; the rest once enrolled.
    "twofactor_enrol": r(ANY_STAFF),
    "twofactor_recovery_codes": r(staff(DENIED, admin=DENIED)),
    "twofactor_verify": r(only(SUPERVISOR, outcome=REDIRECT)),  # supervisors must enrol
    # Wagtail's comparison of two revisions, its path a regular expression: given whole.
    "wagtailadmin_pages:revisions_compare": r(
        PAGE_WRITERS,
        path=lambda world: f"/admin/pages/{world['post'].pk}/revisions/compare/earliest...latest/",
    ),
    # Patterns whose arguments name a type or another record, given here.
    "wagtailadmin_api:pages:action": r(staff(NOT_ALLOWED), kwargs={"action_name": "copy"}),
    # Asked for no pages in particular: nothing to act on.
    "wagtail_bulk_action": r(
        staff(NOT_FOUND),
        kwargs={"app_label": "wagtailcore", "model_name": "page", "action": "delete"},
    ),
    "wagtailadmin_pages:add": r(PAGE_WRITERS, kwargs=BLOG_PAGE_TYPE),
    "wagtailadmin_pages:preview_on_add": r(PAGE_WRITERS, kwargs=BLOG_PAGE_TYPE),
    "wagtailadmin_pages:type_use": r(PAGE_WRITERS, kwargs=BLOG_PAGE_TYPE),
    "wagtailadmin_pages:type_use_results": r(PAGE_WRITERS, kwargs=BLOG_PAGE_TYPE),
    # A post has one possible parent: straight on to it; a role that may add no page is
    # offered no parent to choose.
    "wagtailadmin_pages:choose_parent": r(
        PagePermission("add", outcome=REDIRECT, otherwise=OK),
        kwargs={"app_label": "blog", "model_name": "blogpage"},
    ),
    "wagtailadmin_tag_model_autocomplete": r(
        ANY_STAFF, kwargs={"app_name": "taggit", "model_name": "tag"}
    ),
    "admin/workflows/remove/<int:page_pk>/<int:workflow_pk>/": r(
        staff(NOT_ALLOWED), kwargs={"workflow_pk": first("wagtailcore.Workflow")}
    ),
    "wagtailadmin_workflows:add_task": r(
        ADMINISTRATORS, kwargs={"app_label": "wagtailcore", "model_name": "groupapprovaltask"}
    ),
    "wagtailadmin_workflows:task_chosen": r(
        ANY_STAFF, kwargs={"task_id": first("wagtailcore.Task")}
    ),
    "wagtailadmin_editing_sessions:ping": r(
        staff(NOT_ALLOWED),
        kwargs={
            "app_label": "wagtailcore",
            "model_name": "page",
            "object_id": lambda world: world["post"].pk,
            "session_id": 1,
        },
    ),
    "wagtailadmin_editing_sessions:release": r(staff(NOT_ALLOWED), kwargs={"session_id": 1}),
    "people_import_template": r(only(CLERK, PARTY), kwargs={"kind": "csv"}),
    "party_import_template": r(only(PARTY), kwargs={"kind": "csv"}),
    "wagtailredirects:edit": r(
        ADMINISTRATORS, kwargs={"redirect_id": first("wagtailredirects.Redirect")}
    ),
    "wagtailredirects:delete": r(
        ADMINISTRATORS, kwargs={"redirect_id": first("wagtailredirects.Redirect")}
    ),
    # The settings of the site asked for are edited at the site's own address.
    "admin/settings/<slug:app_name>/<slug:model_name>/": r(only(outcome=REDIRECT), kwargs=SETTINGS),
    "admin/settings/<slug:app_name>/<slug:model_name>/<int:pk>/": r(
        ADMINISTRATORS, kwargs={**SETTINGS, "pk": lambda world: world["home"].get_site().pk}
    ),
    # A preview shows what the edit form posted first: nothing was.
    "wagtailsettings:preview_on_edit": r(
        only(outcome=NOT_FOUND),
        kwargs={**SETTINGS, "pk": lambda world: world["home"].get_site().pk},
    ),
    "wagtailimages:preview": r(PAGE_WRITERS, kwargs={"filter_spec": "original"}),
    "wagtailcore_authenticate_with_password": Rule(
        PUBLIC,
        kwargs={"page_view_restriction_id": first("wagtailcore.PageViewRestriction")},
    ),
    # What only a moment in another flow holds: reached through that flow, tried there.
    **{
        name: Rule(
            None, skip="needs a page in moderation (a task state); tests/core/test_moderation.py"
        )
        for name in (
            "wagtailadmin_pages:workflow_action",
            "wagtailadmin_pages:collect_workflow_action_data",
            "wagtailadmin_pages:workflow_preview",
            "wagtailadmin_pages:workflow_history_detail",
        )
    },
    **{
        name: Rule(None, skip="needs a file being uploaded (Wagtail's multiple upload)")
        for name in (
            "wagtaildocs:create_multiple_from_uploaded_document",
            "wagtaildocs:delete_upload_multiple",
            "wagtailimages:create_multiple_from_uploaded_image",
            "wagtailimages:delete_upload_multiple",
        )
    },
    "wagtaildocs_authenticate_with_password": Rule(
        None, skip="no collection on this site is behind a password"
    ),
    # --- The site's admin screens -----------------------------------------------------------
    "wagtailsnippets:index": r(only(CADRE, SUPERVISOR, PARTY)),
    "people_import": r(only(CLERK, PARTY)),
    "people_import_confirm": r(only(CLERK, PARTY, outcome=NOT_ALLOWED)),
    "party_import": r(only(PARTY)),
    "party_import_confirm": r(only(PARTY, outcome=NOT_ALLOWED)),
    "admin/party/cards/<int:pk>/": r(
        only(SUPERVISOR, PARTY), kwargs={"pk": first("party.PartyMember")}
    ),
    "admin/party/feedback-sheets/print/<int:pk>/": r(
        only(SUPERVISOR, PARTY), kwargs={"pk": first("party.FeedbackSheet")}
    ),
    "admin/appraisals/<int:pk>/sheet/": r(
        only(SUPERVISOR, PARTY), kwargs={"pk": first("appraisals.Appraisal")}
    ),
    # The world's motion is a draft: no roll call or results yet, back to the listing.
    "admin/votes/<int:pk>/roll-call/": r(
        only(CLERK, outcome=REDIRECT), kwargs={"pk": first("votes.Motion")}
    ),
    "admin/votes/<int:pk>/results/": r(
        only(CLERK, outcome=REDIRECT), kwargs={"pk": first("votes.Motion")}
    ),
    "audit_history:restore": r(staff(NOT_ALLOWED)),
    # Records are written in the record book, never from an inspection's chooser.
    "duty_record_chooser:create": r(staff(DENIED, admin=DENIED)),
    # Records only a step writes: nobody adds or edits one, administrators included.
    **{
        f"admin/snippets/{model}/{view}": r(staff(DENIED, admin=DENIED))
        for model in ("opinions/opinion", "party/attendance", "buildings/score")
        for view in ("add/", "copy/<int:pk>/")
    },
    **{
        f"admin/snippets/choose/{model}/create/": r(staff(DENIED, admin=DENIED))
        for model in ("opinions/opinion", "party/attendance", "buildings/score")
    },
    **{
        f"admin/snippets/{model}/{view}": r(staff(DENIED, admin=DENIED))
        for model in ("party/attendance", "buildings/score")
        for view in ("edit/<int:pk>/", "usage/<int:pk>/")
    },
    # A shift swap's history is its cadres' (duty.wagtail_hooks.ShiftSwapPermissionPolicy);
    # the first one in the world is not in a state to be decided.
    "admin/snippets/duty/shiftswap/history/<int:pk>/": r(only(CADRE)),
    "admin/snippets/duty/shiftswap/history-results/<int:pk>/": r(only(CADRE)),
    "admin/snippets/duty/shiftswap/<int:pk>/transition/<str:name>/": r(staff(DENIED, admin=DENIED)),
}


def rule_for(route, name=""):
    """The rule for a pattern (its route, its full name), or ``None`` when the matrix has
    none: a view to add."""
    if route in EXCEPTIONS:
        return EXCEPTIONS[route]
    if name and name in EXCEPTIONS:
        return EXCEPTIONS[name]
    if route.startswith("admin/snippets/"):
        parts = route.split("/", 5)
        if len(parts) == 6 and parts[2] == "choose" and parts[5] == "create/":
            return r(ADDING)
        suffix = route.split("/", 4)[-1] if len(parts) == 6 else ""
        if suffix in SNIPPET_VIEWS:
            return r(SNIPPET_VIEWS[suffix])
    prefixes = [prefix for prefix in RULES if route.startswith(prefix)]
    if not prefixes:
        return None
    return RULES[max(prefixes, key=len)]
