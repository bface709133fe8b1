# Reserved for the editorial roles (groups and permissions).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("events", "0002_search")]
    operations = []
