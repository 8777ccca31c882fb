"""Demo co-building records, built through the ORM so that history exists: partner units of
every kind, agreements in force and ended, joint activities of the four kinds in draft and
published, new organisations with and without the "needs a party organisation" flag and the
guidance visits paid to them; each published activity has a photo (a picture drawn here, a
Wagtail image in the "co-building photos" collection). ``scale`` copies of each; idempotent."""

import datetime
import functools
from io import BytesIO

from PIL import Image as PillowImage
from PIL import ImageDraw

from django.core.files.images import ImageFile
from django.utils import timezone

from wagtail.images import get_image_model
from wagtail.images.models import Filter
from wagtail.models import Collection

from core.transitions import perform
from people.models import Person

from . import views
from .models import (
    ActivityKind,
    ActivityState,
    Agreement,
    AgreementState,
    GuidanceVisit,
    JointActivity,
    NewOrganisation,
    OrganisationKind,
    Partner,
    PartnerKind,
)

PARTNERS = [
    (PartnerKind.GOVERNMENT, "区城市管理局", "解放路12号", "马文涛"),
    (PartnerKind.ENTERPRISE, "国网供电公司城东营业所", "和平路88号", "黄海燕"),
    (PartnerKind.SCHOOL, "市第三中学", "学府街3号", "何丽君"),
    (PartnerKind.HOSPITAL, "区人民医院", "健康路1号", "罗志刚"),
    (PartnerKind.SOCIAL, "阳光社会工作服务中心", "民生路20号", "宋晓燕"),
    (PartnerKind.OTHER, "驻区武警中队", "东营路6号", "韩立军"),
]

ACTIVITIES = {
    ActivityKind.ENVIRONMENT: ("楼道环境整治", "清理楼道堆物四十余处，更换破损宣传栏两块"),
    ActivityKind.SERVICES: ("便民服务进社区", "义诊测血压一百二十人次，上门维修电路八户"),
    ActivityKind.SECURITY: ("平安社区联防巡逻", "夜间巡逻三次，排查消防隐患五处并督促整改"),
    ActivityKind.CULTURE: ("邻里文化节", "文艺汇演八个节目，开放学校操场供居民健身"),
}

# (name, kind, employees, party members, party organisation or ""): two are flagged.
ORGANISATIONS = [
    ("智联网络科技有限公司", OrganisationKind.ECONOMIC, 45, 4, ""),
    ("邻里帮家政服务有限公司", OrganisationKind.ECONOMIC, 18, 2, ""),
    ("众创空间孵化器", OrganisationKind.ECONOMIC, 60, 5, "众创空间联合党支部"),
    ("夕阳红养老服务中心", OrganisationKind.SOCIAL, 25, 3, ""),
    ("蒲公英青少年服务社", OrganisationKind.SOCIAL, 9, 3, "社区社会组织联合党支部"),
    ("和美调解工作室", OrganisationKind.SOCIAL, 6, 0, ""),
]


def _copy(name, copy):
    return name if copy == 0 else f"{name}（{copy + 1}）"


def seed(*, scale, users):
    """Every kind of partner, agreement state, activity kind and state, and organisations
    flagged and not, ``scale`` times."""
    office = users.get("party") or users.get("admin")
    if office is None:
        return 0
    today = timezone.localdate()
    created = 0
    partners = []
    for copy in range(scale):
        for index, (kind, name, address, contact) in enumerate(PARTNERS):
            partner, made = Partner.objects.get_or_create(
                name=_copy(name, copy),
                defaults={
                    "kind": kind,
                    "address": address,
                    "contact_person": contact,
                    "contact_phone": f"1390000{copy:02d}{index:02d}"[-11:],
                    # One unit of each copy no longer co-builds.
                    "active": kind != PartnerKind.OTHER or copy % 2 == 1,
                },
            )
            created += made
            partners.append(partner)
    created += _agreements(partners, office, today)
    created += _activities(partners, office, today, scale)
    created += _organisations(scale)
    return created


def _agreements(partners, office, today):
    created = 0
    for index, partner in enumerate(partners):
        agreement, made = Agreement.objects.get_or_create(
            partner=partner,
            title=f"与{partner.name}共驻共建协议",
            defaults={
                "signed_on": datetime.date(today.year - 1 - index % 2, 3, 1),
                "valid_until": datetime.date(today.year + 1, 12, 31),
                "community_undertakes": "提供活动场地和居民需求清单，组织党员志愿者参与",
                "partner_undertakes": "每季度开展一次共建活动，开放场地设施供居民使用",
            },
        )
        created += made
        # Every third agreement has ended.
        if made and index % 3 == 2 and agreement.state == AgreementState.IN_FORCE:
            perform(agreement, "end", office, reason="协议期满，双方商定不再续签")
    return created


