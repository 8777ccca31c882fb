"""The XSS corpus stored in the site: every text field of a record of every snippet model, of a
topic, a briefing and a hearing, approved and promoted opinions, a rejected one, and requests.

``build()`` writes it through the ORM. ``tests/security/test_xss.py`` calls it in its test
database; the browser test (``tests/e2e/test_xss.py``) calls it in a ``manage.py shell`` run
against a copy of the browser tests' database, and reads ``browser_places()``: the pages a
person opens that show it.
"""

import itertools

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone

from wagtail.models import Page
from wagtail.snippets.models import get_snippet_models

from blog.factories import BlogPageFactory, blog_index
from blog.models import BlogKind
from core.indexing import reference_index_off
from duty.models import DutyRecord, DutyRecordState, RequestCategory
from hearings.factories import BriefingPageFactory, HearingPageFactory
from opinions.models import Opinion, OpinionState
from people.factories import UserFactory
from tests.security.access_fixture import _factories
from tests.security.xss_payloads import PAYLOADS, fitting, markers_shown, stored

# Fields that are keys or bookkeeping, never text a person types.
NOT_TYPED = {"reference", "language", "path", "url_path", "slug", "translation_key"}
# Opinions promoted to the notice board (the last ones of the corpus).
PROMOTED = 5


def typed_fields(model):
    """The model's text fields a person fills in (no choices, no keys)."""
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, (models.CharField, models.TextField))
        and not field.choices
        and field.name not in NOT_TYPED
        and not field.primary_key
        and field.editable
    ]


def fill(instance, start):
    """Every typed field of ``instance`` given a payload that fits it; the markers used."""
    used = set()
    for offset, field in enumerate(typed_fields(type(instance))):
        payload = next(fitting(field.max_length, start + offset * 7))
        setattr(instance, field.attname, stored(payload.text))
        used.add(payload.marker)
    return used


def _pages():
    """A topic, a briefing and a hearing whose title, introduction and other text fields hold
    payloads, each published twice (so that a revision differs from the one before)."""
    index = blog_index()
    topic = BlogPageFactory(kind=BlogKind.TOPIC, title="议题", slug="xss-topic", parent=index)
    briefing = BriefingPageFactory(slug="xss-briefing")
    hearing = HearingPageFactory(slug="xss-hearing", state="open")
    pages = {"topic": topic, "briefing": briefing, "hearing": hearing}
    shown = {}
    for number, (name, page) in enumerate(pages.items()):
        page = page.specific
        used = set()
        for version in range(2):
            used = set()
            for offset, field in enumerate(
                f for f in typed_fields(type(page)) if f.name not in {"draft_title"}
            ):
                payload = next(fitting(field.max_length, number * 11 + version * 29 + offset * 5))
                setattr(page, field.attname, stored(payload.text))
                used.add(payload.marker)
            page.draft_title = page.title
            page.save_revision().publish()
        pages[name] = Page.objects.get(pk=page.pk).specific
        shown[name] = used
    return pages, shown


def _opinions(pages, moderator):
    """One opinion per payload, spread over the three pages, approved, the last five promoted to
    the notice board; its name and the committee's response hold payloads too. Written in one
    statement: their history and moderation are not what is tried here (the first opinion's
    are, with every snippet's)."""
    names = fitting(50, 3)
    now = timezone.now()
    opinions = []
    for payload, page in zip(PAYLOADS, itertools.cycle(pages.values()), strict=False):
        promoted = payload.number > len(PAYLOADS) - PROMOTED
        opinion = Opinion(
            page=page,
            author_name=stored(next(names).text),
            contact="13700000000",
            body=stored(payload.text),
            response=stored(next(fitting(2000, payload.number + 13)).text),
            language="zh-hans",
            state=OpinionState.PROMOTED if promoted else OpinionState.APPROVED,
            moderated_by=moderator,
            moderated_at=now,
            promoted_by=moderator if promoted else None,
            promoted_at=now if promoted else None,
        )
        opinion.marker = payload.marker
        opinions.append(opinion)
    Opinion.objects.bulk_create(opinions)
    rejected = Opinion.objects.create(
        page=pages["topic"],
        author_name="某居民",
        body=stored(PAYLOADS[0].text),
        language="zh-hans",
    )
    rejected.reject(by=moderator, public_reason=stored(PAYLOADS[5].text))
    rejected.save()
    return opinions, rejected


