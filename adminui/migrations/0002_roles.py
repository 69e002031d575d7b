"""Create the three role groups. Admins also get Django admin rights over users and groups."""

from django.db import migrations

ROLES = ("Viewer", "Editor", "Admin")
ADMIN_MODELS = (("auth", "user"), ("auth", "group"), ("adminui", "auditevent"))


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally made after all migrations; the Admin group needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name in ROLES:
        Group.objects.get_or_create(name=name)
    admin = Group.objects.get(name="Admin")
    for app_label, model in ADMIN_MODELS:
        admin.permissions.add(
            *Permission.objects.filter(
                content_type__app_label=app_label, content_type__model=model
            ).exclude(codename__startswith="delete_auditevent")
            .exclude(codename__startswith="change_auditevent")
            .exclude(codename__startswith="add_auditevent")
        )


def delete_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("adminui", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, delete_roles)]
