"""Message files split into messages; ACKs with MSA and ERR that parse as HL7 again."""

from __future__ import annotations

import hl7

from adapter.intake.ack import acknowledgement, escape
from adapter.records.hl7v2 import AdtError, split_messages
from tests.intake.messages import ack_fields, adt, framed


def test_blank_lines_separate_messages_and_lf_becomes_cr():
    text = adt("A01", "C1").replace("\r", "\n") + "\n\n" + adt("A03", "C2").replace("\r", "\r\n")
    messages = split_messages(text + "\n")
    assert len(messages) == 2
    assert all("\n" not in m and m.startswith("MSH") for m in messages)
    assert hl7.parse(messages[1]).segment("MSH")(10)[0] == "C2"


def test_mllp_framed_files_are_split_by_frame():
    data = framed(adt("A01", "C1")) + b"\n" + framed(adt("A05", "C2"))
    assert [m.split("\r")[0].split("|")[9] for m in split_messages(data.decode())] == ["C1", "C2"]


def test_accept_ack_answers_the_control_id_and_trigger():
    ack = acknowledgement(adt("A01", "C1"), "AA", "applied 1 item(s)")
    fields = ack_fields(ack)
    assert fields["MSA"][1:4] == ["AA", "C1", "applied 1 item(s)"]
    assert fields["MSH"][9] == "ACK^A01^ACK"
    assert (fields["MSH"][5], fields["MSH"][6]) == ("EPIC", "UMASSMEM")
    assert str(hl7.parse(ack).segment("MSA")(1)) == "AA"


def test_error_ack_has_an_err_segment_with_location_and_table_0357_code():
    error = AdtError("AE", "102", "PV1-44 is not a date: '2026|10'", "PV1-44")
    fields = ack_fields(acknowledgement(adt("A01", "C1"), "AE", error.message, error))
    assert fields["MSA"][1] == "AE"
    assert fields["ERR"][2] == "PV1^1^44"
    assert fields["ERR"][3] == "102^Data type error^HL70357"
    assert fields["ERR"][4] == "E"
    assert fields["ERR"][8] == "PV1-44 is not a date: '2026\\F\\10'"


def test_reject_ack_for_text_that_is_not_hl7_still_parses():
    error = AdtError("AR", "200", "not an HL7 v2 message (no MSH)")
    ack = acknowledgement("hello", "AR", error.message, error)
    assert str(hl7.parse(ack).segment("MSA")(1)) == "AR"


def test_escape_protects_the_delimiters():
    assert escape("a|b^c~d&e\\f\rg") == "a\\F\\b\\S\\c\\R\\d\\T\\e\\E\\f g"
