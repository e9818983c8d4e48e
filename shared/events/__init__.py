"""Events between services: the envelope (envelope.py) and the contracts, declared by producer.

  catalogue.py   EventType, the CATALOGUE, the payload base and the value schemas every producer uses
  intake.py routing.py casework.py notify.py audit.py   each service's contracts, declared once with it as producer
  envelope.py    Event, new_event, from_wire: building, serialising and validating an envelope

`from shared.events import X` keeps working for every public name.
"""
from shared.events import audit as _audit  # noqa: F401  (declares audit's contracts)
from shared.events.casework import (
                                     AccountChanged,
                                     CaseAssigned,
                                     CaseClosureRejected,
                                     CaseDeadlineAlert,
                                     CaseDeadlineExtended,
                                     CaseNoteAdded,
                                     CaseOpened,
                                     CaseQuestionAsked,
                                     CaseStatusChanged,
                                     CaseTransferRequested,
                                     CaseTriageDecided,
                                     CaseViewed,
                                     ClosureForTipster,
                                     EvidenceViewed,
                                     OperatorAction,
)
from shared.events.catalogue import (
                                     CATALOGUE,
                                     PRODUCERS,
                                     AgencyRef,
                                     Bilingual,
                                     Contracts,
                                     EventType,
                                     Payload,
                                     RetentionApplied,
                                     producer_of,
)
from shared.events.envelope import ACTOR_KINDS, SYSTEM, ActorSchema, EnvelopeSchema, Event, from_wire, new_event
from shared.events.intake import (
                                     TIP_CONTENT,
                                     Accused,
                                     AttachmentMeta,
                                     EvidenceServed,
                                     Location,
                                     TipAttachmentsReceived,
                                     TipFacts,
                                     TipFeedbackRecorded,
                                     TipMessageAdded,
                                     TipReceiptReplaced,
                                     TipReceived,
                                     VolunteerChanged,
)
from shared.events.notify import NotificationRecorded
from shared.events.routing import DuplicateCandidate, TipDuplicatesFound, TipRouted, TipTransferRefused

__all__ = [
    "CATALOGUE", "PRODUCERS", "AgencyRef", "Bilingual", "Contracts", "EventType", "Payload", "RetentionApplied",
    "producer_of", "TIP_CONTENT", "Accused", "AttachmentMeta", "EvidenceServed", "Location",
    "TipAttachmentsReceived", "TipFacts", "TipFeedbackRecorded", "TipMessageAdded", "TipReceiptReplaced",
    "TipReceived", "VolunteerChanged", "DuplicateCandidate", "TipDuplicatesFound", "TipRouted", "TipTransferRefused",
    "AccountChanged", "CaseAssigned", "CaseClosureRejected", "CaseDeadlineAlert", "CaseDeadlineExtended",
    "CaseNoteAdded", "CaseOpened", "CaseQuestionAsked", "CaseStatusChanged", "CaseTransferRequested",
    "CaseTriageDecided", "CaseViewed", "ClosureForTipster", "EvidenceViewed", "OperatorAction",
    "NotificationRecorded", "ACTOR_KINDS", "SYSTEM", "ActorSchema", "EnvelopeSchema", "Event", "from_wire",
    "new_event",
]
