"""FHIR XML ⇄ JSON: round trips, element order, decimal precision, and hostile or broken XML."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from adapter.errors import InvalidRequest
from adapter.validation.definitions import load_base_r4
from adapter.validation.fhir_xml import dump_json, load_json, parse_xml, to_xml

DEFINITIONS = load_base_r4()
F = "{http://hl7.org/fhir}"
NARRATIVE = (
    '<div xmlns="http://www.w3.org/1999/xhtml"><p>Maria <b>Santos</b> &amp; family</p></div>'
)

PATIENT = {
    "resourceType": "Patient",
    "id": "mbr-m100001",
    "meta": {"profile": ["https://ltsc-adapter.org/fhir/StructureDefinition/onecare-patient"]},
    "text": {"status": "generated", "div": NARRATIVE},
    "extension": [
        {
            "url": "https://ltsc-adapter.org/fhir/StructureDefinition/communication-preference",
            "extension": [
                {"url": "method", "valueCode": "sms"},
                {"url": "note", "valueString": "texts before calls"},
            ],
        },
        {
            "url": "https://ltsc-adapter.org/fhir/StructureDefinition/rating-category",
            "valueCodeableConcept": {
                "coding": [
                    {
                        "system": "https://ltsc-adapter.org/fhir/CodeSystem/rating-category",
                        "code": "C3",
                    }
                ]
            },
        },
    ],
    "identifier": [
        {"system": "https://www.mass.gov/masshealth/member-id", "value": "100012345678"}
    ],
    "active": True,
    "name": [
        {
            "id": "n1",
            "family": "Santos",
            "given": ["Maria", None],
            "_given": [
                None,
                {"extension": [{"url": "http://example.org/initial", "valueCode": "L"}]},
            ],
        },
        {"use": "old", "family": "Silva", "given": ["Maria"]},
    ],
    "gender": "female",
    "birthDate": "1971-03-14",
    "_birthDate": {
        "id": "bd",
        "extension": [
            {
                "url": "http://hl7.org/fhir/StructureDefinition/patient-birthTime",
                "valueDateTime": "1971-03-14T08:30:00-05:00",
            }
        ],
    },
    "deceasedBoolean": False,
    "multipleBirthInteger": 2,
    "communication": [
        {"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": "pt"}]}, "preferred": True}
    ],
    "contact": [{"id": "c1", "name": {"family": "Santos", "given": ["Ana"]}}],
}

BUNDLE = {
    "resourceType": "Bundle",
    "id": "b1",
    "type": "transaction",
    "link": [{"relation": "self", "url": "https://example.org/fhir/Bundle/b1"}],
    "entry": [
        {
            "fullUrl": "urn:uuid:6f1c1f7e-3b0a-5a8e-9a55-1f0c2b1d9e01",
            "link": [{"relation": "alternate", "url": "https://example.org/alt"}],
            "resource": {
                "resourceType": "CarePlan",
                "id": "plan-m100001",
                "contained": [
                    {
                        "resourceType": "Goal",
                        "id": "g1",
                        "lifecycleStatus": "active",
                        "description": {"text": "keep living in my own apartment"},
                        "subject": {"reference": "Patient/mbr-m100001"},
                    }
                ],
                "status": "active",
                "intent": "plan",
                "subject": {"reference": "Patient/mbr-m100001"},
                "goal": [{"reference": "#g1"}],
            },
            "request": {"method": "PUT", "url": "CarePlan/plan-m100001"},
        },
        {
            "fullUrl": "urn:uuid:6f1c1f7e-3b0a-5a8e-9a55-1f0c2b1d9e02",
            "resource": PATIENT,
            "request": {"method": "PUT", "url": "Patient/mbr-m100001"},
        },
    ],
}

OBSERVATION = {
    "resourceType": "Observation",
    "status": "final",
    "code": {"text": "weight"},
    "effectivePeriod": {"start": "2026-04-10T09:00:00-04:00"},
    "valueQuantity": {"value": Decimal("19.0"), "unit": "kg"},
    "referenceRange": [{"low": {"value": Decimal("1.50")}, "high": {"value": 19}}],
    "component": [
        {"code": {"text": "flag"}, "valueBoolean": True},
        {"code": {"text": "count"}, "valueInteger": -3},
    ],
}

QUESTIONNAIRE = {
    "resourceType": "Questionnaire",
    "status": "draft",
    "item": [
        {
            "linkId": "1",
            "type": "group",
            "item": [
                {
                    "linkId": "1.1",
                    "type": "decimal",
                    "text": "Hours",
                    "initial": [{"valueDecimal": Decimal("2.50")}],
                    "item": [{"linkId": "1.1.1", "type": "display"}],
                }
            ],
        }
    ],
}

TASK = {
    "resourceType": "Task",
    "id": "offer-m100001-offer-1",
    "status": "completed",
    "intent": "order",
    "restriction": {"period": {"end": "2026-05-30"}},
    "input": [
        {
            "type": {"text": "ltsc-choice"},
            "valueReference": {"reference": "PractitionerRole/role-ltsc-0001"},
        },
        {"type": {"text": "note"}, "valueString": "member asked for Spanish"},
    ],
}


@pytest.mark.parametrize(
    "resource", [PATIENT, BUNDLE, OBSERVATION, QUESTIONNAIRE, TASK], ids=lambda r: r["resourceType"]
)
@pytest.mark.parametrize("pretty", [False, True])
def test_json_to_xml_to_json_round_trip_is_lossless(resource, pretty):
    xml = to_xml(resource, DEFINITIONS, pretty=pretty)
    back = parse_xml(xml, DEFINITIONS)
    assert back == resource
    assert json.loads(dump_json(back)) == json.loads(dump_json(resource))


def test_output_is_utf8_with_declaration_and_fhir_namespace():
    xml = to_xml({"resourceType": "Patient", "name": [{"family": "Núñez"}]}, DEFINITIONS)
    assert xml.startswith(
        b'<?xml version="1.0" encoding="UTF-8"?>\n<Patient xmlns="http://hl7.org/fhir">'
    )
    assert "Núñez".encode() in xml


def test_elements_follow_structure_definition_order_whatever_the_json_order():
    shuffled = dict(reversed(list(PATIENT.items())))
    root = etree.fromstring(to_xml(shuffled, DEFINITIONS))
    names = [etree.QName(child).localname for child in root]
    assert names == [
        "id",
        "meta",
        "text",
        "extension",
        "extension",
        "identifier",
        "active",
        "name",
        "name",
        "gender",
        "birthDate",
        "deceasedBoolean",
        "multipleBirthInteger",
        "contact",
        "communication",
    ]


def test_resource_id_is_an_element_and_datatype_id_an_attribute():
    root = etree.fromstring(to_xml(PATIENT, DEFINITIONS))
    assert root.find(F + "id").get("value") == "mbr-m100001"
    assert root.get("id") is None
    assert root.find(F + "name").get("id") == "n1"
    assert root.find(F + "contact").get("id") == "c1"
    assert root.find(F + "extension").get("url").endswith("communication-preference")


def test_primitive_extension_goes_on_the_primitive_element():
    root = etree.fromstring(to_xml(PATIENT, DEFINITIONS))
    birth = root.find(F + "birthDate")
    assert (birth.get("id"), birth.get("value")) == ("bd", "1971-03-14")
    assert birth.find(F + "extension/" + F + "valueDateTime").get("value").startswith("1971")
    given = root.find(F + "name").findall(F + "given")
    assert given[0].get("value") == "Maria"
    assert given[1].get("value") is None and given[1].find(F + "extension") is not None


def test_decimals_keep_their_digits_both_ways():
    xml = to_xml(OBSERVATION, DEFINITIONS)
    assert b'<value value="19.0"/>' in xml and b'<value value="1.50"/>' in xml
    assert b'<value value="19"/>' in xml
    back = parse_xml(xml, DEFINITIONS)
    assert str(back["valueQuantity"]["value"]) == "19.0"
    text = dump_json(back)
    assert '"value":19.0,' in text and '"value":1.50}' in text and '"value":19}' in text


def test_booleans_and_integers_become_json_values():
    back = parse_xml(to_xml(OBSERVATION, DEFINITIONS), DEFINITIONS)
    assert back["component"][0]["valueBoolean"] is True
    assert back["component"][1]["valueInteger"] == -3


def test_json_loaded_floats_write_the_same_digits():
    loaded = load_json(
        '{"resourceType": "Observation", "status": "final", "code": {"text": "w"},'
        ' "valueQuantity": {"value": 1.50}}'
    )
    assert b'<value value="1.50"/>' in to_xml(loaded, DEFINITIONS)
    plain = json.loads(
        '{"resourceType": "Observation", "status": "final", "code": {"text": "w"},'
        ' "valueQuantity": {"value": 0.1}}'
    )
    assert b'<value value="0.1"/>' in to_xml(plain, DEFINITIONS)


def test_dump_json_leaves_look_alike_strings_alone():
    value = {"a": Decimal("2.50"), "b": "\x00decimal-0000000000000000:1.0", "c": [Decimal("-1E+3")]}
    text = dump_json(value)
    assert json.loads(text, parse_float=Decimal)["b"] == value["b"]
    assert '"a":2.50' in text and '"c":[-1E+3]' in text


def test_narrative_is_kept_as_xhtml_string_even_when_pretty_printed():
    xml = to_xml(PATIENT, DEFINITIONS, pretty=True)
    assert NARRATIVE.encode() in xml
    assert parse_xml(xml, DEFINITIONS)["text"]["div"] == NARRATIVE


def test_hand_written_xml_with_comments_prefixes_and_schema_location_reads(tmp_path: Path):
    xml = b"""<?xml version="1.0" encoding="UTF-8"?>
