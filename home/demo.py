"""Demo content of the front page, the plain pages and the site settings."""

from wagtail.models import Site
from wagtail.rich_text import RichText

from core.models import CommunitySettings

from .models import HomePage, StandardPage

COMMUNITY = {
    "community_name": "幸福里社区",
    "committee_name": "幸福里社区党委 · 居民委员会",
    "office_address": "幸福里路88号 社区党群服务中心一楼",
    "office_hours": "周一至周五 8:30–17:30；错时值班 工作日 17:30–20:30，周六 9:00–17:00",
    "duty_phone": "021-64550100",
}

HOME_INTRODUCTION = (
    "欢迎来到幸福里社区网站。在这里可以查看社区公告、议事动态和本月值班表，"
    "就社区事务发表意见，也可以在下班时间提交服务诉求。"
)


def paragraph(text):
    return {"type": "paragraph", "value": f"<p>{text}</p>"}


def heading(text):
    return {"type": "heading", "value": text}


# The guide and the contact page send a resident to the request form, the roster and the box
# that follows a request (on the roster page), so that nobody needs to know the addresses.
REQUEST_LINKS = paragraph(
    '下班时间有事找社区？可以<a href="/duty/request/">在网上提交诉求</a>，'
    "值班干部会在值班记录本中看到并答复；提交后会得到一个查询编号，"
    '在<a href="/duty/">本月值班表</a>页面或首页输入编号即可查看办理进度。'
)


PAGES = [
    {
        "slug": "about",
        "title": "关于居委会",
        "show_in_menus": True,
        "introduction": "幸福里社区党委和居民委员会服务本社区约三千二百户居民。",
        "body": [
            heading("我们的职责"),
            paragraph(
                "社区党委领导社区各项工作；居民委员会是居民自我管理、自我教育、自我服务的"
                "基层群众性自治组织，负责召集居民代表会议、办理公共事务和公益事业、调解民间纠纷、"
                "协助维护社会治安，并向人民政府反映居民的意见、要求和建议。"
            ),
            heading("议事制度"),
            paragraph(
                "涉及居民切身利益的重大事项，由社区党员和居民代表会议表决；每季度向党员和居民代表"
                "通报工作、听取意见；公益项目和物业管理事项在决定前召开听证会。"
            ),
            heading("About the committee"),
            paragraph(
                "The community Party committee and the residents' committee serve about 3,200 "
                "households. Matters that concern residents' vital interests are put to the "
                "meeting of party members and resident representatives; public-welfare projects "
                "and property management are heard in public before they are decided."
            ),
        ],
    },
    {
        "slug": "services",
        "title": "办事指南",
        "show_in_menus": True,
        "introduction": "居民常办事项的办理地点、时间和所需材料。",
        "body": [
            paragraph("以下事项可在社区党群服务中心一楼办理。错时值班期间也可受理居民诉求。"),
            REQUEST_LINKS,
        ],
    },
    {
        "slug": "contact",
        "title": "联系我们",
        "show_in_menus": True,
        "introduction": "社区党群服务中心的地址、办公时间和值班电话。",
        "body": [
            paragraph("地址：幸福里路88号 社区党群服务中心一楼。"),
            paragraph(
                "办公时间：周一至周五 8:30–17:30。错时值班：工作日 17:30–20:30，周六 9:00–17:00。"
            ),
            paragraph("值班电话：021-64550100。"),
            REQUEST_LINKS,
        ],
    },
]

SERVICE_GUIDES = [
    ("居住证明开具", "携带身份证和户口簿或房产证明，到服务中心一楼窗口办理，当场出具。"),
    ("老年人优待证办理", "年满60周岁的本社区居民，携带身份证和一寸照片一张办理。"),
    ("停车位登记", "小区停车位实行登记轮候，携带行驶证和房产证明到物业服务中心登记。"),
    ("垃圾分类咨询", "每周六上午在社区广场设咨询点，志愿者现场指导垃圾分类投放。"),
    ("困难家庭救助申请", "家庭人均收入低于本市最低生活保障标准的，可向居委会提出申请。"),
]


def publish(page, users):
    """The editor writes the revision and the moderator publishes it, as on the live site."""
    revision = page.save_revision(user=users.get("editor"), log_action=True)
    revision.publish(user=users.get("moderator"))
    return page


def seed(*, scale, users):
    site = Site.objects.get(is_default_site=True)
    if site.site_name != COMMUNITY["community_name"]:
        site.site_name = COMMUNITY["community_name"]
        site.save(update_fields=["site_name"])

    community = CommunitySettings.for_site(site)
    if not community.community_name:
        for field, value in COMMUNITY.items():
            setattr(community, field, value)
        community.save()

    home = site.root_page.specific
    if isinstance(home, HomePage) and not home.introduction:
        home.title = COMMUNITY["community_name"]
        home.draft_title = home.title
        home.introduction = HOME_INTRODUCTION
        publish(home, users)

    created = 0
    pages = {}
    for spec in PAGES:
        page = StandardPage.objects.child_of(home).filter(slug=spec["slug"]).first()
        if page is None:
            page = StandardPage(**spec)
            home.add_child(instance=page)
            publish(page, users)
            created += 1
        elif REQUEST_LINKS in spec["body"] and "/duty/request/" not in str(page.body.raw_data):
            # A demo seeded before the pages linked to the request form.
            page.body.append(("paragraph", RichText(REQUEST_LINKS["value"])))
            publish(page, users)
        pages[spec["slug"]] = page

    guides = pages["services"]
    existing = set(StandardPage.objects.child_of(guides).values_list("slug", flat=True))
    for index in range(len(SERVICE_GUIDES) * scale):
        slug = f"guide-{index + 1}"
        if slug in existing:
            continue
        title, text = SERVICE_GUIDES[index % len(SERVICE_GUIDES)]
        if index >= len(SERVICE_GUIDES):
            title = f"{title}（{index // len(SERVICE_GUIDES) + 1}）"
        page = StandardPage(slug=slug, title=title, introduction=text, body=[paragraph(text)])
        guides.add_child(instance=page)
        publish(page, users)
        created += 1
    return created
