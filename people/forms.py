"""The person's admin form and what it shows of the person's party membership.

A person's party membership and its category are kept by the party member record
(``party.PartyMember``), the one source of both: the person's form shows them read-only, with
a link to that record, and never edits them. ``people`` does not import ``party``: it reads
the record through its one-to-one relation and finds its admin pages by their URL names.
"""

from django import forms
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from wagtail.admin.admin_url_finder import AdminURLFinder
from wagtail.admin.panels import Panel

from core.forms import ReasonForm

# Who may add a party member record (the party-affairs office, ``core.roles``).
ADD_PARTY_MEMBER = "party.add_partymember"
VIEW_PARTY_MEMBER = "party.view_partymember"
PARTY_MEMBER_ADD_URL = "wagtailsnippets_party_partymember:add"


def party_member_add_url(person):
    """The party member form with ``person`` chosen, or None where there is none."""
    try:
        url = reverse(PARTY_MEMBER_ADD_URL)
    except NoReverseMatch:
        return None
    return f"{url}?{urlencode({'person': person.pk})}"


class PersonForm(ReasonForm):
    """The person's form: the roles a person is given here (cadre, representative, volunteer),
    and, for whoever keeps the party members, a way to enter a new party member whose only
    role is that membership: the member record is added next and gives the role."""

    joining_party = forms.BooleanField(
        label=_("A new party member"),
        required=False,
        help_text=_(
            "Tick for a person who joins the register as a party member: their party member "
            "record is added next, and it gives the role."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        if (
            user is None
            or not user.has_perm(ADD_PARTY_MEMBER)
            or self.instance.party_member_record is not None
        ):
            del self.fields["joining_party"]

    def clean(self):
        cleaned_data = super().clean()
        # Read by ``Person.clean`` (the one-role rule), which runs after this.
        self.instance.joining_party = bool(cleaned_data.get("joining_party"))
        return cleaned_data


class PartyMembershipPanel(Panel):
    """The person's party membership as the member record keeps it, read-only: its category
    and state, with a link to the record for those who may open it (or to add one)."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "people/admin/party_membership_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            person = self.instance
            member = person.party_member_record if person.pk else None
            user = self.request.user
            member_url = add_url = None
            if member is not None and user.has_perm(VIEW_PARTY_MEMBER):
                finder = AdminURLFinder(user)
                member_url = finder.get_edit_url(member)
                if member_url is None:
                    try:
                        member_url = reverse(
                            "wagtailsnippets_party_partymember:inspect", args=[member.pk]
                        )
                    except NoReverseMatch:
                        member_url = None
            elif member is None and person.pk and user.has_perm(ADD_PARTY_MEMBER):
                add_url = party_member_add_url(person)
            context.update(member=member, member_url=member_url, add_url=add_url)
            return context
