from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError

from wagtail.log_actions import registry as log_registry

from audit.chain import verify
from audit.heads import read_head
from audit.registry import audited_models, history_models


class Command(BaseCommand):
    help = (
        "Walk the audit chain and name every history entry that was altered, inserted or "
        "removed outside the site, and every sealed set (ballots, receipts, rolls, page "
        "revisions) whose rows changed since they were sealed. Exits 1 when any was, 0 "
        "otherwise."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--head",
            type=Path,
            help="A file written by `audit_head` and kept outside the database; its last "
            "line is the head the chain must still hold.",
        )

    def handle(self, *args, head=None, **options):
        saved_head = None
        if head is not None:
            try:
                saved_head = read_head(head)
            except (OSError, ValueError) as error:
                raise CommandError(f"Cannot read the saved head from {head}: {error}") from error
        report = verify(
            saved_head=saved_head,
            history_models=history_models(),
            log_models=log_registry.get_log_entry_models(),
            audited_types=ContentType.objects.get_for_models(*audited_models()).values(),
        )
        for problem in report.problems:
            self.stderr.write(f"{problem.kind}: {problem.message}")
        if report.ok:
            head_text = (
                f"head entry {report.head.pk} {report.head.hash}" if report.head else "empty"
            )
            self.stdout.write(
                self.style.SUCCESS(f"Audit chain intact: {report.checked} entries ({head_text}).")
            )
            return
        self.stderr.write(
            self.style.ERROR(
                f"Audit chain BROKEN: {len(report.problems)} problem(s) in {report.checked} entries."
            )
        )
        raise SystemExit(1)
