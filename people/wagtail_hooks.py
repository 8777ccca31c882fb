from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet

from core.forms import ReasonForm
from core.viewsets import SnippetViewSet

from .models import Person


class PersonViewSet(SnippetViewSet):
    model = Person
    icon = "group"
    menu_label = _("People")
    menu_order = 300
    add_to_admin_menu = True
    inspect_view_enabled = True
    list_display = [
        "name",
        "roles_label",
        "address",
        # 是/否, not Python's True/False.
        Column(
            "is_active",
            label=Person._meta.get_field("is_active").verbose_name,
            accessor=lambda person: _("Yes") if person.is_active else _("No"),
            sort_key="is_active",
        ),
    ]
    list_filter = [
        "is_cadre",
        "is_party_member",
        "is_representative",
        "is_volunteer",
        "party_status",
        "is_active",
    ]
    # Searched in the database (``icontains``), like the record book: a full-text index
    # holds a Chinese name as one word, so "卫东" would not find "周卫东".
    search_fields = ["name", "building"]
    search_backend_name = None
    list_export = [
        "name",
        "is_cadre",
        "is_party_member",
        "is_representative",
        "is_volunteer",
        "party_status",
        "building",
        "unit",
        "phone",
        "is_active",
    ]
    export_filename = "people"
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("is_cadre"), FieldPanel("is_party_member")]),
                    FieldRowPanel([FieldPanel("is_representative"), FieldPanel("is_volunteer")]),
                    FieldPanel("party_status"),
                ],
                heading=_("Roles"),
            ),
            FieldRowPanel([FieldPanel("building"), FieldPanel("unit")]),
            FieldPanel("phone"),
            FieldPanel("user"),
            FieldPanel("is_active"),
            FieldPanel("notes"),
            FieldPanel("change_reason"),
        ],
        base_form_class=ReasonForm,
    )


register_snippet(PersonViewSet)
