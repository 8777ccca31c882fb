from django.db import migrations, models

# The default options' labels, in the community's language and in English, and what each
# stands for. Before this field the count read the options' order instead.
MEANINGS = {
    "motion": {
        "赞成": "for",
        "For": "for",
        "反对": "against",
        "Against": "against",
        "弃权": "abstain",
        "Abstain": "abstain",
    },
    "evaluation": {
        "满意": "satisfied",
        "Satisfied": "satisfied",
        "基本满意": "basically_satisfied",
        "Basically satisfied": "basically_satisfied",
        "不满意": "dissatisfied",
        "Dissatisfied": "dissatisfied",
    },
}


def set_meanings(apps, schema_editor):
    MotionOption = apps.get_model("votes", "MotionOption")
    for kind, meanings in MEANINGS.items():
        for label, meaning in meanings.items():
            MotionOption.objects.filter(motion__kind=kind, label=label, meaning="").update(
                meaning=meaning
            )


class Migration(migrations.Migration):
    dependencies = [
        ("votes", "0002_hallcount"),
    ]

    operations = [
        migrations.AddField(
            model_name="motionoption",
            name="meaning",
            field=models.CharField(
                blank=True,
                choices=[
                    ("for", "For"),
                    ("against", "Against"),
                    ("abstain", "Abstain"),
                    ("satisfied", "Satisfied"),
                    ("basically_satisfied", "Basically satisfied"),
                    ("dissatisfied", "Dissatisfied"),
                ],
                help_text=(
                    "What this option stands for in the count (a motion is carried by its "
                    "“for” option). Leave empty for an election's candidates."
                ),
                max_length=30,
                verbose_name="meaning",
            ),
        ),
        migrations.RunPython(set_meanings, migrations.RunPython.noop),
    ]
