"""The compliance dashboard's list of party members absent from organisation life too often
(缺席组织生活过多): active members absent without leave from ``ABSENCES_TOO_MANY`` or more held
meetings this year, with their branch and the last meeting they attended.

``people`` shows it without importing ``party``: ``register`` (called from
``PartyConfig.ready``) hands it to ``people.compliance.register_part``. Only those who may
read the party members and their attendance see it (the party-affairs office, supervisors).
"""

from django.db.models import Count, OuterRef, Subquery
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from people import compliance

from .models import ABSENCES_TOO_MANY, VIEW, Attendance, AttendanceStatus, PartyMember

VIEW_ATTENDANCE = "party.view_attendance"


def may_view(user):
    return user.has_perm(VIEW) and user.has_perm(VIEW_ATTENDANCE)


def absent_too_often(year):
    """Active members absent without leave from ``ABSENCES_TOO_MANY`` or more of ``year``'s
    meetings (exactly that many counts; leave does not), with ``absent_count`` and
    ``last_attended`` (the date of the last meeting they were present at, any year, or None);
    the most absent first. One query, whatever the number of members."""
    # Driven from the year's absences (the status and date index): the members with enough
    # of them, then only their rows of the year; the last meeting attended reads one entry
    # of the member and date index. The panel on every dashboard runs this.
    flagged = (
        Attendance.objects.in_year(year)
        .absent()
        .order_by()
        .values("member")
        .annotate(absences=Count("pk"))
        .filter(absences__gte=ABSENCES_TOO_MANY)
        .values("member")
    )
    last_present = (
        Attendance.objects.filter(member=OuterRef("pk"), status=AttendanceStatus.PRESENT)
        .order_by("-date", "-id")
        .values("date")[:1]
    )
    return (
        PartyMember.objects.active()
        .filter(pk__in=flagged)
        .absent_too_often(year)
        .annotate(last_attended=Subquery(last_present))
        .select_related("person")
        .order_by("-absent_count", "person__name", "pk")
    )


def rows(today):
    return [
        [
            member.person.name,
            member.branch,
            member.absent_count,
            member.last_attended if member.last_attended else _("never"),
        ]
        for member in absent_too_often(today.year)
    ]


def count(today):
    return absent_too_often(today.year).count()


def summary(number):
    return ngettext(
        "%(count)s party member is absent from organisation life too often.",
        "%(count)s party members are absent from organisation life too often.",
        number,
    ) % {"count": number}


def title():
    return _("Party members absent without leave from %(number)s or more meetings this year") % {
        "number": ABSENCES_TOO_MANY
    }


def register():
    compliance.register_part(
        "absences",
        title=lazy(title, str)(),
        headings=(
            gettext_lazy("Party member"),
            gettext_lazy("Party branch"),
            gettext_lazy("Absences without leave this year"),
            gettext_lazy("Last attended"),
        ),
        rows=rows,
        count=count,
        may_view=may_view,
        summary=summary,
        empty=gettext_lazy("No party member is absent too often this year."),
    )
