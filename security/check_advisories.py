"""Report installed Python distributions with known vulnerabilities, without a network.

Reads the advisory snapshot vendored in ``security/advisories/`` (a trimmed copy of the PyPA
advisory database: OSV-format YAML, one folder per PyPI package) and every distribution the
running interpreter has installed, and prints each installed version an advisory covers. A
snapshot knows nothing published after its date, so the verdict always names that date.

    make audit-deps
    .venv/bin/python security/check_advisories.py
    .venv/bin/python security/check_advisories.py --refresh-from ../advisory-database

Exit status: 0 when no installed version is affected; 1 when one is; 2 when the check cannot
vouch for its verdict (no snapshot, no advisory it could read, an advisory it could not read,
no installed distribution, or an installed package the database covers whose folder is
missing from the trimmed copy). A check that read nothing must never look like a pass.
"""

import argparse
import datetime
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from packaging.version import InvalidVersion, Version

try:
    import yaml
except ImportError:  # main() reports it as an error, never as a pass
    yaml = None

ADVISORIES = Path(__file__).resolve().parent / "advisories"
UPSTREAM = "the PyPA advisory database (github.com/pypa/advisory-database)"

OK, VULNERABLE, ERROR = 0, 1, 2

# OSV range types whose events are versions of the package; GIT ranges name commits, and the
# advisories that have them list the affected versions as well.
VERSION_RANGES = {"ECOSYSTEM", "SEMVER"}
EVENTS = ("introduced", "fixed", "last_affected")

# How the source README of a snapshot names it: "... at commit 3ccb612573e2 of 2024-10-10".
README_SNAPSHOT = re.compile(r"commit\s+`?([0-9a-f]{7,40})`?\s+of\s+(\d{4}-\d{2}-\d{2})")


class UnreadableAdvisory(ValueError):
    """An advisory file that is not YAML, or not an OSV advisory this check understands."""


class RefreshError(RuntimeError):
    """The snapshot could not be rebuilt from the given checkout."""


@dataclass(frozen=True)
class Finding:
    package: str
    version: str
    advisory: str
    aliases: tuple[str, ...]
    fixed: tuple[str, ...]
    last_affected: tuple[str, ...]


@dataclass
class Report:
    """What one check read and found; ``errors`` means it cannot vouch for its verdict."""

    snapshot: dict
    distributions: int
    files: int = 0
    read: int = 0
    withdrawn: int = 0
    unreadable: list[tuple[str, str]] = field(default_factory=list)
    not_vendored: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def exit_code(self):
        if self.errors:
            return ERROR
        return VULNERABLE if self.findings else OK


def say(text=""):
    sys.stdout.write(f"{text}\n")


