from django.db import migrations


class Migration(migrations.Migration):
    """The community settings moved to the ``core`` app: the table is renamed, the rows kept."""

    dependencies = [
        ("home", "0002_create_homepage"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable("communitysettings", "core_communitysettings"),
            ],
            state_operations=[
                migrations.DeleteModel("CommunitySettings"),
            ],
        ),
    ]