<!-- a member as a plan might send it -->
<f:Patient xmlns:f="http://hl7.org/fhir" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xmlns:h="http://www.w3.org/1999/xhtml" xsi:schemaLocation="http://hl7.org/fhir patient.xsd">
  <f:id value="example"/>
  <f:text>
    <f:status value="generated"/>
    <h:div><h:p>Jordan <h:i>Reyes</h:i></h:p></h:div>
  </f:text>
  <!-- second given name has only an extension -->
  <f:name><f:given value="Jordan"/><f:family value="Reyes"/></f:name>
  <f:gender value="other"/>
</f:Patient>"""
    assert parse_xml(xml, DEFINITIONS) == {
        "resourceType": "Patient",
        "id": "example",
        "text": {
            "status": "generated",
            "div": '<div xmlns="http://www.w3.org/1999/xhtml"><p>Jordan <i>Reyes</i></p></div>',
        },
        "name": [{"given": ["Jordan"], "family": "Reyes"}],
        "gender": "other",
    }


# --- hostile XML ---------------------------------------------------------------------------------


def test_external_file_entity_is_refused_and_never_read(tmp_path: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MEMBER-DATA")
    for body in (b'<id value="&xxe;"/>', b"<name><text>&xxe;</text></name>"):
        xml = (
            b'<?xml version="1.0"?><!DOCTYPE Patient [<!ENTITY xxe SYSTEM "'
            + secret.as_uri().encode()
            + b'">]><Patient xmlns="http://hl7.org/fhir">'
            + body
            + b"</Patient>"
        )
        with pytest.raises(InvalidRequest) as caught:
            parse_xml(xml, DEFINITIONS)
        assert "TOP-SECRET" not in caught.value.message


def test_billion_laughs_is_refused():
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">'
        for i in range(1, 10)
    )
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE Patient [{entities}]>'
        '<Patient xmlns="http://hl7.org/fhir"><id value="&lol9;"/></Patient>'
    ).encode()
    with pytest.raises(InvalidRequest, match="DOCTYPE"):
        parse_xml(xml, DEFINITIONS)


def test_external_dtd_is_refused(tmp_path: Path):
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY leak "leaked">')
    xml = (
        b'<?xml version="1.0"?><!DOCTYPE Patient SYSTEM "' + dtd.as_uri().encode() + b'">'
        b'<Patient xmlns="http://hl7.org/fhir"><id value="a"/></Patient>'
    )
    with pytest.raises(InvalidRequest, match="DOCTYPE"):
        parse_xml(xml, DEFINITIONS)


def test_doctype_in_other_encodings_is_refused_too():
    xml = (
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE Patient [<!ENTITY a "b">]>'
        '<Patient xmlns="http://hl7.org/fhir"/>'
    ).encode("utf-16")
    with pytest.raises(InvalidRequest, match="DOCTYPE"):
        parse_xml(xml, DEFINITIONS)


# --- broken XML ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"<Patient xmlns='http://hl7.org/fhir'><id value='a'>",
        b"not xml at all",
        b"<Patient xmlns='http://hl7.org/fhir'></Patent>",
    ],
)
def test_malformed_xml_is_an_invalid_request(data):
    with pytest.raises(InvalidRequest, match=r"^Malformed XML: "):
        parse_xml(data, DEFINITIONS)


def test_unknown_element_names_its_xpath_and_fhirpath():
    xml = (
        b'<Patient xmlns="http://hl7.org/fhir"><name><family value="a"/></name>'
        b'<name><foo value="x"/></name></Patient>'
    )
    with pytest.raises(InvalidRequest) as caught:
        parse_xml(xml, DEFINITIONS)
    assert caught.value.message == "Unknown element 'foo' at /f:Patient/f:name[2]/f:foo"
    assert caught.value.issues[0].expression == ("Patient.name[1].foo",)
    assert caught.value.outcome()["issue"][0]["code"] == "invalid"


def test_unknown_element_inside_a_bundle_entry_is_located():
    xml = (
        b'<Bundle xmlns="http://hl7.org/fhir"><type value="collection"/>'
        b'<entry><resource><Patient><id value="a"/></Patient></resource></entry>'
        b'<entry><resource><Patient><bogus value="1"/></Patient></resource></entry></Bundle>'
    )
    with pytest.raises(InvalidRequest) as caught:
        parse_xml(xml, DEFINITIONS)
    assert caught.value.message.endswith("/f:Bundle/f:entry[2]/f:resource/f:Patient/f:bogus")
    assert caught.value.issues[0].expression == ("Bundle.entry[1].resource.bogus",)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'<active value="yes"/>', "Value 'yes' is not a boolean"),
        (b'<multipleBirthInteger value="2.0"/>', "Value '2.0' is not an integer"),
        (b'<active value="true"/><active value="false"/>', "'active' repeats"),
        (b"<active>true</active>", "Text content is not allowed"),
        (b'<active valu="true"/>', "Unknown attribute 'valu'"),
        (b'<active value=""/>', "is empty"),
        (b"<active/>", "neither a value attribute nor extensions"),
        (b'<name><given value="a"><family value="b"/></given></name>', "Only extension elements"),
        (b'<x:name xmlns:x="urn:other"/>', "not in the FHIR namespace"),
        (b'<deceasedString value="no"/>', "Unknown element 'deceasedString'"),
        (b"<contained/>", "exactly one resource"),
        (b"<contained><Nonsense/></contained>", "Unknown resource type 'Nonsense'"),
    ],
)
def test_invalid_fhir_xml_is_refused_with_a_reason(body, message):
    xml = b'<Patient xmlns="http://hl7.org/fhir">' + body + b"</Patient>"
    with pytest.raises(InvalidRequest, match=message):
        parse_xml(xml, DEFINITIONS)


def test_bad_decimal_is_refused():
    xml = (
        b'<Observation xmlns="http://hl7.org/fhir"><valueQuantity><value value="NaN"/>'
        b"</valueQuantity></Observation>"
    )
    with pytest.raises(InvalidRequest, match="not a decimal") as caught:
        parse_xml(xml, DEFINITIONS)
    assert caught.value.issues[0].expression == ("Observation.valueQuantity.value",)


def test_non_fhir_root_is_refused():
    with pytest.raises(InvalidRequest, match="not in the FHIR namespace"):
        parse_xml(b"<Patient><id value='a'/></Patient>", DEFINITIONS)
    with pytest.raises(InvalidRequest, match="Unknown resource type 'HumanName'"):
        parse_xml(b"<HumanName xmlns='http://hl7.org/fhir'/>", DEFINITIONS)


# --- JSON that cannot be written as FHIR XML -----------------------------------------------------


@pytest.mark.parametrize(
    ("resource", "expression", "message"),
    [
        ({"resourceType": "Patient", "nickname": "M"}, "Patient.nickname", "Unknown element"),
        (
            {"resourceType": "Patient", "name": {"family": "x"}},
            "Patient.name",
            "must be a JSON array",
        ),
        (
            {"resourceType": "Patient", "active": "true"},
            "Patient.active",
            "not a valid FHIR boolean",
        ),
        (
            {"resourceType": "Patient", "contact": [{"name": {"family": 7}}]},
            "Patient.contact[0].name.family",
            "not a valid FHIR string",
        ),
        (
            {"resourceType": "Patient", "name": [{"given": ["a"], "_given": []}]},
            "Patient.name[0].given",
            "differ in length",
        ),
        (
            {"resourceType": "Patient", "text": {"status": "generated", "div": "<p>no div</p>"}},
            "Patient.text.div",
            "narrative must be one",
        ),
        (
            {"resourceType": "Patient", "text": {"status": "generated", "div": "<div"}},
            "Patient.text.div",
            "not well-formed",
        ),
        (
            {"resourceType": "Bundle", "entry": [{"resource": {"id": "x"}}]},
            "Bundle.entry[0].resource",
            "needs a resourceType",
        ),
        ({"resourceType": "Unheard"}, "Unheard", "Unknown resource type"),
    ],
)
def test_unwritable_json_names_the_element(resource, expression, message):
    with pytest.raises(InvalidRequest, match=message) as caught:
        to_xml(resource, DEFINITIONS)
    assert caught.value.issues[0].expression == (expression,)


def test_characters_xml_cannot_carry_are_refused():
    with pytest.raises(InvalidRequest, match="characters XML cannot carry"):
        to_xml({"resourceType": "Patient", "name": [{"text": "a\x01b"}]}, DEFINITIONS)


# --- character data ------------------------------------------------------------------------------

XML_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\t\n\r"),
    min_size=1,
)


@given(family=XML_TEXT, note=XML_TEXT)
def test_any_xml_compatible_string_round_trips_exactly(family, note):
    resource = {"resourceType": "Patient", "name": [{"family": family, "given": [note, family]}]}
    assert parse_xml(to_xml(resource, DEFINITIONS), DEFINITIONS) == resource


def test_line_breaks_quotes_and_markup_in_values_survive():
    text = "line1\nline2\r\n\ttab \"q\" <b> & 'a' 😀  double  space "
    resource = {"resourceType": "Patient", "name": [{"text": text}]}
    xml = to_xml(resource, DEFINITIONS)
    assert b"&#10;" in xml and b"&#13;" in xml
    assert parse_xml(xml, DEFINITIONS)["name"][0]["text"] == text


def test_byte_order_mark_and_comments_inside_primitives_are_accepted():
    xml = (
        '\ufeff<?xml version="1.0" encoding="UTF-8"?><Patient xmlns="http://hl7.org/fhir">'
        '<name><family value="du"><!-- a prefix, VV in ISO 21090 -->'
        '<extension url="http://hl7.org/fhir/StructureDefinition/iso21090-EN-qualifier">'
        '<valueCode value="VV"/></extension></family><given value="Bénédicte"/></name>'
        "</Patient>"
    ).encode()
    name = parse_xml(xml, DEFINITIONS)["name"][0]
    assert name["family"] == "du" and name["_family"]["extension"][0]["valueCode"] == "VV"


def test_narrative_whitespace_is_kept_exactly():
    div = (
        '<div xmlns="http://www.w3.org/1999/xhtml">\n  <table>\n    <tr><td>Name</td>'
        '<td>Maria <b>Santos</b> ("Mia")</td></tr>\n  </table>\n</div>'
    )
    resource = {"resourceType": "Patient", "text": {"status": "generated", "div": div}}
    assert parse_xml(to_xml(resource, DEFINITIONS, pretty=True), DEFINITIONS) == resource