def _activities(partners, office, today, scale):
    created = 0
    residents = list(Person.objects.order_by("pk")[:6])
    number = 0
    for copy in range(scale):
        for k, (kind, (title, outcome)) in enumerate(ACTIVITIES.items()):
            for state in ActivityState:
                number += 1
                published = state == ActivityState.PUBLISHED
                date = (
                    today - datetime.timedelta(days=10 + 9 * k + copy % 300)
                    if published
                    else today + datetime.timedelta(days=5 + k + copy % 30)
                )
                activity, made = JointActivity.objects.get_or_create(
                    title=_copy(f"{title}（{'已举办' if published else '筹备中'}）", copy),
                    defaults={
                        "kind": kind,
                        "date": date,
                        "place": "社区党群服务中心" if k % 2 else "社区广场",
                        "participant_count": 20 + 5 * k,
                        "outcome": outcome if published else "",
                    },
                )
                created += made
                if made:
                    activity.partners.set(
                        [partners[number % len(partners)], partners[(number + 1) % len(partners)]]
                    )
                    if residents:
                        activity.participants.set(residents[: 2 + k])
                if published and activity.state == ActivityState.DRAFT:
                    perform(activity, "publish", office)
                if published and activity.photo_id is None:
                    activity.photo = _photo(activity, kind, _collection())
                    activity._history_user = office
                    activity.save(update_fields=["photo"])
    return created


PHOTO_COLLECTION = "共建活动照片"
# Each kind's colours (background, pattern): the demo's photos are drawn, not downloaded.
PHOTO_COLOURS = {
    ActivityKind.ENVIRONMENT: ((76, 140, 74), (190, 224, 170)),
    ActivityKind.SERVICES: ((44, 98, 160), (178, 208, 238)),
    ActivityKind.SECURITY: ((52, 58, 96), (230, 190, 80)),
    ActivityKind.CULTURE: ((196, 92, 40), (250, 214, 150)),
}


def _collection():
    root = Collection.get_first_root_node()
    existing = root.get_children().filter(name=PHOTO_COLLECTION).first()
    return existing or root.add_child(name=PHOTO_COLLECTION)


@functools.cache
def _picture_bytes(kind):
    """An 800×600 PNG: the kind's colour with diagonal stripes and a disc (drawn and compressed
    once per kind: each activity's photo is its own image, with the same picture)."""
    background, pattern = PHOTO_COLOURS[kind]
    picture = PillowImage.new("RGB", (800, 600), background)
    draw = ImageDraw.Draw(picture)
    for x in range(-600, 800, 80):
        draw.line([(x, 600), (x + 600, 0)], fill=pattern, width=12)
    draw.ellipse([280, 180, 520, 420], fill=pattern, outline=background, width=8)
    data = BytesIO()
    picture.save(data, format="PNG", optimize=True)
    return data.getvalue()


def _picture(kind):
    return BytesIO(_picture_bytes(kind))


def _photo(activity, kind, collection):
    """The activity's photo as a Wagtail image, with its public renditions made at once (the
    public pages then only read them)."""
    image = get_image_model()(
        title=f"{activity.title}照片",
        description=f"{activity.title}（示意图）",
        collection=collection,
        file=ImageFile(_picture(kind), name=f"cobuilding-{kind}.png"),
    )
    image.save()
    for spec in views.PHOTO_SPECS:
        image.get_renditions(*Filter.expand_spec(spec))
    return image


def _organisations(scale):
    created = 0
    for copy in range(scale):
        for index, (name, kind, employees, members, organisation) in enumerate(ORGANISATIONS):
            record, made = NewOrganisation.objects.get_or_create(
                name=_copy(name, copy),
                defaults={
                    "kind": kind,
                    "address": f"创业大街{index + 1}号",
                    "employees": employees,
                    "party_members": members,
                    "has_party_organisation": bool(organisation),
                    "party_organisation": organisation,
                },
            )
            created += made
            if members == 0:
                continue
            _visit, made = GuidanceVisit.objects.get_or_create(
                organisation=record,
                date=datetime.date(2026, 3, 1 + index),
                defaults={
                    "visitors": "社区党委书记、党建指导员",
                    "advice": "摸清党员底数，条件成熟时组建党支部"
                    if not organisation
                    else "规范“三会一课”，发挥党员先锋作用",
                },
            )
            created += made
    return created
