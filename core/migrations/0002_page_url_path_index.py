from django.db import migrations


class Migration(migrations.Migration):
    """An index on Wagtail's ``url_path``, which ``core.routing`` finds every page by (Wagtail
    has none: its own routing walks the tree by slug). Without it, each page served reads the
    whole page table."""

    dependencies = [
        ("core", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.RunSQL(
            'CREATE INDEX IF NOT EXISTS "core_page_url_path" ON "wagtailcore_page" ("url_path")',
            reverse_sql='DROP INDEX IF EXISTS "core_page_url_path"',
        ),
    ]
