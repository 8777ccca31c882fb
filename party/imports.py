"""Party members from the office's spreadsheets (``core.imports``).

A row names its person by name and phone, or name and building/unit (``find_person``); a
person not yet in the register is added with the member record. Then the member's category,
branch and date joined, and the fields of the category: workplace, its party organisation and
contact hours for an in-service member, where the relation is held and since when for a
migrant. ``PartyMember.clean`` applies to every row, as in the admin form. An existing
member's record is updated; the person's own record (address, phone) is changed only through
the people import or the person's form.
"""

from import_export.fields import Field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from core.imports import ChoiceWidget, DateWidget, Importer, ImportResource, TextWidget
from people.imports import find_person
from people.models import Person

from .models import Category, PartyMember

# The person's columns (kept on the person, not the member record).
PERSON_COLUMNS = ("name", "building", "unit", "phone")


def _text(key):
    return Field(attribute=key, column_name=key, widget=TextWidget())


class PartyMemberResource(ImportResource):
    headings = {
        "name": gettext_lazy("name"),
        "building": gettext_lazy("building"),
        "unit": gettext_lazy("unit"),
        "phone": gettext_lazy("phone"),
        "category": gettext_lazy("category"),
        "branch": gettext_lazy("party branch"),
        "joined_on": gettext_lazy("joined the party"),
        "workplace": gettext_lazy("workplace"),
        "workplace_organisation": gettext_lazy("party organisation of the workplace"),
        "contact_hours": gettext_lazy("contact hours"),
        "relation_held_at": gettext_lazy("membership held at"),
        "here_since": gettext_lazy("in the community since"),
    }
    # Only the name: a file that updates members may give only the columns it changes; a
    # new member without a category, branch or date joined is refused row by row.
    required_headings = ("name",)

    # The person's columns name (or make) the person; they are not fields of the record.
    name = Field(column_name="name")
    building = Field(column_name="building")
    unit = Field(column_name="unit")
    phone = Field(column_name="phone")
    category = Field(
        attribute="category", column_name="category", widget=ChoiceWidget(Category.choices)
    )
    branch = _text("branch")
    joined_on = Field(attribute="joined_on", column_name="joined_on", widget=DateWidget())
    workplace = _text("workplace")
    workplace_organisation = _text("workplace_organisation")
    contact_hours = _text("contact_hours")
    relation_held_at = _text("relation_held_at")
    here_since = Field(attribute="here_since", column_name="here_since", widget=DateWidget())

    class Meta(ImportResource.Meta):
        model = PartyMember
        fields = (
            "name",
            "building",
            "unit",
            "phone",
            "category",
            "branch",
            "joined_on",
            "workplace",
            "workplace_organisation",
            "contact_hours",
            "relation_held_at",
            "here_since",
        )

    def get_or_init_instance(self, instance_loader, row):
        cells = {key: str(row.get(key) or "").strip() for key in PERSON_COLUMNS}
        person = find_person(
            cells["name"], phone=cells["phone"], building=cells["building"], unit=cells["unit"]
        )
        if person is None:
            # A new person of the register, a party member through this record.
            person = Person(**cells)
            person.joining_party = True
        else:
            member = PartyMember.objects.filter(person=person).first()
            if member is not None:
                return member, False
        return PartyMember(person=person), True

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        exclude = [*errors, *self.not_validated(instance)]
        person = instance.person
        if person.pk is None:
            # The new person is checked as the person's form would check them (the phone).
            try:
                person.full_clean()
            except ValidationError as error:
                errors = error.update_error_dict(errors)
            exclude.append("person")
        try:
            instance.full_clean(exclude=exclude, validate_unique=validate_unique)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def before_save_instance(self, instance, row, **kwargs):
        person = instance.person
        self.mark(person)
        if person.pk is None:
            person.save()
            instance.person = person
        self.mark(instance)


PARTY_MEMBERS = Importer(
    resource_class=PartyMemberResource,
    url_name="party_import",
    title=gettext_lazy("Import party members"),
    permissions=(
        "party.add_partymember",
        "party.change_partymember",
        "people.add_person",
    ),
    index_url_name="wagtailsnippets_party_partymember:list",
    filename="party-members-import",
    listing_label=gettext_lazy("Party members"),
)
