"""A test run leaves no media folder behind in the system's temporary directory."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path


def test_a_process_that_loads_the_test_settings_removes_its_media_folder_when_it_ends():
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "cso_press.settings.test"}
    script = "import django; django.setup(); from django.conf import settings; print(settings.MEDIA_ROOT)"

    finished = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=environment, check=True, timeout=60
    )

    folder = Path(finished.stdout.strip())
    assert folder.name.startswith("cso-press-test-media-")
    assert folder.parent == Path(tempfile.gettempdir())
    assert not folder.exists()
