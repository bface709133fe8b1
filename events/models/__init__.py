from .archive_job import ArchiveJob
from .attachment import Attachment, attachment_upload_to
from .audit import AuditLogEntry, EmbargoLink
from .content_version import CacheTagVersion, ContentVersion
from .directory import Organization, Person, PhoneNumber, Section
from .event import Event, EventParticipant, EventPressContact, EventQuerySet, Language
from .identity import SiteIdentity
from .trash import TrashedEventContent

__all__ = [
    "ArchiveJob",
    "Attachment",
    "AuditLogEntry",
    "CacheTagVersion",
    "ContentVersion",
    "EmbargoLink",
    "Event",
    "EventParticipant",
    "EventPressContact",
    "EventQuerySet",
    "Language",
    "Organization",
    "Person",
    "PhoneNumber",
    "Section",
    "SiteIdentity",
    "TrashedEventContent",
    "attachment_upload_to",
]
