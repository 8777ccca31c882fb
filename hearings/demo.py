"""Demo briefings (past and coming) and hearings in every state."""

import datetime

from django.utils import timezone

from wagtail.log_actions import log
from wagtail.models import Site

from core.transitions import perform
from opinions.models import Opinion

from .models import (
    Audience,
    BriefingFeedbackItem,
    BriefingIndexPage,
    BriefingPage,
    HearingCategory,
    HearingIndexPage,
    HearingPage,
)


def publish(page, users):
    revision = page.save_revision(user=users.get("editor"), log_action=True)
    revision.publish(user=users.get("moderator"))
    # Publishing saved another instance: without this, a later save of ``page`` (the
    # decision's transition) would write back "never published, unpublished changes".
    page.refresh_from_db()


def at(days, hour=19):
    """A local time ``days`` from today, at ``hour`` o'clock."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def index_page(model, home, users, **fields):
    page = model.objects.child_of(home).first()
    if page is None:
        page = model(show_in_menus=True, **fields)
        home.add_child(instance=page)
        publish(page, users)
    return page


BRIEFINGS = [
    # (slug, quarters before this one (0: the coming one, 20 days from today), minutes, feedback)
    (
        "briefing-3",
        3,
        "<p>通报了季度党建和居务工作，听取了代表对老旧电梯改造的意见。</p>",
        [
            ("3号楼电梯经常停运，希望尽快维修。", "已协调物业更换主板，3号楼电梯已恢复正常运行。"),
            ("小区夜间照明不足。", "已在中心花园和车棚新增12盏路灯。"),
        ],
    ),
    (
        "briefing-2",
        2,
        "<p>通报了防汛准备和垃圾分类推进情况。</p>",
        [
            ("垃圾分类投放点开放时间太短。", "已将晚间投放时间延长到21:00。"),
            ("希望增设电动自行车充电桩。", ""),
        ],
    ),
    (
        "briefing-1",
        1,
        "<p>通报了季度工作，讨论了中心花园改造的初步设想。</p>",
        [
            ("中心花园改造要保留老树。", "设计方案已明确保留全部七棵老槐树。"),
            ("希望在花园增加无障碍坡道。", ""),
            ("楼道堆物问题反复出现。", ""),
        ],
    ),
    ("briefing-next", 0, "", []),
]


def briefing_start(quarters_before):
    """25 days into the quarter ``quarters_before`` this one; 20 days from now for 0."""
    if not quarters_before:
        return at(20, 14)
    today = timezone.localdate()
    index = today.year * 4 + (today.month - 1) // 3 - quarters_before
    day = datetime.date(index // 4, index % 4 * 3 + 1, 1) + datetime.timedelta(days=25)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(14, 0)))


HEARINGS = [
    # (slug, title, category, matter, opens, closes, hearing day, summary, decision)
    (
        "garden-hearing",
        "中心花园改造听证会",
        HearingCategory.WELFARE,
        "中心花园改造方案：新增健身器材、儿童游乐区和无障碍坡道，预算约48万元，由公益金列支。",
        -3,
        10,
        12,
        "",
        "",
    ),
    (
        "lift-hearing",
        "加装电梯意见征询",
        HearingCategory.WELFARE,
        "8号楼拟加装电梯，费用按楼层分摊。现征询全体业主和住户意见。",
        5,
        25,
        27,
        "",
        "",
    ),
    (
        "property-fee-hearing",
        "物业服务费调整听证会",
        HearingCategory.PROPERTY,
        "物业公司提出将多层住宅物业费由每月每平方米1.2元调整为1.5元，并增加夜间巡逻。",
        -40,
        -2,
        -5,
        "<p>共收到意见63条：多数居民同意增加夜间巡逻，但认为涨幅过大，建议分两年调整。</p>",
        "",
    ),
    (
        "parking-fee-hearing",
        "地面停车收费方案听证会",
        HearingCategory.PROPERTY,
        "地面停车位拟实行收费管理，收入用于道路维修和增设车位。",
        -70,
        -35,
        -38,
        "<p>共收到意见112条：居民普遍支持收费管理，要求优先保障本小区居民，并公开收支。</p>",
        "<p>业主大会决定：自明年1月起实行地面停车收费，每月150元；优先保障本小区居民；收支每季度在公示栏公开。</p>",
    ),
]


def copy_of(slug, title, copy):
    """The ``copy``-th copy's slug and title (the first copy is the demo itself)."""
    if not copy:
        return slug, title
    return f"{slug}-{copy + 1}", f"{title}（{copy + 1}）"


