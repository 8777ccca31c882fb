"""The import rules of docs/architecture.md, checked on the source.

Imports run downhill: ``core`` imports no app of the project; ``audit`` builds on ``core``;
``people`` and ``opinions`` on those two; the module apps may use everything below them but
not each other (one exception: the duty assessment reads ``votes.api``); ``home`` reads the
module apps; ``cms`` only wires settings, urls and wsgi.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

BASE = {"core"}
MIDDLE = BASE | {"audit", "people", "opinions"}
MODULES = {
    "blog",
    "hearings",
    "votes",
    "duty",
    "party",
    "appraisals",
    "visits",
    "cobuilding",
    "buildings",
    "volunteers",
}

# app → the project apps it may import (itself always allowed).
ALLOWED = {
    "core": set(),
    "audit": BASE,
    "people": BASE | {"audit"},
    "opinions": BASE | {"audit"},
    "blog": MIDDLE,
    "hearings": MIDDLE,
    "votes": MIDDLE,
    "duty": MIDDLE,
    "party": BASE | {"audit", "people"},
    "appraisals": MIDDLE,
    # Out into the community: households and visits, co-building partners, the buildings.
    "visits": BASE | {"audit", "people"},
    "cobuilding": BASE | {"audit", "people"},
    "buildings": BASE | {"audit", "people"},
    # Volunteer teams, activities, pledge cards; the posts' service days through duty.api.
    "volunteers": BASE | {"audit", "people"},
    "home": MIDDLE | MODULES,
}
# Imports allowed beyond the table, as (importing app, imported module) pairs.
EXCEPTIONS = {
    ("duty", "votes.api"),
    ("appraisals", "votes.api"),
    ("appraisals", "duty.api"),
    ("volunteers", "duty.api"),
}
PROJECT_APPS = set(ALLOWED) | {"cms"}


def imported_modules(path, root=ROOT):
    """Every project module that ``path`` imports, relative imports resolved.

    ``from votes import api`` counts as importing ``votes.api`` when that is an allowed
    exception, and as importing ``votes`` otherwise.
    """
    package = path.relative_to(root).with_suffix("").parts[:-1]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    exceptions = {module for _owner, module in EXCEPTIONS}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package[: len(package) - node.level + 1]
                module = ".".join([*parts, *([node.module] if node.module else [])])
            else:
                module = node.module
            for alias in node.names:
                submodule = f"{module}.{alias.name}"
                yield submodule if submodule in exceptions else module


def violations(app, root=ROOT):
    found = []
    for path in sorted((root / app).rglob("*.py")):
        for module in imported_modules(path, root):
            top = module.split(".")[0]
            if top not in PROJECT_APPS or top == app or top in ALLOWED[app]:
                continue
            if any(
                owner == app and (module == allowed or module.startswith(f"{allowed}."))
                for owner, allowed in EXCEPTIONS
            ):
                continue
            found.append(f"{path.relative_to(root)} imports {module}")
    return found


@pytest.mark.parametrize("app", sorted(ALLOWED))
def test_app_imports_only_what_lies_below_it(app):
    assert violations(app) == []


def test_the_rule_finds_a_forbidden_import(tmp_path):
    """The check itself: an import across the module apps is caught, relative ones too."""
    (tmp_path / "blog").mkdir()
    (tmp_path / "blog" / "bad.py").write_text("from votes.models import Motion\n")
    (tmp_path / "blog" / "ok.py").write_text(
        "from core.pages import CommunityPage\nfrom . import x\n"
    )
    (tmp_path / "core").mkdir()
    (tmp_path / "core" / "bad.py").write_text("import audit.history\n")
    assert violations("blog", tmp_path) == ["blog/bad.py imports votes.models"]
    assert violations("core", tmp_path) == ["core/bad.py imports audit.history"]


def test_duty_may_read_only_the_public_api_of_votes(tmp_path):
    (tmp_path / "duty").mkdir()
    (tmp_path / "duty" / "a.py").write_text("from votes import api\nfrom votes.api import x\n")
    (tmp_path / "duty" / "b.py").write_text(
        "from votes.models import Ballot\nfrom votes import tally\n"
    )
    assert violations("duty", tmp_path) == [
        "duty/b.py imports votes.models",
        "duty/b.py imports votes",
    ]


def test_core_imports_no_app_of_the_project():
    assert ALLOWED["core"] == set()
    assert violations("core") == []


def test_cms_holds_only_the_wiring():
    """Settings, urls and wsgi: anything shared belongs in core."""
    files = {
        str(path.relative_to(ROOT / "cms"))
        for path in (ROOT / "cms").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    settings = {name for name in files if name.startswith("settings/")}
    assert files - settings <= {"__init__.py", "urls.py", "wsgi.py"}
    assert settings <= {
        "settings/__init__.py",
        "settings/base.py",
        "settings/dev.py",
        "settings/test.py",
        "settings/production.py",
        "settings/local.py",
    }


def test_cms_is_not_an_installed_app(settings):
    assert "cms" not in settings.INSTALLED_APPS
    assert settings.INSTALLED_APPS[0] == "core"


def test_core_templates_load_no_tag_library_of_an_app():
    """Templates count too: core's own may load only core's or a library's template tags."""
    from django.template.backends.django import get_installed_libraries

    libraries = get_installed_libraries()
    loads = re.compile(r"{%\s*load\s+([^%]+?)\s*%}")
    found = []
    for path in sorted((ROOT / "core" / "templates").rglob("*.html")):
        for match in loads.finditer(path.read_text(encoding="utf-8")):
            names = match.group(1).split()
            if "from" in names:
                names = names[names.index("from") + 1 :]
            for name in names:
                top = libraries[name].split(".")[0]
                if top in PROJECT_APPS and top != "core":
                    found.append(f"{path.relative_to(ROOT)} loads {name} from {top}")
    assert found == []
