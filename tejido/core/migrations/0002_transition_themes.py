from django.db import migrations

TRANSITIONS = [
    ("social", "Transición social", "transicion-social"),
    ("democratic", "Transición democrática", "transicion-democratica"),
    ("ecological", "Transición ecológica", "transicion-ecologica"),
    ("digital", "Transición digital", "transicion-digital"),
]


def add_transitions(apps, schema_editor):
    Theme = apps.get_model("core", "Theme")
    for code, name, slug in TRANSITIONS:
        Theme.objects.get_or_create(transition=code, defaults={"name": name, "slug": slug})


def remove_transitions(apps, schema_editor):
    apps.get_model("core", "Theme").objects.filter(transition__in=[t[0] for t in TRANSITIONS]).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(add_transitions, remove_transitions)]
