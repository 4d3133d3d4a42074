"""The event log's models were the audit and events apps' before those became one app.

A database migrated then holds their content types under the old labels, with the
permissions the roles were granted. They move to the event log, grants and all. (A new
database has nothing to move.)"""

from django.db import migrations

OLD_LABELS = {"event": "audit", "seal": "audit", "delivery": "events", "processedmarker": "events"}


def adopt(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    for model, old_label in OLD_LABELS.items():
        old = ContentType.objects.filter(app_label=old_label, model=model).first()
        if old is None:
            continue
        new = ContentType.objects.filter(app_label="eventlog", model=model).first()
        if new is None:
            old.app_label = "eventlog"
            old.save(update_fields=["app_label"])
            continue
        # Both exist (permissions were created for the new label already): the roles keep
        # what they were granted, under the new label's permissions.
        for permission in Permission.objects.filter(content_type=old):
            adopted, _created = Permission.objects.get_or_create(
                content_type=new,
                codename=permission.codename,
                defaults={"name": permission.name},
            )
            for group in permission.group_set.all():
                group.permissions.add(adopted)
            for user in permission.user_set.all():
                user.user_permissions.add(adopted)
        old.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("eventlog", "0006_autovacuum"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("accounts", "0001_initial"),
    ]

    operations = [migrations.RunPython(adopt, migrations.RunPython.noop)]
