"""The offline check of installed distributions against the vendored advisory snapshot.

Each test builds a small advisory folder of its own and hands ``check``/``main`` the installed
distributions as a mapping, so that a version can be made affected or not at will; the last
tests read the real snapshot in ``security/advisories`` and the real interpreter.
"""

import datetime
import subprocess
import sys
import textwrap
from pathlib import Path

from security import check_advisories
from security.check_advisories import ADVISORIES, check, main

ROOT = Path(__file__).resolve().parents[2]

DATE = "2024-10-10"


def advisory(ident, package, *, events=(), versions=(), range_type="ECOSYSTEM", extra=""):
    """An OSV advisory in the PyPA database's YAML layout."""
    lines = [f"id: {ident}", "details: Something bad.", "aliases:", f"- CVE-{ident[6:]}"]
    lines += [
        "affected:",
        "- package:",
        f"    name: {package}",
        "    ecosystem: PyPI",
        f"    purl: pkg:pypi/{package}",
    ]
    if events:
        lines += ["  ranges:", f"  - type: {range_type}", "    events:"]
        lines += [f"    - {kind}: '{version}'" for kind, version in events]
    if versions:
        lines += ["  versions:"] + [f"  - '{version}'" for version in versions]
    return "\n".join(lines) + "\n" + textwrap.dedent(extra)