def seed(*, scale, users):
    """The demo's briefings and hearings ``scale`` times: the copies of past briefings a
    year further back each, of the coming one a quarter further on, of the hearings in the
    same states. The measured pages' opinions come ``scale`` times too. Idempotent."""
    home = Site.objects.get(is_default_site=True).root_page.specific
    created = 0
    briefings = index_page(
        BriefingIndexPage,
        home,
        users,
        title="工作通报会",
        slug="briefings",
        introduction="每季度向党员和居民代表通报社区工作，听取意见；上次的意见办理情况在下次通报会上答复。",
    )
    hearings = index_page(
        HearingIndexPage,
        home,
        users,
        title="听证会",
        slug="hearings",
        introduction="公益事业和物业管理等事项在决定前召开听证会，征集居民意见，并公开决定及理由。",
    )
    existing = set(BriefingPage.objects.child_of(briefings).values_list("slug", flat=True))
    for copy in range(scale):
        for base_slug, quarters_before, minutes, feedback in BRIEFINGS:
            slug, _title = copy_of(base_slug, "", copy)
            if slug in existing:
                continue
            if quarters_before:
                starts = briefing_start(quarters_before + 4 * copy)
            else:
                starts = at(20 + 91 * copy, 14)
            add_briefing(briefings, slug, starts, minutes, feedback, users)
            created += 1

    existing = set(HearingPage.objects.child_of(hearings).values_list("slug", flat=True))
    for copy in range(scale):
        for base_slug, title, category, matter, opens, closes, day, summary, decision in HEARINGS:
            slug, title = copy_of(base_slug, title, copy)
            if slug in existing:
                continue
            page = HearingPage(
                slug=slug,
                title=title,
                category=category,
                matter=matter,
                consultation_opens=at(opens, 9),
                consultation_closes=at(closes, 18),
                starts_at=at(day, 19),
                ends_at=at(day, 21),
                venue="社区党群服务中心二楼会议室",
                summary=summary,
                decision=decision,
            )
            hearings.add_child(instance=page)
            publish(page, users)
            created += 1
            if decision:
                perform(page, "publish_decision", users["moderator"])
                # As the admin view does: the page's log (and so the audit chain) records it.
                log(instance=page, action="hearings.publish_decision", user=users["moderator"])
            if base_slug in OPINION_PAGES:
                add_opinions(page, users)
    # The demo's own pages with opinions hold ``scale`` times theirs, so that the pages
    # residents read most are measured with ten times the opinions at ``--scale 10``.
    for page in HearingPage.objects.child_of(hearings).filter(slug__in=OPINION_PAGES):
        for _copy in range(page.opinions.count() // len(OPINIONS), scale):
            add_opinions(page, users)
    return created


# The hearings residents have given opinions on: one approved, one waiting.
OPINION_PAGES = ("garden-hearing", "parking-fee-hearing")
OPINIONS = [
    ("5号楼居民", "支持这个方案，希望施工期间做好安全围挡。", True),
    ("新住户", "方案里的预算明细能否公开？", False),
]


def add_opinions(page, users):
    for name, body, approved in OPINIONS:
        opinion = Opinion(
            page=page,
            author_name=name,
            language="zh-hans",
            body=body,
            **(
                {"created_at": page.consultation_opens + datetime.timedelta(days=1)}
                if approved
                else {}
            ),
        )
        opinion.save()
        if approved:
            perform(opinion, "approve", users["moderator"])


def add_briefing(parent, slug, starts, minutes, feedback, users):
    local = timezone.localtime(starts)
    quarter = (local.month - 1) // 3 + 1
    page = BriefingPage(
        slug=slug,
        title=f"{local.year}年第{quarter}季度工作通报会",
        year=local.year,
        quarter=quarter,
        audience=Audience.BOTH,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        venue="社区党群服务中心二楼会议室",
        agenda="<ul><li>本季度工作通报</li><li>上次意见办理情况答复</li><li>听取党员和居民代表意见</li></ul>",
        minutes=minutes,
    )
    for number, (summary, answer) in enumerate(feedback):
        answered_on = local.date() + datetime.timedelta(days=30) if answer else None
        page.feedback_items.add(
            BriefingFeedbackItem(
                summary=summary, answer=answer, sort_order=number, answered_on=answered_on
            )
        )
    parent.add_child(instance=page)
    publish(page, users)
