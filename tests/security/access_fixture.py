"""The small world the access matrix is tried on: one of everything, a user per role, and
the walk over every URL pattern the site and Wagtail expose, each made into an address."""

import importlib
import re
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db.models import Model
from django.urls import URLPattern, URLResolver, get_resolver

from wagtail.contrib.redirects.models import Redirect
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.snippets.models import get_snippet_models

from blog.factories import BlogPageFactory
from core import roles
from core.transitions import labelled_transitions
from hearings.factories import HearingPageFactory
from people.factories import UserFactory
from tests.security.access_matrix import ADMIN, ANONYMOUS, ROLE_GROUPS


@dataclass(frozen=True)
class Pattern:
    """One URL pattern: its route as written (prefixes joined), its full name, its view."""

    route: str
    name: str
    callback: object

    @property
    def model(self):
        """The model a Wagtail viewset's view is for (snippets, model viewsets), if any."""
        view_class = getattr(self.callback, "view_class", None)
        model = getattr(self.callback, "view_initkwargs", {}).get("model")
        model = model or getattr(view_class, "model", None)
        if isinstance(model, str):
            model = apps.get_model(model)
        return model if isinstance(model, type) and issubclass(model, Model) else None

    @property
    def accepts_post(self):
        view_class = getattr(self.callback, "view_class", None)
        if view_class is None:
            return True  # a function view: only asking tells
        return "post" in view_class.http_method_names and hasattr(view_class, "post")


def walk(resolver=None, prefix="", namespace=""):
    """Every URL pattern under ``resolver``, depth first, in the order Django tries them."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}{entry.namespace}:"
            yield from walk(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else ""
            yield Pattern(prefix + str(entry.pattern), name, entry.callback)


def first(model):
    return model._default_manager.order_by("pk").first()


def _factories():
    """Each model's first factory, by model."""
    found = {}
    for app in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{app.name}.factories")
        except ModuleNotFoundError:
            continue
        for name in sorted(dir(module)):
            factory = getattr(module, name)
            model = getattr(getattr(factory, "_meta", None), "model", None)
            if isinstance(model, type) and hasattr(factory, "create"):
                found.setdefault(model, factory)
    return found


def build():
    """One of everything the patterns name, and a user per role; returned by name."""
    factories = _factories()
    for model in get_snippet_models():
        if not model._default_manager.exists():
            factories[model].create()

    home = Site.objects.get(is_default_site=True).root_page
    post = BlogPageFactory(title="公开的文章", slug="open-post")
    draft = BlogPageFactory(title="未发布的草稿", slug="draft-post", live=False)
    private = BlogPageFactory(title="内部通知", slug="private-post")
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    hearing = HearingPageFactory()

    image = get_image_model().objects.create(title="图片", file=get_test_image_file())
    document = get_document_model().objects.create(title="文件")
    document.file.save("notice.txt", ContentFile(b"notice"), save=True)

    Redirect.objects.create(old_path="/old-notice", redirect_page=post)

    users = {}
    for role, group in ROLE_GROUPS.items():
        if role == ANONYMOUS:
            continue
        if role == ADMIN:
            users[role] = UserFactory(username=role, is_superuser=True, is_staff=True)
        else:
            users[role] = UserFactory(username=role, groups=[Group.objects.get(name=group)])
    roles.apply_roles()
    return {
        "home": home,
        "post": post,
        "draft": draft,
        "private": private,
        "hearing": hearing,
        "image": image,
        "document": document,
        "users": users,
    }


ARGUMENT = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>|\(\?P<(?P<group>\w+)>[^)]*\)")


def address(pattern, world, values):
    """The pattern's route made into a path: each argument filled with ``values`` (the
    matrix's own, by argument name) or from the world (a record of the pattern's model, the
    post's page and revision); ``None`` when an argument has no value."""
    model = pattern.model
    record = first(model) if model is not None and not issubclass(model, Page) else None
    post = world["post"]
    defaults = {
        "pk": record.pk if record is not None else post.pk,
        "page_id": post.pk,
        "parent_page_id": world["home"].pk,
        "page_to_move_id": post.pk,
        "destination_id": world["home"].pk,
        "revision_id": post.latest_revision_id,
        "image_id": world["image"].pk,
        "document_id": world["document"].pk,
        "doc_id": world["document"].pk,
        "page_pk": post.pk,
        "collection_id": world["image"].collection_id,
        "name": labelled_transitions(model)[0]
        if record is not None and labelled_transitions(model)
        else "none",
    }
    missing = []

    def fill(match):
        name = match.group("name") or match.group("group")
        value = values.get(name, defaults.get(name))
        if callable(value):
            value = value(world)
        if value is None:
            missing.append(name)
            return ""
        return str(value)

    path = "/" + ARGUMENT.sub(fill, pattern.route).replace("^", "").replace("$", "")
    return None if missing else path
