"""The admin of characteristic creation (特色创建): categories and their standards, the
buildings, their yearly assessments (scores entered through the step "Enter the scores"),
the scores (read here, written only through that step), the titles and the projects. One
menu, kept by the party-affairs office and read by supervisors (``core.roles``)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.ui.tables import Column, StatusTagColumn
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from core.transition_views import TransitionViewSetMixin
from core.viewsets import SnippetViewSet, YesNoColumn

from .admin_forms import TitleForm
from .models import Assessment, Building, Category, Project, Score, Standard, Title


class ScorePermissionPolicy(ModelPermissionPolicy):
    """Scores are read in their listing and written only by an assessment's step "Enter
    the scores": nobody adds or edits one here. Administrators alone may delete one (kept
    in history), as they may any record."""

    def user_has_permission(self, user, action):
        if action == "delete":
            return user.is_active and user.is_superuser
        return action == "view" and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


class CategoryViewSet(SnippetViewSet):
    model = Category
    icon = "tag"
    menu_label = _("Categories")
    list_display = [
        "__str__",
        Column("sort_order", label=_("Sort order")),
        YesNoColumn("active", label=_("Active")),
    ]
    list_filter = ["active"]
    list_export = ["kind", "sort_order", "active"]
    export_filename = "building-categories"
    edit_handler = ObjectList([FieldPanel("kind"), FieldPanel("sort_order"), FieldPanel("active")])
    inspect_view_enabled = True


class StandardViewSet(SnippetViewSet):
    model = Standard
    icon = "list-ol"
    menu_label = _("Standards")
    list_display = [
        Column("text", label=_("Criterion")),
        Column("category", label=_("Category")),
        Column("max_score", label=_("Maximum score")),
        Column("sort_order", label=_("Sort order")),
        YesNoColumn("active", label=_("Active")),
    ]
    list_filter = ["category", "active"]
    list_export = ["category", "text", "max_score", "sort_order", "active"]
    export_filename = "building-standards"
    search_fields = ["text"]
    edit_handler = ObjectList(
        [
            FieldPanel("category"),
            FieldPanel("text"),
            FieldRowPanel([FieldPanel("max_score"), FieldPanel("sort_order")]),
            FieldPanel("active"),
        ]
    )
    inspect_view_enabled = True


class BuildingViewSet(SnippetViewSet):
    model = Building
    icon = "home"
    menu_label = _("Buildings")
    list_display = [
        "__str__",
        Column("units", label=_("Units")),
        Column("leader", label=_("Building leader")),
        YesNoColumn("active", label=_("Active")),
    ]
    list_filter = ["active"]
    list_export = ["name", "units", "leader", "active"]
    export_filename = "buildings"
    search_fields = ["name"]
    edit_handler = ObjectList(
        [FieldPanel("name"), FieldPanel("units"), FieldPanel("leader"), FieldPanel("active")]
    )
    inspect_view_enabled = True


class AssessmentViewSet(TransitionViewSetMixin, SnippetViewSet):
    model = Assessment
    icon = "form"
    menu_label = _("Assessments")
    list_display = [
        "__str__",
        Column("year", label=_("Year")),
        Column("total_score", label=_("Total score")),
        StatusTagColumn("state", label=_("State"), accessor="get_state_display"),
    ]
    list_filter = ["year", "state", "building"]
    list_export = ["building", "year", "assessors", "state", "total_score"]
    export_headings = {"total_score": _("Total score")}
    export_filename = "building-assessments"
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("building"), FieldPanel("year")]),
            FieldPanel("assessors"),
            FieldPanel("notes"),
        ]
    )
    inspect_view_enabled = True

    def get_queryset(self, request):
        return Assessment.objects.with_total().select_related("building")


class ScoreViewSet(SnippetViewSet):
    model = Score
    icon = "pick"
    menu_label = _("Scores")
    list_display = [
        Column("assessment", label=_("Assessment")),
        Column("standard", label=_("Standard")),
        Column("score", label=_("Score")),
    ]
    list_filter = ["assessment__year", "standard__category"]
    list_export = ["assessment", "standard", "score", "evidence"]
    export_filename = "building-scores"
    inspect_view_enabled = True

    def get_queryset(self, request):
        return Score.objects.select_related("assessment__building", "standard__category")


class TitleViewSet(TransitionViewSetMixin, SnippetViewSet):
    model = Title
    icon = "pick"
    menu_label = _("Titles")
    list_display = [
        "__str__",
        Column("year", label=_("Year")),
        Column("kind", label=pgettext_lazy("building title", "Title"), accessor="get_kind_display"),
        StatusTagColumn("state", label=_("State"), accessor="get_state_display"),
    ]
    list_filter = ["year", "kind", "category", "state"]
    list_export = ["building", "year", "kind", "category", "state", "withdrawn_reason"]
    export_filename = "building-titles"
    edit_handler = ObjectList(
        [FieldPanel("assessment"), FieldPanel("kind"), FieldPanel("category")],
        base_form_class=TitleForm,
    )
    inspect_view_enabled = True

    def get_queryset(self, request):
        return Title.objects.select_related("building", "category")


class ProjectViewSet(SnippetViewSet):
    model = Project
    icon = "doc-full"
    menu_label = _("Projects")
    list_display = [
        "__str__",
        Column("kind", label=_("Kind"), accessor="get_kind_display"),
        Column("held_by", label=_("Building or partner")),
        Column("year", label=_("Year")),
    ]
    list_filter = ["kind", "year"]
    list_export = ["name", "kind", "held_by", "year", "description"]
    export_filename = "building-projects"
    search_fields = ["name", "held_by"]
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldRowPanel([FieldPanel("kind"), FieldPanel("year")]),
            FieldPanel("held_by"),
            FieldPanel("description"),
        ]
    )
    inspect_view_enabled = True


class CharacteristicCreationGroup(SnippetViewSetGroup):
    menu_label = _("Characteristic creation")
    menu_icon = "pick"
    menu_order = 330
    items = (
        AssessmentViewSet,
        TitleViewSet,
        BuildingViewSet,
        StandardViewSet,
        CategoryViewSet,
        ScoreViewSet,
        ProjectViewSet,
    )


register_permission_policy(Score, ScorePermissionPolicy(Score))
register_snippet(CharacteristicCreationGroup)
