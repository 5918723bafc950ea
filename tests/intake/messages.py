"""Build synthetic ADT messages field by field, so each test shows only what it is about."""

from __future__ import annotations

START, END = b"\x0b", b"\x1c\r"
PLAN_MEMBER = "M100001^^^CCA-OC^MB"
MASSHEALTH = "161950100001^^^MASSHEALTH^MA"
HOME = "185 Highland Ave^^Revere^MA^02151^USA^H"


def segment(name: str, fields: dict[int, str]) -> str:
    parts = [name] + [""] * max(fields, default=0)
    for position, text in fields.items():
        parts[position] = text
    return "|".join(parts)


def adt(
    trigger: str,
    control_id: str,
    *,
    message_type: str = "ADT",
    sent: str = "20261012110000-0400",
    pid: dict[int, str] | None = None,
    pv1: dict[int, str] | None = None,
    pv2: dict[int, str] | None = None,
) -> str:
    """An ADT message for the sample member M100001 unless `pid` says otherwise."""
    msh = (
        f"MSH|^~\\&|EPIC|UMASSMEM|LTSC-ADAPTER|CCA-OC|{sent}||"
        f"{message_type}^{trigger}^{message_type}_{trigger}|{control_id}|P|2.5.1"
    )
    segments = [msh, segment("EVN", {1: trigger, 2: sent[:14]})]
    segments.append(
        segment("PID", {1: "1", 3: PLAN_MEMBER, 5: "Robinson^Keisha", 11: HOME} | (pid or {}))
    )
    segments.append(segment("PV1", {1: "1", 2: "I"} | (pv1 or {})))
    if pv2:
        segments.append(segment("PV2", pv2))
    return "\r".join(segments)


def framed(message: str) -> bytes:
    return START + message.encode("utf-8") + END


def ack_fields(ack: str) -> dict[str, list[str]]:
    """Segments of an ACK by name, each split into fields (index = HL7 field number)."""
    found = {}
    for seg in filter(None, ack.split("\r")):
        parts = seg.split("|")
        found[parts[0]] = parts if parts[0] != "MSH" else ["MSH", "|", *parts[1:]]
    return found
