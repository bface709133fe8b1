"""An S3-compatible server for the tests (moto's server mode) and fixtures that put the media storage on it.

``moto_endpoint`` (one per test process) starts moto's threaded server on a free port chosen by the system and
stops it at the end; ``CSO_TEST_S3_ENDPOINT`` points the tests at a server started elsewhere instead (e.g. by
``.ci/run``). ``s3_media`` switches ``STORAGES["default"]`` to the bucket for one test, under a prefix of its
own, so that what a test counts in the bucket is what it stored. ``media_backend`` runs a test on local disk
and on the bucket (``@both_backends``).

Import the fixtures in ``tests/conftest.py`` only: a fixture imported into two modules would be two fixtures,
and start two servers.
"""

from __future__ import annotations

import logging
import os
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.config import Config
from moto.server import ThreadedMotoServer

BUCKET = "cso-press-test"
REGION = "us-east-1"
KEYS = {"access_key": "testing-access-key", "secret_key": "testing-secret-key"}

both_backends = pytest.mark.parametrize("media_backend", ["disk", "s3"], indirect=True)


def storage_options(endpoint: str, *, location: str = "", **overrides) -> dict:
    """``STORAGES["default"]`` for the test bucket, as ``cso_press.settings.env`` builds it from the environment."""
    options = {
        "bucket_name": BUCKET,
        "endpoint_url": endpoint,
        "region_name": REGION,
        **KEYS,
        "custom_domain": None,
        "location": location,
        "addressing_style": "path",
        "signature_version": "s3v4",
        "querystring_expire": 120,
        "public_acl": "public-read",
        "file_overwrite": False,
        "max_memory_size": 8 * 1024 * 1024,
        **overrides,
    }
    return {"BACKEND": "events.media.backends.MediaS3Storage", "OPTIONS": options}


def client_for(endpoint: str):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=KEYS["access_key"],
        aws_secret_access_key=KEYS["secret_key"],
        config=Config(s3={"addressing_style": "path"}),
    )


@pytest.fixture(scope="session")
def moto_endpoint():
    external = os.environ.get("CSO_TEST_S3_ENDPOINT", "")
    server = None
    if external:
        endpoint = external.rstrip("/")
    else:
        # One log line per request to the bucket would bury a failing test's own output.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
    client = client_for(endpoint)
    try:
        client.create_bucket(Bucket=BUCKET)
    except client.exceptions.BucketAlreadyOwnedByYou:
        pass
    yield endpoint
    if server is not None:
        server.stop()


@dataclass
class Bucket:
    """The part of the test bucket one test uses."""

    endpoint: str
    location: str
    client: object

    def keys(self) -> list[str]:
        """Every object the test stored, by its name in the application (without the test's prefix)."""
        names = []
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=self.location + "/"):
            names += [item["Key"][len(self.location) + 1 :] for item in page.get("Contents", ())]
        return sorted(names)

    def read(self, name: str) -> bytes:
        return self.client.get_object(Bucket=BUCKET, Key=f"{self.location}/{name}")["Body"].read()

    def owns(self, url: str) -> bool:
        return url.startswith(self.endpoint + "/")


@pytest.fixture
def s3_media(moto_endpoint, settings):
    """The media storage is the test bucket for this test (under a prefix of its own)."""
    location = "t-" + secrets.token_hex(6)
    settings.STORAGES = {**settings.STORAGES, "default": storage_options(moto_endpoint, location=location)}
    return Bucket(endpoint=moto_endpoint, location=location, client=client_for(moto_endpoint))


@pytest.fixture
def media_backend(request):
    """``"disk"`` (MEDIA_ROOT, the default) or the test bucket, by the test's parameter."""
    if request.param == "s3":
        return request.getfixturevalue("s3_media")
    return None


@pytest.fixture
def stored_files(media_backend, settings):
    """Every file in the media storage, sorted: the objects in the test's part of the bucket, or MEDIA_ROOT's."""
    if media_backend is not None:
        return media_backend.keys
    root = settings.MEDIA_ROOT
    return lambda: sorted(path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file())


def http_get(url: str) -> tuple[int, dict, bytes]:
    """A plain HTTP GET, as a browser following a redirect to the bucket makes it (no Django test client).
    Header names in lower case."""
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def fetch(client, url: str) -> tuple[int, bytes]:
    """Status and body of a file address as a browser sees it: a redirect to the bucket is followed there."""
    response = client.get(url)
    if response.status_code == 302 and urlsplit(response["Location"]).netloc not in ("", "testserver"):
        status, _headers, body = http_get(response["Location"])
        return status, body
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, body
