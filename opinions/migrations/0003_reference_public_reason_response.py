"""Opinions get a reference to be followed by, a reason shown to the resident when one is not
published, and the committee's response.

Existing opinions are each given their own reference. Their history rows keep what they
recorded (history tables are append-only): the new columns start empty there.
"""

from django.db import migrations, models

import core.references


def give_references(apps, schema_editor):
    Opinion = apps.get_model("opinions", "Opinion")
    taken = set()
    for opinion in Opinion.objects.filter(reference__isnull=True).only("pk").iterator():
        reference = core.references.new_reference()
        while reference in taken:
            reference = core.references.new_reference()
        taken.add(reference)
        Opinion.objects.filter(pk=opinion.pk).update(reference=reference)


PUBLIC_REASON = models.TextField(
    blank=True,
    help_text=(
        "Optional. Shown on the opinion's status page when it is not published; the reason "
        "kept in the history stays internal."
    ),
    max_length=500,
    verbose_name="reason shown to the resident",
)
RESPONSE = models.TextField(
    blank=True,
    help_text=(
        "What the committee said or did about this opinion. Shown on its status page and, "
        "when the opinion is published, under it."
    ),
    max_length=2000,
    verbose_name="committee's response",
)
REFERENCE_HELP = "Given to the resident to follow the opinion."


class Migration(migrations.Migration):
    dependencies = [
        ("opinions", "0002_history_reason_text"),
    ]

    operations = [
        migrations.AddField("opinion", "public_reason", PUBLIC_REASON),
        migrations.AddField("historicalopinion", "public_reason", PUBLIC_REASON.clone()),
        migrations.AddField("opinion", "response", RESPONSE),
        migrations.AddField("historicalopinion", "response", RESPONSE.clone()),
        migrations.AddField(
            "opinion",
            "reference",
            models.CharField(
                editable=False,
                help_text=REFERENCE_HELP,
                max_length=14,
                null=True,
                verbose_name="reference",
            ),
        ),
        migrations.RunPython(give_references, migrations.RunPython.noop),
        migrations.AlterField(
            "opinion",
            "reference",
            models.CharField(
                default=core.references.new_reference,
                editable=False,
                help_text=REFERENCE_HELP,
                max_length=14,
                unique=True,
                verbose_name="reference",
            ),
        ),
        migrations.AddField(
            "historicalopinion",
            "reference",
            models.CharField(
                db_index=True,
                default="",
                editable=False,
                help_text=REFERENCE_HELP,
                max_length=14,
                verbose_name="reference",
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            "historicalopinion",
            "reference",
            models.CharField(
                db_index=True,
                default=core.references.new_reference,
                editable=False,
                help_text=REFERENCE_HELP,
                max_length=14,
                verbose_name="reference",
            ),
        ),
    ]
