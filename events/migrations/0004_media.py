# Reserved for photo and document changes.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("events", "0003_roles")]
    operations = []
