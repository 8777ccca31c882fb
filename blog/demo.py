"""Demo content of the blog column: topics open and closed, notices, activity reports, and
residents' opinions in every state, some on the notice board."""

import datetime

from django.utils import timezone

from wagtail.models import Site

from core.transitions import perform
from opinions.models import Opinion, OpinionState

from .models import BlogIndexPage, BlogKind, BlogPage

POSTS = [
    # (slug, kind, title, introduction, tags, days ago, opinions close in days: None never, < 0 closed)
    (
        "parking-2026",
        BlogKind.TOPIC,
        "小区停车难，大家怎么看？",
        "小区车位紧张，夜间占用消防通道的情况时有发生。居委会拟推行错时共享停车，请居民发表意见。",
        ["停车", "议事"],
        3,
        14,
    ),
    (
        "garden-renewal",
        BlogKind.TOPIC,
        "中心花园改造方案征求意见",
        "中心花园计划今冬改造，初步方案包括增加健身器材、儿童游乐区和无障碍坡道。欢迎提出建议。",
        ["公共空间", "议事"],
        10,
        None,
    ),
    (
        "waste-sorting-review",
        BlogKind.TOPIC,
        "垃圾分类定时定点一年回顾",
        "定时定点投放实施满一年，意见征集已经结束，感谢大家参与。",
        ["垃圾分类"],
        60,
        -20,
    ),
    (
        "heating-notice",
        BlogKind.NOTICE,
        "关于冬季供暖设备检修的通知",
        "12月3日至5日，物业将对3号楼至6号楼的供暖设备进行检修，届时可能短暂停暖。",
        ["物业"],
        1,
        None,
    ),
    (
        "vaccination-notice",
        BlogKind.NOTICE,
        "老年人流感疫苗接种通知",
        "社区卫生服务站将于本周六上午为65岁以上老人免费接种流感疫苗，请携带身份证。",
        ["健康"],
        5,
        None,
    ),
    (
        "election-notice",
        BlogKind.NOTICE,
        "关于召开居民代表会议的通知",
        "定于下月10日召开居民代表会议，审议中心花园改造方案。",
        ["议事"],
        8,
        None,
    ),
    (
        "volunteer-day",
        BlogKind.REPORT,
        "“邻里守望”志愿服务日活动回顾",
        "上周六，四十余名志愿者为独居老人打扫卫生、检修电器，并开展了防诈骗宣传。",
        ["志愿服务"],
        12,
        None,
    ),
    (
        "flood-drill",
        BlogKind.REPORT,
        "汛期应急演练顺利完成",
        "社区联合物业、消防开展了地下车库防汛演练，检验了应急预案。",
        ["安全"],
        30,
        None,
    ),
]

OPINIONS = [
    # (post slug, name, body, contact, final state)
    (
        "parking-2026",
        "3号楼老李",
        "建议晚上把小区门口的临时车位开放给居民，白天再留给访客。",
        "13812345678",
        OpinionState.PROMOTED,
    ),
    (
        "parking-2026",
        "王阿姨",
        "消防通道一定要划线，占用的车应该贴条提醒。",
        "",
        OpinionState.APPROVED,
    ),
    (
        "parking-2026",
        "小陈",
        "能不能和隔壁商场谈谈夜间共享停车？",
        "chen@example.org",
        OpinionState.APPROVED,
    ),
    ("parking-2026", "匿名居民", "我觉得收费车位应该先满足本小区业主。", "", OpinionState.PENDING),
    (
        "parking-2026",
        "Tom (5号楼)",
        "Please add more bicycle racks near building 5 as well.",
        "",
        OpinionState.PENDING,
    ),
    (
        "garden-renewal",
        "张老师",
        "儿童游乐区请铺设软垫，器材要适合低龄儿童。",
        "",
        OpinionState.PROMOTED,
    ),
    (
        "garden-renewal",
        "刘大爷",
        "希望保留那几棵老槐树，夏天乘凉全靠它们。",
        "",
        OpinionState.APPROVED,
    ),
    ("garden-renewal", "推广", "专业代办各类证件，价格优惠，请加微信……", "", OpinionState.SPAM),
    ("garden-renewal", "路人", "这个方案就是浪费钱！！！", "", OpinionState.REJECTED),
    (
        "garden-renewal",
        "<b>测试</b>",
        "<script>alert('x')</script> 请在花园加装路灯。",
        "",
        OpinionState.PENDING,
    ),
    (
        "waste-sorting-review",
        "赵女士",
        "定时投放点晚上八点就关太早了，上班族赶不上。",
        "",
        OpinionState.APPROVED,
    ),
]

