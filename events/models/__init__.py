from .attachment import Attachment, attachment_upload_to
from .audit import AuditLogEntry, EmbargoLink
from .content_version import ContentVersion
from .directory import Organization, Person, PhoneNumber, Section
from .event import Event, EventParticipant, EventPressContact, EventQuerySet, Language
from .trash import TrashedEventContent
from .two_factor import BackupCode, BackupCodeDevice

__all__ = [
    "Attachment",
    "AuditLogEntry",
    "BackupCode",
    "BackupCodeDevice",
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
    "TrashedEventContent",
    "attachment_upload_to",
]
