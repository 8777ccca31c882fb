"""Who may see and ask for shift swaps: every cadre in the register.

Swaps go by the person, not by the groups of their account: a cadre whose account is a
clerk's (and not in Duty cadres) holds shifts too, and must be able to find the swaps asked
of them, answer them, and ask for swaps of their own shifts. The steps themselves are
allowed by the person (``duty.models``); this policy only opens the listing and the form.
"""

from wagtail.permission_policies import ModelPermissionPolicy

from .models import person_of

# What a cadre in the register may do with swaps whatever their account's groups.
CADRE_SWAP_ACTIONS = ("view", "add")


class ShiftSwapPermissionPolicy(ModelPermissionPolicy):
    def user_has_permission(self, user, action):
        if action in CADRE_SWAP_ACTIONS and user.is_active and _is_a_cadre(user):
            return True
        return super().user_has_permission(user, action)


def _is_a_cadre(user):
    person = person_of(user)
    return person is not None and person.is_cadre and person.is_active