STEPS = {
    OpinionState.PENDING: [],
    OpinionState.APPROVED: [("approve", "")],
    OpinionState.PROMOTED: [("approve", ""), ("promote", "观点具体，值得大家讨论")],
    OpinionState.REJECTED: [("reject", "情绪化表达，未提出具体意见")],
    OpinionState.SPAM: [("mark_spam", "广告")],
}


# What the moderators told a resident whose opinion they did not publish (the history
# reason above stays internal), and what the committee said or did about an opinion.
PUBLIC_REASONS = {
    "这个方案就是浪费钱！！！": "意见没有说明具体理由或建议，欢迎补充后重新提交。",
}
RESPONSES = {
    "建议晚上把小区门口的临时车位开放给居民，白天再留给访客。": (
        "居委会已与物业商定：每晚七点至次日早上七点，门口临时车位对本小区居民开放，"
        "下月一日起试行三个月。"
    ),
    "消防通道一定要划线，占用的车应该贴条提醒。": "物业已于本周完成消防通道划线。",
}


def publish(page, users):
    revision = page.save_revision(user=users.get("editor"), log_action=True)
    revision.publish(user=users.get("moderator"))


def add_opinion(page, name, body, contact, state, users, received):
    opinion = Opinion(
        page=page,
        author_name=name,
        body=body,
        contact=contact,
        language="en" if body.isascii() else "zh-hans",
        created_at=received,
    )
    opinion.save()
    for name_of_step, reason in STEPS[state]:
        extra = {"public_reason": PUBLIC_REASONS.get(body, "")} if name_of_step == "reject" else {}
        perform(opinion, name_of_step, users["moderator"], reason=reason, **extra)
    if body in RESPONSES:
        # Recorded by a moderator in the admin, as an edit with its own history row.
        opinion.response = RESPONSES[body]
        opinion._history_user = users["moderator"]
        opinion.save()
    return opinion


def seed(*, scale, users):
    site = Site.objects.get(is_default_site=True)
    home = site.root_page.specific
    index = BlogIndexPage.objects.child_of(home).first()
    created = 0
    if index is None:
        index = BlogIndexPage(
            title="社区博客",
            slug="blog",
            show_in_menus=True,
            introduction="社区党委和居委会在这里发布议题、通知和活动报道，欢迎居民就议题发表意见。",
        )
        home.add_child(instance=index)
        publish(index, users)
        created += 1

    now = timezone.now()
    today = timezone.localdate()
    existing = set(BlogPage.objects.child_of(index).values_list("slug", flat=True))
    for copy in range(scale):
        for base_slug, kind, title, intro, tags, days_ago, closes_in in POSTS:
            slug = base_slug
            if copy:
                slug, title = f"{slug}-{copy + 1}", f"{title}（{copy + 1}）"
            if slug in existing:
                continue
            post = BlogPage(
                slug=slug,
                title=title,
                kind=kind,
                introduction=intro,
                date=today - datetime.timedelta(days=days_ago + 30 * copy),
                body=[{"type": "paragraph", "value": f"<p>{intro}</p>"}],
                opinions_close_at=None
                if closes_in is None
                else now + datetime.timedelta(days=closes_in),
            )
            post.tags.add(*tags)
            index.add_child(instance=post)
            publish(post, users)
            created += 1
            for number, (post_slug, name, body, contact, state) in enumerate(OPINIONS):
                if post_slug == base_slug:
                    received = now - datetime.timedelta(hours=number * 7 + 1)
                    add_opinion(post, name, body, contact, state, users, received)
    return created