def _records():
    """Requests whose every typed field holds a payload, one received and one resolved (its
    answer and result shown on its status page)."""
    records = []
    for number, state in enumerate((DutyRecordState.RECEIVED, DutyRecordState.RESOLVED)):
        record = DutyRecord(category=RequestCategory.REPAIR, state=state)
        fill(record, 40 + number * 3)
        record.save()
        records.append(record)
    return records


def _filled_twice(instance, start):
    fill(instance, start)
    instance.save()
    used = fill(instance, start + 1)
    instance.save()
    return used


def _snippets(every_model):
    """One record of every snippet model, each typed field given a payload and saved twice (so
    that its history has a difference to show): the model's first record that may still be
    changed (the demo's confirmed assessments may not), else a new one."""
    factories = _factories()
    filled = {}
    for number, model in enumerate(get_snippet_models()):
        if not typed_fields(model):
            continue
        candidates = itertools.chain(model._default_manager.order_by("pk")[:5], [None])
        for instance in candidates:
            try:
                with transaction.atomic():
                    instance = instance or factories[model].create()
                    filled[model] = (instance, _filled_twice(instance, number * 3))
                break
            except (ValidationError, IntegrityError):
                continue
        assert model in filled or not every_model, f"no record of {model.__name__} takes it"
    return filled


def build(every_model=True):
    """Write the corpus into the database; what was written, by name. ``every_model=False``
    leaves out a snippet model none of whose records may be changed and whose factory cannot
    add one beside them (the demo's confirmed assessments and their scores)."""
    # Wagtail's reference index (the "usage" screens) is not what is tried here, and keeping
    # it up to date is a task after every save.
    with reference_index_off():
        superuser = UserFactory(username="xss-admin", is_superuser=True, is_staff=True)
        # First: it fills the first record of each model, which the records below must not be.
        snippets = _snippets(every_model)
        pages, page_markers = _pages()
        opinions, rejected = _opinions(pages, superuser)
        records = _records()
    return {
        "admin": superuser,
        "pages": pages,
        "page_markers": page_markers,
        "opinions": opinions,
        "rejected": rejected,
        "records": records,
        "snippets": snippets,
    }


def browser_places(world):
    """The addresses a person opens that show the stored corpus, as ``{"public": [...],
    "admin": [...]}``: the pages holding opinions (each of their pages of opinions: every
    payload), the front page and the column, search results, the status pages; as a superuser
    the opinion listing, two more snippet listings and an inspect view, the History centre and
    a difference in it, and the editor of a page whose fields hold payloads."""
    from django.contrib.contenttypes.models import ContentType

    from audit.models import AuditEntry
    from opinions.pages import OpinionsPageMixin

    per_page = OpinionsPageMixin.opinions_per_page
    public = ["/", blog_index().url]
    for page in world["pages"].values():
        count = sum(1 for opinion in world["opinions"] if opinion.page_id == page.pk)
        public += [f"{page.url}?opinions={n}" for n in range(1, (count - 1) // per_page + 2)]
    topic_title = world["pages"]["topic"].title
    public.append(f"/search/?q={markers_shown(topic_title).pop()}")
    public += [f"/duty/request/{record.reference}/" for record in world["records"]]
    public += [f"/opinions/{world['opinions'][0].reference}/"]
    public += [f"/opinions/{world['rejected'].reference}/"]

    def listing(model):
        return reverse(model.snippet_viewset.get_url_name("list"))

    record, _used = world["snippets"][DutyRecord]
    opinions_listing = listing(Opinion)
    admin = [opinions_listing]
    admin += [
        listing(DutyRecord),
        reverse(DutyRecord.snippet_viewset.get_url_name("inspect"), args=[record.pk]),
    ]
    people = [model for model in world["snippets"] if model.__name__ == "Person"]
    admin += [listing(model) for model in people]
    entry = (
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(DutyRecord), object_id=str(record.pk)
        )
        .order_by("-pk")
        .first()
    )
    admin += [reverse("audit_history:index"), reverse("audit_history:inspect", args=[entry.pk])]
    admin.append(reverse("wagtailadmin_pages:edit", args=[world["pages"]["topic"].pk]))
    return {"public": public, "admin": admin}
