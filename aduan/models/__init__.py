"""All models, importable from one place (Alembic and services import from here)."""

from aduan.models import routing  # noqa: F401  (routing, roster, SLA alerts)
from aduan.models.access import CannedResponse, TicketAccessLog  # noqa: F401  (inbox)
from aduan.models.accounts import OfficerSession, PasswordReset, RecoveryCode  # noqa: F401
from aduan.models.admin import AdminAuditLog  # noqa: F401
from aduan.models.api import ApiToken, IdempotencyRecord  # noqa: F401  (the /api/v1 tokens)
from aduan.models.bots import BotConversation  # noqa: F401
from aduan.models.catalog import Category, HolidayOverride, OfficeClosure, SlaProfile
from aduan.models.channels import ChannelAccount  # noqa: F401
from aduan.models.citizen import ContactCheck, SurveyResponse, VerificationCode  # noqa: F401
from aduan.models.exports import Export  # noqa: F401  (background exports)
from aduan.models.messages import Attachment, InboundEvent, Message, OutboundMessage
from aduan.models.org import Agency, Officer, Unit, officer_units
from aduan.models.people import Complainant, ContactIdentity
from aduan.models.quality import Rating, ServicePoint  # noqa: F401  (service quality)
from aduan.models.referrals import TicketReferral
from aduan.models.reports import ReportComment, ReportDirtyTicket, ReportRollup  # noqa: F401
from aduan.models.schedule import PeriodicRun  # noqa: F401  (the periodic schedule)
from aduan.models.storage import AttachmentBlob
from aduan.models.tickets import Ticket, TicketEvent
from aduan.models.webhooks import WebhookDelivery, WebhookSubscription  # noqa: F401

__all__ = [
    "Agency",
    "Attachment",
    "AttachmentBlob",
    "Category",
    "Complainant",
    "ContactIdentity",
    "HolidayOverride",
    "OfficeClosure",
    "InboundEvent",
    "Message",
    "Officer",
    "OutboundMessage",
    "SlaProfile",
    "Ticket",
    "TicketEvent",
    "TicketReferral",
    "Unit",
    "officer_units",
]
