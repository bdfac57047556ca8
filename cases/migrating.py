"""Steps that data migrations share."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant_to_existing_groups(permissions: dict[str, tuple[str, ...]]) -> migrations.RunPython:
    """New permissions of a role (cases.access.ROLE_PERMISSIONS, as it stood when they came),
    given to the groups that already hold the role, on their school or LA."""

    def forwards(apps, schema_editor):
        cases = apps.get_app_config("cases")
        cases.models_module = True
        create_permissions(cases, apps=apps, verbosity=0)
        cases.models_module = None
        Permission = apps.get_model("auth", "Permission")
        ContentType = apps.get_model("contenttypes", "ContentType")
        StaffGroup = apps.get_model("cases", "StaffGroup")
        GroupObjectPermission = apps.get_model("guardian", "GroupObjectPermission")
        for staff_group in StaffGroup.objects.filter(role__in=permissions):
            model = "school" if staff_group.school_id else "localauthority"
            content_type = ContentType.objects.get(app_label="cases", model=model)
            for codename in permissions[staff_group.role]:
                GroupObjectPermission.objects.get_or_create(
                    group_id=staff_group.group_id, content_type=content_type,
                    object_pk=str(staff_group.school_id or staff_group.local_authority_id),
                    permission=Permission.objects.get(content_type=content_type,
                                                      codename=codename))

    return migrations.RunPython(forwards, migrations.RunPython.noop)
