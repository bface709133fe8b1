"""The media storage is chosen by environment variables alone, and the pages' Content-Security-Policy follows it."""

from __future__ import annotations

import runpy
import warnings
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from cso_press.settings.env import media_origins, media_storage_from_env
from events.media.backends import MediaS3Storage
from tests.factories import EventFactory, PhotoFactory

STORAGE_VARIABLES = (
    "DJANGO_STORAGE",
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_ENDPOINT_URL",
    "AWS_S3_REGION_NAME",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_S3_CUSTOM_DOMAIN",
    "AWS_LOCATION",
    "AWS_S3_ADDRESSING_STYLE",
    "AWS_S3_PUBLIC_ACL",
    "DJANGO_MEDIA_PRESIGNED_SECONDS",
)


@pytest.fixture
def environment(monkeypatch):
    """A clean slate: none of the storage variables set, whatever the machine running the tests has."""
    for name in STORAGE_VARIABLES:
        monkeypatch.delenv(name, raising=False)

    def set_variables(**variables):
        for name, value in variables.items():
            monkeypatch.setenv(name, value)

    return set_variables


def base_settings() -> dict:
    """cso_press/settings/base.py as it reads the current environment (run afresh, not the imported copy)."""
    with warnings.catch_warnings():
        # runpy notes that the module is imported already: on purpose, this is a second, separate run of it.
        warnings.filterwarnings("ignore", "'cso_press.settings.base' found in sys.modules", RuntimeWarning)
        return runpy.run_module("cso_press.settings.base", run_name="cso_press.settings.base_under_test")


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def test_media_stay_on_local_disk_and_the_policy_loads_images_from_the_site_only_by_default(environment):
    config = base_settings()

    assert config["STORAGES"]["default"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert config["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["img-src"] == ["'self'"]


def test_an_s3_compatible_service_is_configured_from_the_environment(environment):
    environment(
        DJANGO_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="press-media",
        AWS_S3_ENDPOINT_URL="https://s3.example.net:9000",
        AWS_S3_REGION_NAME="eu-west-3",
        AWS_ACCESS_KEY_ID="key-id",
        AWS_SECRET_ACCESS_KEY="secret",
        AWS_S3_CUSTOM_DOMAIN="media.example.org",
        DJANGO_MEDIA_PRESIGNED_SECONDS="60",
    )

    config = base_settings()

    storage = config["STORAGES"]["default"]
    assert storage["BACKEND"] == "events.media.backends.MediaS3Storage"
    assert {key: storage["OPTIONS"][key] for key in ("bucket_name", "endpoint_url", "region_name")} == {
        "bucket_name": "press-media",
        "endpoint_url": "https://s3.example.net:9000",
        "region_name": "eu-west-3",
    }
    assert storage["OPTIONS"]["querystring_expire"] == 60
    assert storage["OPTIONS"]["addressing_style"] == "path"
    # Portraits from the CDN, release files from the service (presigned addresses), and nothing else.
    assert config["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["img-src"] == [
        "'self'",
        "https://media.example.org",
        "https://s3.example.net:9000",
    ]


@pytest.mark.parametrize("region", ["eu-central-1", "us-east-1", ""])
def test_on_aws_the_policy_allows_the_origin_presigned_addresses_really_use(environment, region):
    environment(DJANGO_STORAGE="s3", AWS_STORAGE_BUCKET_NAME="press-media", AWS_S3_REGION_NAME=region)
    environment(AWS_ACCESS_KEY_ID="key-id", AWS_SECRET_ACCESS_KEY="secret")
    storage = media_storage_from_env()

    media = MediaS3Storage(**storage["OPTIONS"])
    address = media.url("private/attachments/2026/01/photo.jpg")

    assert "X-Amz-Signature=" in address
    assert origin(address) in media_origins(storage)
    # A stalled bucket is given up on in seconds, not botocore's default minute per attempt.
    config = media.client_config
    assert (config.connect_timeout, config.read_timeout, config.retries["max_attempts"]) == (5, 30, 3)
    assert config.s3 == {"addressing_style": "virtual"}


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"DJANGO_STORAGE": "ftp"}, "DJANGO_STORAGE must be local or s3, not 'ftp'."),
        ({"DJANGO_STORAGE": "s3"}, "The environment variable AWS_STORAGE_BUCKET_NAME must be set."),
        (
            {"DJANGO_STORAGE": "s3", "AWS_STORAGE_BUCKET_NAME": "b", "DJANGO_MEDIA_PRESIGNED_SECONDS": "soon"},
            "DJANGO_MEDIA_PRESIGNED_SECONDS must be an integer, not 'soon'.",
        ),
    ],
)
def test_a_wrong_storage_setting_stops_start_up_naming_the_variable(environment, variables, message):
    environment(**variables)

    with pytest.raises(ImproperlyConfigured) as error:
        media_storage_from_env()
    assert str(error.value) == message


@pytest.mark.django_db
@pytest.mark.parametrize("where", ["public", "admin"])
def test_public_and_admin_pages_allow_images_from_the_bucket(environment, s3_media, settings, admin_client, where):
    environment(
        DJANGO_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="cso-press-test",
        AWS_S3_ENDPOINT_URL=s3_media.endpoint,
    )
    settings.CONTENT_SECURITY_POLICY = base_settings()["CONTENT_SECURITY_POLICY"]
    photo = PhotoFactory(event=EventFactory(slug="summit"))
    page = (
        photo.event.get_absolute_url()
        if where == "public"
        else reverse("admin:events_event_change", args=[photo.event.pk])
    )

    response = admin_client.get(page)

    assert response.status_code == 200
    directives = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert directives["img-src"] == f"'self' {s3_media.endpoint}"
    # The image the page shows is sent there.
    thumb = admin_client.get(f"/files/{photo.pk}/thumb-jpeg/{photo.renditions['thumb']['jpeg'].rsplit('/', 1)[1]}")
    assert origin(thumb["Location"]) == s3_media.endpoint
