"""The media storage when it is an S3-compatible bucket (``DJANGO_STORAGE=s3``, see ``cso_press/settings/env.py``).

One bucket holds everything, with two rules:

- the public folders (``CSO_PUBLIC_MEDIA_FOLDERS``: the directory's portraits and logos) are stored readable by
  anyone (``public_acl``; empty when the bucket grants that by policy instead) and their ``url`` is a plain
  address on the bucket or its CDN (``custom_domain``);
- everything else (a release's photos, renditions and documents, all under ``private/``) stays private. Its
  ``url`` is a presigned address valid for ``querystring_expire`` seconds, and the checked ``/files/`` view hands
  one out only after ``events.media.access`` said yes (``events.media.serving``). Presigned addresses always go
  to the bucket itself, never the CDN, which cannot check a signature.

Local disk needs none of this; the rest of the code reads and writes through the storage API either way.
"""

from __future__ import annotations

from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.files import File
from django.utils.encoding import filepath_to_uri
from django.utils.http import content_disposition_header
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

# What a storage call may raise when the file store fails (a full disk, an unreachable or refusing bucket).
STORAGE_ERRORS: tuple[type[BaseException], ...] = (OSError, BotoCoreError, ClientError)
PUBLIC_CACHE_CONTROL = "public, max-age=31536000, immutable"
# Files up to this size go to and come from the bucket in one request. boto3's default (8 MB) split a 10 MB
# photo into create + two parts + complete on the way in (each part copied into memory first, and the server
# joining them at the end) and two ranged GETs on the way out. Photos and documents (uploads are capped at
# CSO_MAX_UPLOAD_BYTES, 40 MB) now take one streamed PUT and one GET; only press kits are larger, and go in
# parts of MULTIPART_CHUNK_BYTES, one part in memory at a time.
MULTIPART_THRESHOLD_BYTES = 64 * 1024 * 1024
MULTIPART_CHUNK_BYTES = 8 * 1024 * 1024


class MediaS3Storage(S3Storage):
    """The bucket: public folders public, everything else private behind short-lived presigned addresses."""

    def __init__(self, **options):
        super().__init__(**options)
        # botocore waits a minute to connect and a minute per read by default: a stalled bucket would hold a web
        # worker that long on every file request. Fail fast and let the page or the command say so.
        self.client_config = self.client_config.merge(
            Config(
                connect_timeout=self.connect_timeout,
                read_timeout=self.read_timeout,
                retries={"mode": "standard", "max_attempts": self.max_attempts},
            )
        )

    def get_default_settings(self) -> dict:
        return {
            **super().get_default_settings(),
            "public_acl": "public-read",
            "connect_timeout": 5,
            "read_timeout": 30,
            "max_attempts": 3,
            # boto3 sends a large file in parts from up to ten threads at once, and each thread's buffers stay in
            # the worker's memory: 60 photos and a kit on S3 took the media workers to 470-546 MB. One part at a
            # time keeps them near their disk figure (docs/bench-media.md).
            "transfer_config": TransferConfig(
                use_threads=False,
                multipart_threshold=MULTIPART_THRESHOLD_BYTES,
                multipart_chunksize=MULTIPART_CHUNK_BYTES,
            ),
        }

    def _save(self, name, content):
        # django-storages wraps ``content`` and leaves the wrapper in a reference cycle (it puts ``close`` back on
        # it as an instance attribute), so the file and its buffer (a 10 MB master, every rendition) outlived
        # the call until the garbage collector's next full pass: a media worker grew by about 5 MB a photo on
        # S3 and not on disk. Only this carrier is caught in the cycle; it lets go of the file when done.
        carrier = File(content, name=getattr(content, "name", None))
        if getattr(content, "content_type", None):
            carrier.content_type = content.content_type
        try:
            return super()._save(name, carrier)
        finally:
            carrier.file = None

    def _relative(self, key: str) -> str:
        """A name as the application knows it, from a bucket key that may carry ``location``."""
        location = (self.location or "").strip("/")
        if location and key.startswith(location + "/"):
            return key[len(location) + 1 :]
        return key

    def is_public_name(self, name: str) -> bool:
        return clean_name(name).startswith(tuple(settings.CSO_PUBLIC_MEDIA_FOLDERS))

    def get_object_parameters(self, name: str) -> dict:
        params = super().get_object_parameters(name)
        if self.is_public_name(self._relative(clean_name(name))):
            if self.public_acl:
                params.setdefault("ACL", self.public_acl)
            # A new picture always gets a new random name, so a copy may be kept for good (CDN and browsers).
            params.setdefault("CacheControl", PUBLIC_CACHE_CONTROL)
        return params

    def url(self, name, parameters=None, expire=None, http_method=None) -> str:
        if self.is_public_name(name):
            return self.public_url(name)
        return self.presigned_url(name, expire=expire)

    def public_url(self, name: str) -> str:
        key = self._normalize_name(clean_name(name))
        if self.custom_domain:
            return f"{self.url_protocol}//{self.custom_domain}/{filepath_to_uri(key)}"
        # An unsigned client gives the object's plain address on the bucket.
        return self.unsigned_connection.meta.client.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket_name, "Key": key}
        )

    def presigned_url(
        self,
        name: str,
        *,
        expire: int | None = None,
        content_type: str = "",
        filename: str = "",
        as_attachment: bool = False,
        cache_control: str = "",
    ) -> str:
        """A signed address for one private object; the bucket answers it with these headers until it expires."""
        params = {"Bucket": self.bucket_name, "Key": self._normalize_name(clean_name(name))}
        if content_type:
            params["ResponseContentType"] = content_type
        if filename:
            params["ResponseContentDisposition"] = content_disposition_header(as_attachment, filename)
        if cache_control:
            params["ResponseCacheControl"] = cache_control
        return self.connection.meta.client.generate_presigned_url(
            "get_object", Params=params, ExpiresIn=expire or self.querystring_expire
        )


def hands_out_addresses(storage) -> bool:
    """True when clients fetch files from the storage itself (a bucket), not through the application."""
    return isinstance(storage, MediaS3Storage)
