"""The shipped R4 (4.0.1) definitions are complete: every resource type, datatype, core
extension, the specification's value sets and code systems, and its search parameters."""

from __future__ import annotations

import pytest

from adapter.validation import Validator
from adapter.validation.definitions import R4_ARCHIVE, _Archive, load_base_r4

R4_RESOURCE_TYPES = """
Account ActivityDefinition AdverseEvent AllergyIntolerance Appointment AppointmentResponse
AuditEvent Basic Binary BiologicallyDerivedProduct BodyStructure Bundle CapabilityStatement
CarePlan CareTeam CatalogEntry ChargeItem ChargeItemDefinition Claim ClaimResponse
ClinicalImpression CodeSystem Communication CommunicationRequest CompartmentDefinition
Composition ConceptMap Condition Consent Contract Coverage CoverageEligibilityRequest
CoverageEligibilityResponse DetectedIssue Device DeviceDefinition DeviceMetric DeviceRequest
DeviceUseStatement DiagnosticReport DocumentManifest DocumentReference EffectEvidenceSynthesis
Encounter Endpoint EnrollmentRequest EnrollmentResponse EpisodeOfCare EventDefinition Evidence
EvidenceVariable ExampleScenario ExplanationOfBenefit FamilyMemberHistory Flag Goal
GraphDefinition Group GuidanceResponse HealthcareService ImagingStudy Immunization
ImmunizationEvaluation ImmunizationRecommendation ImplementationGuide InsurancePlan Invoice
Library Linkage List Location Measure MeasureReport Media Medication MedicationAdministration
MedicationDispense MedicationKnowledge MedicationRequest MedicationStatement MedicinalProduct
MedicinalProductAuthorization MedicinalProductContraindication MedicinalProductIndication
MedicinalProductIngredient MedicinalProductInteraction MedicinalProductManufactured
MedicinalProductPackaged MedicinalProductPharmaceutical MedicinalProductUndesirableEffect
MessageDefinition MessageHeader MolecularSequence NamingSystem NutritionOrder Observation
ObservationDefinition OperationDefinition OperationOutcome Organization OrganizationAffiliation
Parameters Patient PaymentNotice PaymentReconciliation Person PlanDefinition Practitioner
PractitionerRole Procedure Provenance Questionnaire QuestionnaireResponse RelatedPerson
RequestGroup ResearchDefinition ResearchElementDefinition ResearchStudy ResearchSubject
RiskAssessment RiskEvidenceSynthesis Schedule SearchParameter ServiceRequest Slot Specimen
SpecimenDefinition StructureDefinition StructureMap Subscription Substance SubstanceNucleicAcid
SubstancePolymer SubstanceProtein SubstanceReferenceInformation SubstanceSourceMaterial
SubstanceSpecification SupplyDelivery SupplyRequest Task TerminologyCapabilities TestReport
TestScript ValueSet VerificationResult VisionPrescription
""".split()


@pytest.fixture(scope="module")
def validator() -> Validator:
    return Validator(load_base_r4())


def test_every_r4_resource_type_is_known(validator: Validator):
    assert len(R4_RESOURCE_TYPES) == 146
    assert [t for t in R4_RESOURCE_TYPES if not validator.is_resource_type(t)] == []


def test_no_resource_type_from_another_fhir_version(validator: Validator):
    known = [
        url.rsplit("/", 1)[1]
        for url in validator.definitions.structure_definitions
        if url.startswith("http://hl7.org/fhir/StructureDefinition/")
    ]
    assert sorted(t for t in known if validator.is_resource_type(t)) == sorted(R4_RESOURCE_TYPES)
    assert not validator.is_resource_type("SubscriptionStatus")  # R4B, not R4


@pytest.mark.parametrize("kind", ["Composition", "MedicationRequest", "Media", "Person"])
def test_an_empty_instance_is_checked_not_refused(validator: Validator, kind: str):
    issues = validator.validate({"resourceType": kind, "id": "x"})
    assert not any("Unknown" in i.message for i in issues)


def test_datatypes_and_core_profiles_are_there():
    definitions = load_base_r4()
    for name in ("MarketingStatus", "SubstanceAmount", "Dosage", "ElementDefinition", "xhtml"):
        assert definitions.structure_definition(name) is not None, name
    for profile in ("vitalsigns", "bp", "bmi", "lipidprofile", "shareablevalueset"):
        sd = definitions.structure_definition(profile)
        assert sd is not None and sd["derivation"] == "constraint", profile


def test_core_extensions_are_there():
    definitions = load_base_r4()
    animal = definitions.structure_definition(
        "http://hl7.org/fhir/StructureDefinition/patient-animal"
    )
    asserted = definitions.structure_definition(
        "http://hl7.org/fhir/StructureDefinition/condition-assertedDate"
    )
    assert animal is not None and animal["context"][0]["expression"] == "Patient"
    assert asserted is not None and asserted["type"] == "Extension"
    core = [
        url
        for url, sd in definitions.structure_definitions.items()
        if url.startswith("http://hl7.org/fhir/StructureDefinition/")
        and sd.get("type") == "Extension"
        and sd.get("derivation") == "constraint"
    ]
    assert len(core) > 350


def test_specification_terminology_and_search_parameters_are_there():
    definitions = load_base_r4()
    assert "http://hl7.org/fhir/ValueSet/medicationrequest-status" in definitions.value_sets
    assert "http://terminology.hl7.org/CodeSystem/v3-ActCode" in definitions.code_systems
    assert "http://terminology.hl7.org/CodeSystem/v2-0203" in definitions.code_systems
    names = {sp["code"] for sp in definitions.search_parameters_for("MedicationRequest")}
    assert {"intent", "medication", "authoredon", "_id"} <= names


def test_the_archive_is_read_on_demand():
    archive = _Archive(R4_ARCHIVE)
    assert archive._members == {}
    assert archive.resource("StructureDefinition", "http://hl7.org/fhir/StructureDefinition/Task")
    assert len(archive._members) == 1
    assert archive.resource("StructureDefinition", "http://example.org/none") is None


def test_added_definitions_win_over_the_base_one():
    definitions = load_base_r4()
    url = "http://hl7.org/fhir/ValueSet/medicationrequest-status"
    definitions.add({"resourceType": "ValueSet", "url": url, "status": "retired"})
    assert definitions.value_sets[url]["status"] == "retired"
    assert load_base_r4().value_sets[url]["status"] != "retired"
    assert list(definitions.value_sets).count(url) == 1
