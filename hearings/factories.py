"""Factories for briefings and hearings, as the tests need them.

Pages are added under their index (made under the default site's front page if there is
none yet) and published through a revision, as the admin does; ``live=False`` leaves a
draft that was never published. Dates default to times around "now" (``timezone.now()``
when the factory runs), so that a hearing made with ``state="open"`` is in consultation.
"""

import datetime

import factory

from django.utils import timezone

from wagtail.models import Site

from .models import (
    Audience,
    BriefingFeedbackItem,
    BriefingIndexPage,
    BriefingPage,
    DecisionCorrection,
    HearingCategory,
    HearingIndexPage,
    HearingPage,
)


def _home():
    return Site.objects.get(is_default_site=True).root_page


def _publish(page, user=None):
    page.save_revision(user=user).publish(user=user)
    page.refresh_from_db()
    return page


class _IndexFactory(factory.Factory):
    """The one index page of its type under the front page: made and published once."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        home = _home()
        existing = model_class.objects.child_of(home).first()
        if existing is not None:
            return existing
        page = model_class(*args, **kwargs)
        home.add_child(instance=page)
        return _publish(page)


class BriefingIndexPageFactory(_IndexFactory):
    title = "工作通报会"
    slug = "briefings"
    introduction = "每季度向党员和居民代表通报社区工作。"

    class Meta:
        model = BriefingIndexPage


class HearingIndexPageFactory(_IndexFactory):
    title = "听证会"
    slug = "hearings"
    introduction = "公益事业和物业管理等事项在决定前召开听证会。"

    class Meta:
        model = HearingIndexPage


class BriefingFeedbackItemFactory(factory.django.DjangoModelFactory):
    """An item of feedback raised at a briefing; ``answer=""`` leaves it open.

    Given to ``BriefingPageFactory(feedback=[...])`` built (``.build()``), it becomes part of
    the page's published revision; created with ``page=...`` it is saved on its own.
    """

    summary = factory.Sequence(lambda n: f"第{n}条意见：楼道灯经常不亮。")
    answer = ""
    answered_on = None
    sort_order = factory.Sequence(int)

    class Meta:
        model = BriefingFeedbackItem


class _MeetingFactory(factory.Factory):
    venue = "社区党群服务中心二楼会议室"

    class Meta:
        abstract = True

    @classmethod
    def _add(cls, page, parent, live, user):
        parent.add_child(instance=page)
        if live:
            return _publish(page, user)
        page.save_revision(user=user)
        page.live = False
        page.save(update_fields=["live"])
        page.refresh_from_db()
        return page


class BriefingPageFactory(_MeetingFactory):
    """``BriefingPageFactory(starts_at=..., feedback=[("said", "done"), ("said", "")])``.

    ``feedback`` gives the items raised at this briefing, as (summary, answer) pairs or
    built ``BriefingFeedbackItem``s; ``live=False`` makes a draft.
    """

    title = factory.Sequence(lambda n: f"第{n}次工作通报会")
    slug = factory.Sequence(lambda n: f"test-briefing-{n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=20))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=2))
    year = factory.LazyAttribute(lambda o: timezone.localtime(o.starts_at).year)
    quarter = factory.LazyAttribute(lambda o: (timezone.localtime(o.starts_at).month - 1) // 3 + 1)
    audience = Audience.BOTH
    agenda = "<ul><li>本季度工作通报</li><li>上次意见办理情况答复</li></ul>"
    minutes = ""

    class Meta:
        model = BriefingPage

    @classmethod
    def _create(cls, model_class, *args, parent=None, feedback=(), live=True, user=None, **kwargs):
        page = model_class(*args, **kwargs)
        for number, item in enumerate(feedback):
            if not isinstance(item, BriefingFeedbackItem):
                summary, answer = item
                item = BriefingFeedbackItem(
                    summary=summary,
                    answer=answer,
                    answered_on=timezone.localdate() if answer else None,
                )
            item.sort_order = number
            page.feedback_items.add(item)
        return cls._add(page, parent or BriefingIndexPageFactory(), live, user)


# Consultation windows and hearing days, in days from now, for each state.
HEARING_DATES = {
    "announced": (5, 25, 27),
    "open": (-3, 10, 12),
    "closed": (-40, -2, -5),
    "decided": (-70, -35, -38),
}


def _days(days):
    return timezone.now() + datetime.timedelta(days=days)


class HearingPageFactory(_MeetingFactory):
    """``HearingPageFactory(state="closed", category=...)``: a published hearing.

    ``state`` ("announced", "open", "closed" or "decided") picks dates that put the hearing
    in that state now, unless the dates are given. "decided" writes the summary and the
    decision and publishes the decision as ``decided_by`` (by default a superuser) through
    the named transition, as a moderator would.
    """

    title = factory.Sequence(lambda n: f"第{n}号事项听证会")
    slug = factory.Sequence(lambda n: f"test-hearing-{n}")
    category = HearingCategory.WELFARE
    matter = factory.Sequence(lambda n: f"第{n}号事项：中心花园增设健身器材和无障碍坡道。")
    summary = ""
    decision = ""

    class Meta:
        model = HearingPage

    @classmethod
    def _create(
        cls,
        model_class,
        *args,
        parent=None,
        state="open",
        live=True,
        user=None,
        decided_by=None,
        **kwargs,
    ):
        opens, closes, day = HEARING_DATES[state]
        kwargs.setdefault("consultation_opens", _days(opens))
        kwargs.setdefault("consultation_closes", _days(closes))
        kwargs.setdefault("starts_at", _days(day))
        kwargs.setdefault("ends_at", kwargs["starts_at"] + datetime.timedelta(hours=2))
        if state == "decided":
            kwargs["summary"] = kwargs["summary"] or "<p>共收到意见12条，多数居民支持。</p>"
            kwargs["decision"] = kwargs["decision"] or "<p>决定实施，下月开工。</p>"
        page = cls._add(
            model_class(*args, **kwargs), parent or HearingIndexPageFactory(), live, user
        )
        if state == "decided":
            from core.transitions import perform
            from people.factories import UserFactory

            if decided_by is None:
                decided_by = UserFactory(username="factory-admin", is_superuser=True, is_staff=True)
            perform(page, "publish_decision", decided_by)
        return page


class DecisionCorrectionFactory(factory.django.DjangoModelFactory):
    """A correction of a published decision (of a decided hearing by default)."""

    page = factory.SubFactory(HearingPageFactory, state="decided")
    decision = "<p>决定实施，开工推迟一个月。</p>"
    reason = "施工单位变更。"

    class Meta:
        model = DecisionCorrection
