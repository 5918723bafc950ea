"""EHR intake: ADT messages from files or an MLLP listener, applied through the member service.

intake = AdtIntake(service, facilities)
receipt = intake.receive(raw_message, source="mllp:127.0.0.1:51234")   # Receipt with ACK
intake.process_file(Path("samples/hl7v2/adt-events.hl7"))             # [Receipt]
MllpListener(intake.answer, "127.0.0.1", 2575).serve_forever()
CcdaIntake(service, strict=False).process_file(Path("care-plan.xml"))   # CcdaReceipt
"""

from adapter.intake.adt_intake import AdtIntake, Receipt
from adapter.intake.ccda_intake import CcdaIntake, CcdaReceipt
from adapter.intake.mllp import MllpListener

__all__ = ["AdtIntake", "CcdaIntake", "CcdaReceipt", "MllpListener", "Receipt"]
