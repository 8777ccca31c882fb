"""The register of persons from the office's spreadsheets (``core.imports``).

Columns: name, roles, building, unit, phone (in English or in Chinese). A row updates the
person it names unambiguously and otherwise adds one (``find_person``). Roles (cadre, resident
representative, volunteer) are added, never taken away: removing a role is a change made in
the record, with its reason. Party membership is not a role here: it comes with the party
member record (``party.imports``).
"""

from import_export.fields import Field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.imports import LIST_SEPARATORS, Importer, ImportResource, TextWidget, both_languages
from core.imports import normalise_heading as normalise

from .models import Person
from .validators import normalise_phone

# The roles a row may give; party membership follows the party member record alone.
IMPORTED_ROLES = ("is_cadre", "is_representative", "is_volunteer")
PARTY_MEMBER = "is_party_member"


def find_person(name, phone="", building="", unit=""):
    """The one person of the register a row names, or None when it names nobody.

    Same name and phone when the row gives a phone; otherwise same name and address
    (building, and unit when given); a name alone names the one person of that name. Raises
    ``ValidationError`` when the row could mean several persons.
    """
    name = (name or "").strip()
    if not name:
        return None
    people = Person.objects.filter(name=name)
    phone = normalise_phone(phone)
    if phone:
        people = people.filter(phone=phone)
    elif building:
        people = people.filter(building=building.strip())
        if unit:
            people = people.filter(unit=unit.strip())
    found = list(people[:2])
    if len(found) > 1:
        raise ValidationError(
            _(
                "Several persons in the register are called “%(name)s”: give the phone or "
                "the building and unit to say which one."
            )
            % {"name": name}
        )
    return found[0] if found else None


class RolesField(Field):
    """The roles cell: role names in English or Chinese, separated by commas or 、."""

    def save(self, instance, row, is_m2m=False, **kwargs):
        cell = row.get(self.column_name)
        text = "" if cell is None else str(cell).strip()
        if not text:
            return
        names = {}
        for role in (*IMPORTED_ROLES, PARTY_MEMBER):
            for label in both_languages(Person._meta.get_field(role).verbose_name):
                names[normalise(label)] = role
        unknown = []
        for part in LIST_SEPARATORS.split(text):
            if not part:
                continue
            role = names.get(normalise(part))
            if role == PARTY_MEMBER:
                # The member record is the one source of membership (category, branch, date).
                raise ValueError(
                    _(
                        "Party members are imported in the party members' import, with their "
                        "category, branch and date joined."
                    )
                )
            if role is None:
                unknown.append(part)
            else:
                setattr(instance, role, True)
        if unknown:
            raise ValueError(
                _("Unknown roles: %(unknown)s. The roles are: %(roles)s.")
                % {
                    "unknown": _("; ").join(unknown),
                    "roles": _("; ").join(
                        str(Person._meta.get_field(role).verbose_name) for role in IMPORTED_ROLES
                    ),
                }
            )


class PersonResource(ImportResource):
    headings = {
        "name": gettext_lazy("name"),
        "roles": gettext_lazy("roles"),
        "building": gettext_lazy("building"),
        "unit": gettext_lazy("unit"),
        "phone": gettext_lazy("phone"),
    }
    required_headings = ("name",)

    name = Field(attribute="name", column_name="name", widget=TextWidget())
    roles = RolesField(attribute="roles", column_name="roles")
    building = Field(attribute="building", column_name="building", widget=TextWidget())
    unit = Field(attribute="unit", column_name="unit", widget=TextWidget())
    phone = Field(attribute="phone", column_name="phone", widget=TextWidget())

    class Meta(ImportResource.Meta):
        model = Person
        fields = ("name", "roles", "building", "unit", "phone")

    def get_or_init_instance(self, instance_loader, row):
        person = find_person(
            row.get("name", ""),
            phone=row.get("phone", ""),
            building=row.get("building", ""),
            unit=row.get("unit", ""),
        )
        if person is not None:
            return person, False
        return Person(), True


PEOPLE = Importer(
    resource_class=PersonResource,
    url_name="people_import",
    title=gettext_lazy("Import people"),
    permissions=("people.add_person", "people.change_person"),
    index_url_name="wagtailsnippets_people_person:list",
    filename="people-import",
    listing_label=gettext_lazy("People"),
)
