from pathlib import Path

from django.core.management.base import BaseCommand

from audit.heads import current_head, format_head


class Command(BaseCommand):
    help = (
        "Print the head of the audit chain (entry id, hash, time), or append it to a file. "
        "Keep that file outside the database (another machine, write-once storage): "
        "`verify_audit --head FILE` then finds a chain that was cut or rewritten."
    )

    def add_arguments(self, parser):
        parser.add_argument("--append", type=Path, help="Append the head to this file.")

    def handle(self, *args, append=None, **options):
        head = current_head()
        if head is None:
            self.stderr.write("The audit chain is empty: no head to save.")
            return
        line = format_head(head)
        if append is not None:
            with append.open("a", encoding="utf-8") as saved:
                saved.write(line + "\n")
        self.stdout.write(line)
