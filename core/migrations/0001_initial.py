import django.db.models.deletion
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    # Keep the settings' permissions and any reference to them: the content type moves too.
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="core", model="communitysettings").exists():
        ContentType.objects.filter(app_label="home", model="communitysettings").update(
            app_label="core"
        )


class Migration(migrations.Migration):

    initial = True

    # The settings were home's until core was made: home renames their table, and core
    # takes the model over without touching the database (the rows are kept).
    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('wagtailcore', '0098_apitoken'),
        ('home', '0003_move_community_settings_to_core'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
        migrations.CreateModel(
            name='CommunitySettings',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('community_name', models.CharField(blank=True, max_length=100, verbose_name='community name')),
                ('committee_name', models.CharField(blank=True, help_text="e.g. the Party committee and residents' committee of the community.", max_length=150, verbose_name='committee')),
                ('office_address', models.CharField(blank=True, max_length=200, verbose_name='office address')),
                ('office_hours', models.CharField(blank=True, max_length=200, verbose_name='office hours')),
                ('duty_phone', models.CharField(blank=True, help_text="The office's public duty line, shown to residents. Never a personal number.", max_length=30, verbose_name='duty phone')),
                ('site', models.OneToOneField(editable=False, on_delete=django.db.models.deletion.CASCADE, to='wagtailcore.site')),
            ],
            options={
                'verbose_name': 'community settings',
            },
        ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, migrations.RunPython.noop),
    ]