def snapshot(root, files, *, packages=None):
    """An advisory folder: ``files`` maps ``"package/ID.yaml"`` to its text."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "SNAPSHOT").write_text(f"commit: 0123456789ab\ndate: {DATE}\n", encoding="utf-8")
    if packages is None:
        packages = sorted({name.split("/")[0] for name in files})
    (root / "PACKAGES").write_text("# all\n" + "\n".join(packages) + "\n", encoding="utf-8")
    for name, text in files.items():
        path = root / "vulns" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def one_range(tmp_path, events=(), versions=(), **kwargs):
    return snapshot(
        tmp_path / "advisories",
        {
            "demo/PYSEC-2024-1.yaml": advisory(
                "PYSEC-2024-1", "demo", events=events, versions=versions, **kwargs
            )
        },
    )


def affected(directory, version):
    report = check({"demo": version}, directory)
    assert not report.errors, report.errors
    return [finding.advisory for finding in report.findings] == ["PYSEC-2024-1"]


def test_an_affected_version_is_reported_and_the_check_exits_1(tmp_path, capsys):
    folder = one_range(tmp_path, events=[("introduced", "1.0"), ("fixed", "1.4.2")])

    status = main(["--advisories", str(folder)], installed={"Demo": "1.4.1", "other": "9"})

    out = capsys.readouterr().out
    assert status == 1
    assert "demo 1.4.1: PYSEC-2024-1 (CVE-2024-1); fixed in 1.4.2" in out
    assert f"commit 0123456789ab of {DATE}" in out
    assert "2 installed distributions checked against 1 advisory files read" in out
    assert "No known vulnerable" not in out


def test_the_fixed_version_is_not_reported(tmp_path, capsys):
    folder = one_range(tmp_path, events=[("introduced", "1.0"), ("fixed", "1.4.2")])

    status = main(["--advisories", str(folder)], installed={"demo": "1.4.2"})

    out = capsys.readouterr().out
    assert status == 0
    assert f"No known vulnerable versions in the snapshot of {DATE}." in out
    assert f"Advisories published after {DATE} are not covered" in out
    assert not affected(folder, "1.5")
    assert not affected(folder, "0.9")
    # A pre-release of the fix is still before the fix.
    assert affected(folder, "1.4.2rc1")


def test_last_affected_is_inclusive(tmp_path):
    folder = one_range(tmp_path, events=[("introduced", "2.0"), ("last_affected", "2.3")])

    assert affected(folder, "2.3")
    assert affected(folder, "2.0")
    assert not affected(folder, "2.3.1")
    assert not affected(folder, "1.9")
    (finding,) = check({"demo": "2.3"}, folder).findings
    assert finding.fixed == ()
    assert finding.last_affected == ("2.3",)


def test_introduced_zero_covers_every_version_before_the_fix(tmp_path):
    folder = one_range(tmp_path, events=[("introduced", "0"), ("fixed", "1.0")])

    assert affected(folder, "0.0.1")
    assert affected(folder, "0.1.dev3")
    assert not affected(folder, "1.0")


def test_a_range_with_no_fix_covers_every_later_version(tmp_path, capsys):
    folder = one_range(tmp_path, events=[("introduced", "3.0")])

    assert affected(folder, "99.0")
    assert main(["--advisories", str(folder)], installed={"demo": "3.1"}) == 1
    assert "no fixed version in the snapshot" in capsys.readouterr().out


def test_several_intervals_in_one_range(tmp_path):
    folder = one_range(
        tmp_path,
        events=[("introduced", "1.0"), ("fixed", "1.2"), ("introduced", "2.0"), ("fixed", "2.1")],
    )

    assert affected(folder, "1.1")
    assert not affected(folder, "1.9")
    assert affected(folder, "2.0.5")
    assert not affected(folder, "2.1")
    (finding,) = check({"demo": "1.1"}, folder).findings
    assert finding.fixed == ("1.2", "2.1")


def test_semver_ranges_count_too(tmp_path):
    folder = one_range(
        tmp_path, events=[("introduced", "1.0.0"), ("fixed", "1.2.0")], range_type="SEMVER"
    )

    assert affected(folder, "1.1.9")
    assert not affected(folder, "1.2.0")


def test_an_explicit_versions_list_is_matched(tmp_path):
    # GIT ranges name commits: only the listed versions say what is affected.
    folder = one_range(
        tmp_path,
        events=[("introduced", "0"), ("fixed", "5f2a9c1")],
        range_type="GIT",
        versions=["1.5", "1.7"],
    )

    assert affected(folder, "1.5")
    assert affected(folder, "1.5.0")  # the same version under PEP 440
    assert affected(folder, "1.7")
    assert not affected(folder, "1.6")
    assert not affected(folder, "1.8")


def test_names_are_compared_as_pep_503_normalises_them(tmp_path):
    folder = snapshot(
        tmp_path / "advisories",
        {
            "Zope.Thing/PYSEC-2024-1.yaml": advisory(
                "PYSEC-2024-1", "Zope.Thing", events=[("introduced", "0"), ("fixed", "2")]
            )
        },
    )

    (finding,) = check({"zope_thing": "1"}, folder).findings
    assert finding.package == "zope-thing"


def test_another_ecosystem_is_ignored(tmp_path):
    text = advisory("PYSEC-2024-1", "demo", events=[("introduced", "0")]).replace(
        "ecosystem: PyPI", "ecosystem: npm"
    )
    folder = snapshot(tmp_path / "advisories", {"demo/PYSEC-2024-1.yaml": text})

    assert check({"demo": "1.0"}, folder).findings == []


def test_a_withdrawn_advisory_is_ignored(tmp_path, capsys):
    folder = snapshot(
        tmp_path / "advisories",
        {
            "demo/PYSEC-2024-1.yaml": advisory(
                "PYSEC-2024-1",
                "demo",
                events=[("introduced", "0")],
                extra="withdrawn: '2024-02-01T00:00:00Z'\n",
            ),
        },
    )

    status = main(["--advisories", str(folder)], installed={"demo": "1.0"})

    out = capsys.readouterr().out
    assert status == 0
    assert "1 advisory files read (1 withdrawn, ignored)" in out
    assert "No known vulnerable versions" in out


def test_an_empty_directory_is_an_error_not_a_pass(tmp_path, capsys):
    (tmp_path / "advisories").mkdir()

    status = main(["--advisories", str(tmp_path / "advisories")], installed={"demo": "1.0"})

    out = capsys.readouterr().out
    assert status == 2
    assert "no advisory file (*.yaml)" in out
    assert "this is not a pass" in out
    assert "No known vulnerable" not in out


def test_a_snapshot_without_advisories_is_an_error(tmp_path, capsys):
    folder = snapshot(tmp_path / "advisories", {})

    assert main(["--advisories", str(folder)], installed={"demo": "1.0"}) == 2
    assert "No known vulnerable" not in capsys.readouterr().out


def test_a_missing_directory_is_an_error(tmp_path, capsys):
    assert main(["--advisories", str(tmp_path / "nowhere")], installed={"demo": "1.0"}) == 2
    assert "does not exist" in capsys.readouterr().out


def test_a_directory_of_unreadable_files_only_is_an_error(tmp_path, capsys):
    folder = snapshot(
        tmp_path / "advisories",
        {
            "demo/PYSEC-2024-1.yaml": "id: [unclosed\n  affected: {",
            "demo/PYSEC-2024-2.yaml": "- just\n- a list\n",
        },
    )

    status = main(["--advisories", str(folder)], installed={"demo": "1.0"})

    out = capsys.readouterr().out
    assert status == 2
    assert "none of the 2 advisory files could be read" in out
    assert "0 advisory files read" in out
    assert "No known vulnerable" not in out


def test_one_unreadable_file_among_good_ones_is_still_an_error(tmp_path, capsys):
    folder = snapshot(
        tmp_path / "advisories",
        {
            "demo/PYSEC-2024-1.yaml": advisory(
                "PYSEC-2024-1", "demo", events=[("introduced", "0")]
            ),
            "demo/PYSEC-2024-2.yaml": advisory(
                "PYSEC-2024-2", "demo", events=[("introduced", "0"), ("fixed", "not a version!")]
            ),
        },
    )

    status = main(["--advisories", str(folder)], installed={"demo": "1.0"})

    out = capsys.readouterr().out
    assert status == 2
    assert "demo 1.0: PYSEC-2024-1" in out
    assert "unreadable: vulns/demo/PYSEC-2024-2.yaml" in out


def test_zero_distributions_is_an_error(tmp_path, capsys):
    folder = one_range(tmp_path, events=[("introduced", "0")])

    status = main(["--advisories", str(folder)], installed={})

    out = capsys.readouterr().out
    assert status == 2
    assert "no installed distribution was found" in out
    assert "No known vulnerable" not in out


def test_an_installed_package_left_out_of_the_copy_is_an_error(tmp_path, capsys):
    # The full database had advisories for "leftout", but its folder was not copied: the check
    # cannot say it is clean.
    folder = snapshot(
        tmp_path / "advisories",
        {"demo/PYSEC-2024-1.yaml": advisory("PYSEC-2024-1", "demo", events=[("introduced", "9")])},
        packages=["demo", "leftout", "notinstalled"],
    )

    status = main(["--advisories", str(folder)], installed={"demo": "1.0", "LeftOut": "2.0"})

    out = capsys.readouterr().out
    assert status == 2
    assert "missing from the copy: leftout;" in out
    # A package the database has nothing on is simply clean.
    assert check({"demo": "1.0", "unknown": "1"}, folder).exit_code == 0


def test_refresh_keeps_the_installed_packages_and_records_the_snapshot(tmp_path, capsys):
    checkout = tmp_path / "advisory-database"
    full = snapshot(
        checkout,
        {
            "demo/PYSEC-2024-1.yaml": advisory(
                "PYSEC-2024-1", "demo", events=[("introduced", "0"), ("fixed", "2")]
            ),
            "other/PYSEC-2024-2.yaml": advisory(
                "PYSEC-2024-2", "other", events=[("introduced", "0")]
            ),
        },
    )
    (full / "SNAPSHOT").unlink()
    (full / "PACKAGES").unlink()
    (full / "vulns" / "demo" / "notes.txt").write_text("not an advisory", encoding="utf-8")
    (full / "LICENSE").write_text("CC-BY 4.0", encoding="utf-8")
    (full / "README.md").write_text(
        "The database as published at commit 0badc0ffee12 of 2024-03-04.", encoding="utf-8"
    )
    target = tmp_path / "project" / "advisories"
    snapshot(target, {"gone/PYSEC-2020-1.yaml": advisory("PYSEC-2020-1", "gone")})

    status = main(
        ["--advisories", str(target), "--refresh-from", str(checkout)],
        installed={"Demo": "1.0", "unrelated": "3"},
    )

    out = capsys.readouterr().out
    assert status == 1
    assert "commit 0badc0ffee12 of 2024-03-04" in out
    assert sorted(str(path.relative_to(target)) for path in target.rglob("*")) == [
        "LICENSE",
        "PACKAGES",
        "README.md",
        "SNAPSHOT",
        "vulns",
        "vulns/demo",
        "vulns/demo/PYSEC-2024-1.yaml",
    ]
    assert check_advisories.read_keys(target / "SNAPSHOT") == {
        "commit": "0badc0ffee12",
        "date": "2024-03-04",
    }
    assert check_advisories.read_index(target / "PACKAGES") == {"demo", "other"}
    readme = (target / "README.md").read_text(encoding="utf-8")
    assert "commit `0badc0ffee12` of 2024-03-04" in readme
    assert "--refresh-from" in readme
    # The copy stands alone: it names no path of the machine it was made on.
    assert str(tmp_path) not in readme + (target / "SNAPSHOT").read_text(encoding="utf-8")


def test_refresh_without_a_commit_and_date_changes_nothing(tmp_path, capsys):
    checkout = snapshot(
        tmp_path / "checkout", {"demo/PYSEC-2024-1.yaml": advisory("PYSEC-2024-1", "demo")}
    )
    (checkout / "LICENSE").write_text("CC-BY 4.0", encoding="utf-8")
    target = one_range(tmp_path, events=[("introduced", "0")])
    before = sorted(target.rglob("*"))

    status = main(
        ["--advisories", str(target), "--refresh-from", str(checkout)], installed={"demo": "1"}
    )

    assert status == 2
    assert "give --commit and --date" in capsys.readouterr().out
    assert sorted(target.rglob("*")) == before


def test_the_vendored_snapshot_parses_and_its_date_is_printed(capsys):
    installed = check_advisories.installed_distributions()
    report = check(installed, ADVISORIES)

    assert len(installed) >= 100
    assert report.read >= 200
    assert report.unreadable == []
    # Every installed package the database covers has its folder (else: --refresh-from).
    assert report.not_vendored == []
    date = report.snapshot["date"]
    datetime.date.fromisoformat(date)
    assert len(report.snapshot["commit"]) >= 7
    out = "\n".join(check_advisories.render(report))
    assert f"of {date}" in out
    assert f"Advisories published after {date} are not covered" in out
    assert f"{len(installed)} installed distributions checked against {report.read}" in out


def test_the_vendored_snapshot_knows_an_old_django_is_vulnerable():
    report = check({"Django": "4.2.0"}, ADVISORIES)

    found = {finding.advisory: finding for finding in report.findings}
    # CVE-2023-31047 (multiple file upload validation), fixed in 4.2.1.
    assert "CVE-2023-31047" in found["PYSEC-2023-61"].aliases
    assert "4.2.1" in found["PYSEC-2023-61"].fixed
    assert "PYSEC-2023-61" not in {
        f.advisory for f in check({"django": "4.2.1"}, ADVISORIES).findings
    }


def test_the_script_exits_1_for_an_affected_installed_distribution(tmp_path):
    # The real interpreter's distributions: pytest is installed, and here every version of it is
    # affected.
    folder = snapshot(
        tmp_path / "advisories",
        {
            "pytest/PYSEC-2099-1.yaml": advisory(
                "PYSEC-2099-1", "pytest", events=[("introduced", "0")]
            )
        },
    )

    result = subprocess.run(
        [sys.executable, "security/check_advisories.py", "--advisories", str(folder)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 1, result.stdout + result.stderr
    assert "pytest " in result.stdout
    assert "PYSEC-2099-1 (CVE-2099-1)" in result.stdout


def test_the_copy_keeps_no_links_and_reads_the_same():
    text = textwrap.dedent(
        """\
        id: PYSEC-0000-1
        details: 'Fixed in 2.0, see https://example.org/notes (and http://example.net/x).'
        affected:
        - package:
            name: example
            ecosystem: PyPI
          ranges:
          - type: ECOSYSTEM
            events:
            - introduced: '0'
            - fixed: '2.0'
        references:
        - type: WEB
          url: https://example.org/advisory
        - type: PACKAGE
          url: https://example.com/project/example
        aliases:
        - CVE-0000-0001
        """
    )
    copy = check_advisories.without_references(text)
    assert "http" not in copy and "references:" not in copy
    assert "see [link] (and [link])." in copy
    # Everything the check reads is still there, after the dropped block too.
    assert "fixed: '2.0'" in copy and "- CVE-0000-0001" in copy


def test_the_vendored_snapshot_holds_no_links():
    linked = [path.name for path in ADVISORIES.rglob("*.yaml") if "://" in path.read_text("utf-8")]
    assert not linked
