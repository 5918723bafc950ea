"""The one error an ADT message can raise, carrying the ACK code and HL7 error code to answer."""

from __future__ import annotations

# HL7 table 0357 (message error condition codes) entries the intake answers with.
REQUIRED_FIELD_MISSING = "101"
DATA_TYPE_ERROR = "102"
UNSUPPORTED_MESSAGE_TYPE = "200"
UNSUPPORTED_EVENT_CODE = "201"
APPLICATION_INTERNAL_ERROR = "207"

ERROR_TEXT = {
    REQUIRED_FIELD_MISSING: "Required field missing",
    DATA_TYPE_ERROR: "Data type error",
    UNSUPPORTED_MESSAGE_TYPE: "Unsupported message type",
    UNSUPPORTED_EVENT_CODE: "Unsupported event code",
    APPLICATION_INTERNAL_ERROR: "Application internal error",
}


class AdtError(Exception):
    """A message the intake cannot use: AR (refused as such) or AE (content in error).

    `location` is the HL7 position of the bad element ("PID-3", "PV1-44"), empty when the whole
    message is at fault.
    """

    def __init__(self, ack_code: str, error_code: str, message: str, location: str = "") -> None:
        super().__init__(message)
        self.ack_code = ack_code
        self.error_code = error_code
        self.message = message
        self.location = location