def normalise(name):
    """A project name as PEP 503 compares it: ``Django_FSM.2`` is ``django-fsm-2``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def installed_distributions():
    """``{normalised name: version}`` of every distribution the running interpreter sees,
    transitive dependencies included; a name found twice counts once, as the first one found
    (the one that is imported)."""
    found = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            found.setdefault(normalise(name), dist.version)
    return found


def read_keys(path):
    """``key: value`` lines of a small text file (``#`` comments allowed); {} if it is missing."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return {}
    values = {}
    for line in text.splitlines():
        key, colon, value = line.partition(":")
        if colon and not line.lstrip().startswith("#"):
            values[key.strip()] = value.strip()
    return values


def read_index(path):
    """The normalised names in PACKAGES (every package of the full database), or None."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    return {
        normalise(line.strip())
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    }


def parse_version(text):
    try:
        return Version(str(text))
    except InvalidVersion:
        return None


def load_advisory(path):
    """One advisory as plain dicts, lists and strings.

    YAML's base loader resolves no types: an unquoted ``1.10`` stays the string "1.10"
    instead of becoming the float 1.1, and nothing in the file can build an object.
    """
    loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise UnreadableAdvisory(f"not readable YAML ({error.__class__.__name__})") from error
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        raise UnreadableAdvisory("not an OSV advisory (no id)")
    if not isinstance(data.get("affected", []), list):
        raise UnreadableAdvisory("'affected' is not a list")
    return data


def _bounds(events):
    """The version events of one range, sorted: ``(key, kind, version)``."""
    if not isinstance(events, list):
        raise UnreadableAdvisory("a range's 'events' is not a list")
    bounds = []
    for event in events:
        if not isinstance(event, dict):
            raise UnreadableAdvisory("a range event is not a mapping")
        for kind in EVENTS:
            if kind not in event:
                continue
            text = event[kind]
            if kind == "introduced" and text == "0":
                bounds.append(((0, Version("0")), kind, None))
                continue
            version = parse_version(text)
            if version is None:
                raise UnreadableAdvisory(f"{kind} {text!r} is not a version")
            bounds.append(((1, version), kind, version))
    # At one version, opening comes before closing.
    return sorted(bounds, key=lambda bound: (bound[0], EVENTS.index(bound[1])))


def in_range(version, events):
    """Whether ``version`` lies in one OSV range, as the OSV schema evaluates it: walking the
    events in version order, ``introduced`` opens from its version on, ``fixed`` closes from
    its version on and ``last_affected`` closes after its version."""
    affected = False
    for _key, kind, bound in _bounds(events):
        if kind == "introduced" and (bound is None or version >= bound):
            affected = True
        elif (kind == "fixed" and version >= bound) or (
            kind == "last_affected" and version > bound
        ):
            affected = False
    return affected


def _listed(installed_text, version, listed):
    if not isinstance(listed, list):
        raise UnreadableAdvisory("'versions' is not a list")
    for text in listed:
        other = parse_version(text)
        if text == installed_text or (version is not None and other == version):
            return True
    return False


def match(advisory, installed):
    """The findings of one advisory against ``{normalised name: version}``."""
    hits = {}
    for entry in advisory.get("affected", []):
        if not isinstance(entry, dict) or not isinstance(entry.get("package"), dict):
            raise UnreadableAdvisory("an 'affected' entry names no package")
        package = entry["package"]
        if package.get("ecosystem") != "PyPI" or not isinstance(package.get("name"), str):
            continue
        name = normalise(package["name"])
        if name not in installed:
            continue
        installed_text = installed[name]
        version = parse_version(installed_text)
        ranges = entry.get("ranges", [])
        if not isinstance(ranges, list):
            raise UnreadableAdvisory("'ranges' is not a list")
        fixed, last = set(), set()
        affected = _listed(installed_text, version, entry.get("versions", []))
        for range_ in ranges:
            if not isinstance(range_, dict) or range_.get("type") not in VERSION_RANGES:
                continue
            events = range_.get("events", [])
            for _key, kind, bound in _bounds(events):
                if kind == "fixed":
                    fixed.add(bound)
                elif kind == "last_affected":
                    last.add(bound)
            if version is None:
                raise UnreadableAdvisory(
                    f"{name} {installed_text!r} is not a version the ranges can be compared with"
                )
            affected = affected or in_range(version, events)
        if affected:
            hit = hits.setdefault(name, (set(), set()))
            hit[0].update(fixed)
            hit[1].update(last)
    aliases = advisory.get("aliases") or []
    if not isinstance(aliases, list):
        aliases = [aliases]
    aliases = tuple(alias for alias in aliases if isinstance(alias, str))
    return [
        Finding(
            package=name,
            version=installed[name],
            advisory=advisory["id"],
            aliases=aliases,
            fixed=tuple(str(version) for version in sorted(fixed)),
            last_affected=tuple(str(version) for version in sorted(last)),
        )
        for name, (fixed, last) in sorted(hits.items())
    ]


def check(installed, directory):
    """Check ``installed`` (``{name: version}``) against the advisory snapshot in ``directory``."""
    installed = {normalise(name): str(version) for name, version in installed.items()}
    directory = Path(directory)
    report = Report(snapshot=read_keys(directory / "SNAPSHOT"), distributions=len(installed))
    if not installed:
        report.errors.append("no installed distribution was found: nothing was checked")
    if not directory.is_dir():
        report.errors.append(f"the advisory directory {directory} does not exist")
        return report
    if not (report.snapshot.get("commit") and report.snapshot.get("date")):
        report.errors.append(
            f"{directory / 'SNAPSHOT'} is missing or gives no commit and date: "
            "rebuild the snapshot with --refresh-from"
        )
    paths = sorted(directory.rglob("*.yaml"))
    report.files = len(paths)
    if not paths:
        report.errors.append(f"no advisory file (*.yaml) in {directory}")
    for path in paths:
        try:
            advisory = load_advisory(path)
            if "withdrawn" in advisory:
                report.withdrawn += 1
            else:
                report.findings.extend(match(advisory, installed))
        except UnreadableAdvisory as error:
            report.unreadable.append((str(path.relative_to(directory)), str(error)))
            continue
        report.read += 1
    if paths and not report.read:
        report.errors.append(f"none of the {len(paths)} advisory files could be read")
    elif report.unreadable:
        report.errors.append(
            f"{len(report.unreadable)} advisory file(s) could not be read: "
            "a vulnerability they describe would go unreported"
        )
    index = read_index(directory / "PACKAGES")
    if index is None:
        report.errors.append(
            f"{directory / 'PACKAGES'} is missing: without it a package whose folder was left "
            "out of the copy looks clean; rebuild the snapshot with --refresh-from"
        )
    else:
        vendored = {normalise(path.parent.name) for path in paths}
        report.not_vendored = sorted((set(installed) & index) - vendored)
        if report.not_vendored:
            report.errors.append(
                "installed, with advisories in the database, but missing from the copy: "
                f"{', '.join(report.not_vendored)}; rebuild the snapshot with --refresh-from"
            )
    report.findings.sort(key=lambda finding: (finding.package, finding.advisory))
    return report


def render(report):
    """The lines the check prints."""
    date = report.snapshot.get("date", "unknown date")
    lines = [
        f"Advisory snapshot: {UPSTREAM}, "
        f"commit {report.snapshot.get('commit', 'unknown')} of {date}",
        f"{report.distributions} installed distributions checked against "
        f"{report.read} advisory files read ({report.withdrawn} withdrawn, ignored)",
    ]
    for path, reason in report.unreadable:
        lines.append(f"  unreadable: {path}: {reason}")
    if report.findings:
        lines.append(f"{len(report.findings)} known vulnerable version(s) installed:")
        for finding in report.findings:
            aliases = f" ({', '.join(finding.aliases)})" if finding.aliases else ""
            if finding.fixed:
                remedy = f"fixed in {', '.join(finding.fixed)}"
            elif finding.last_affected:
                remedy = f"no fix in the snapshot; last affected {', '.join(finding.last_affected)}"
            else:
                remedy = "no fixed version in the snapshot"
            lines.append(
                f"  {finding.package} {finding.version}: {finding.advisory}{aliases}; {remedy}"
            )
    elif not report.errors:
        lines.append(f"No known vulnerable versions in the snapshot of {date}.")
    for error in report.errors:
        lines.append(f"ERROR: {error}")
    if report.errors:
        lines.append("The check is incomplete: this is not a pass.")
    lines.append(f"Advisories published after {date} are not covered by this check.")
    return lines


def _git_snapshot(checkout):
    """The commit and date of ``checkout`` if it is the top of a git clone, else None."""
    try:
        top = subprocess.run(
            ["git", "-C", str(checkout), "rev-parse", "--show-toplevel"],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout.strip()
        if Path(top).resolve() != checkout.resolve():
            return None
        commit, date = subprocess.run(
            ["git", "-C", str(checkout), "log", "-1", "--format=%H %cs"],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout.split()
    except (OSError, ValueError, subprocess.SubprocessError):
        return None
    return commit, date


def snapshot_of(checkout, commit=None, date=None):
    """The commit and date of a full checkout: as given, else from git, else from its README."""
    if not (commit and date):
        found = _git_snapshot(checkout)
        if found is None:
            note = README_SNAPSHOT.search(read_text(checkout / "README.md"))
            found = note.groups() if note else (None, None)
        commit, date = commit or found[0], date or found[1]
    if not (commit and date):
        raise RefreshError(
            f"cannot tell the commit and date of {checkout}: give --commit and --date"
        )
    try:
        datetime.date.fromisoformat(date)
    except ValueError as error:
        raise RefreshError(f"--date {date!r} is not YYYY-MM-DD") from error
    return commit, date


def read_text(path):
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""


def snapshot_readme(commit, date, vendored, total):
    return f"""# Known vulnerabilities: the advisory snapshot

This folder is a trimmed copy of {UPSTREAM}:
OSV-format YAML, one folder per PyPI package, taken at commit `{commit}` of {date}. It holds
only the folders of the packages that were installed in the project's virtual environment
(transitive dependencies included) when it was taken: {vendored} of the {total} packages the
database has advisories for.

- `vulns/<package>/*.yaml`: the advisories, without their `references` and with links in
  their text replaced by "[link]" (web pages, which the check does not read); nothing else
  changed.
- `SNAPSHOT`: the upstream `commit` and `date`, which the check prints beside its verdict.
- `PACKAGES`: every package the full database covers, so that the check can tell a package
  the database knows nothing about from one whose folder is missing here (an error).
- `LICENSE`: the database's licence (Creative Commons Attribution 4.0); the advisories are
  the work of the PyPA advisory database's contributors.

`make audit-deps` runs `security/check_advisories.py`, which reads this folder and nothing
else: no network. Advisories published after {date} are not covered.

## Refreshing it

Refresh it when a dependency is added (the check fails when an installed package the database
covers has no folder here), and from time to time to pick up new advisories.
From a full checkout of the advisory database (a git clone of its public repository), with the
project's virtual environment installed (`pip install -e ".[test]"`):

```sh
.venv/bin/python security/check_advisories.py --refresh-from ../advisory-database
```

This rebuilds the folder (the commit and date are read from the clone; give `--commit` and
`--date` when the checkout is not a git clone), then runs the check. Commit the result.
"""


LINK = re.compile(r"https?://[^\s)'\"]+")


def without_references(text):
    """An advisory's YAML without its top-level ``references`` and with the links in its text
    replaced by "[link]" (web pages, which the check never reads and a site on a closed network
    cannot follow); the rest unchanged."""
    kept, skipping = [], False
    for line in text.splitlines(keepends=True):
        if line[:1] not in (" ", "-", "\n", ""):
            skipping = line.startswith("references:")
        if not skipping:
            kept.append(LINK.sub("[link]", line))
    return "".join(kept)


def refresh(checkout, target, installed, *, commit=None, date=None):
    """Rebuild the trimmed copy in ``target`` from a full checkout of the advisory database,
    keeping the folders of the ``installed`` packages."""
    checkout, target = Path(checkout), Path(target)
    source = checkout / "vulns"
    if not source.is_dir():
        raise RefreshError(f"{checkout} has no vulns/ folder: not the advisory database")
    if not (checkout / "LICENSE").is_file():
        raise RefreshError(f"{checkout} has no LICENSE")
    commit, date = snapshot_of(checkout, commit, date)
    folders = {normalise(path.name): path for path in source.iterdir() if path.is_dir()}
    wanted = sorted(set(folders) & {normalise(name) for name in installed})
    staging = target.with_name(f".{target.name}.new")
    if staging.exists():
        shutil.rmtree(staging)
    try:
        for name in wanted:
            folder = staging / "vulns" / folders[name].name
            folder.mkdir(parents=True)
            for path in sorted(folders[name].glob("*.yaml")):
                (folder / path.name).write_text(
                    without_references(path.read_text(encoding="utf-8")), encoding="utf-8"
                )
        shutil.copyfile(checkout / "LICENSE", staging / "LICENSE")
        (staging / "SNAPSHOT").write_text(
            f"# The advisory database snapshot in this folder (see README.md).\n"
            f"commit: {commit}\ndate: {date}\n",
            encoding="utf-8",
        )
        (staging / "PACKAGES").write_text(
            f"# Every package with a folder in the full database at commit {commit}.\n"
            + "".join(f"{name}\n" for name in sorted(folders)),
            encoding="utf-8",
        )
        (staging / "README.md").write_text(
            snapshot_readme(commit, date, len(wanted), len(folders)), encoding="utf-8"
        )
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return wanted


def main(argv=None, installed=None):
    """Run the check (``installed`` replaces the running interpreter's distributions)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--advisories",
        type=Path,
        default=ADVISORIES,
        help="the snapshot to read (default: security/advisories)",
    )
    parser.add_argument(
        "--refresh-from",
        type=Path,
        metavar="CHECKOUT",
        help="first rebuild the snapshot from a full checkout of the advisory database",
    )
    parser.add_argument("--commit", help="with --refresh-from: the checkout's commit")
    parser.add_argument("--date", help="with --refresh-from: the checkout's date (YYYY-MM-DD)")
    args = parser.parse_args(argv)
    if yaml is None:
        say("ERROR: PyYAML is not installed (pip install -e '.[test]'): nothing was checked.")
        return ERROR
    if installed is None:
        installed = installed_distributions()
    if args.refresh_from:
        try:
            wanted = refresh(
                args.refresh_from, args.advisories, installed, commit=args.commit, date=args.date
            )
        except (RefreshError, OSError) as error:
            say(f"ERROR: {error}")
            return ERROR
        say(f"Snapshot rebuilt in {args.advisories}: the folders of {len(wanted)} packages.")
    report = check(installed, args.advisories)
    for line in render(report):
        say(line)
    return report.exit_code


if __name__ == "__main__":
    sys.exit(main())
