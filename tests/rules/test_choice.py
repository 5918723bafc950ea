"""CHOICE-TWO (at least two LTS-Cs from different CBOs, fitting the member) and CHOICE (the
member decides; a decline never blocks a later request)."""

from tests.rules.given import cbo, codes, directory, evaluate, ltsc, member, offer, only_offer


def _choices(record, staff=None, as_of="2026-03-02"):
    found = only_offer(evaluate(record, as_of, staff))
    return found["choices"], found["fewer_choices_reason"]


def test_choice_two_two_ltscs_from_different_cbos_in_the_members_county():
    chosen, reason = _choices(member())
    assert reason is None
    cbos = {s["staff_id"]: s["cbo_id"] for s in directory()["ltsc_staff"]}
    assert len(chosen) == 2 and len({cbos[s] for s in chosen}) == 2
    assert "LTSC-004" not in chosen  # its CBO serves Suffolk only


def test_choice_two_prefers_rlc_for_recovery_goals():
    goal = {"goal_id": "G-1", "category": "recovery", "status": "active"}
    chosen, _ = _choices(member(goals=[goal]))
    assert chosen[0] == "LTSC-002"


def test_choice_two_prefers_rlc_for_behavioral_health_needs():
    need = {"need_id": "N-1", "identified_on": "2026-01-02", "category": "behavioral-health"}
    assert _choices(member(ltss_needs=[need]))[0][0] == "LTSC-002"


def test_choice_two_prefers_asap_for_members_sixty_and_over():
    record = member()
    record["member"]["birth_date"] = "1966-03-01"  # 60 on enrollment day
    assert _choices(record)[0][0] == "LTSC-003"


def test_choice_two_prefers_ilc_for_independent_living_then_language():
    goal = {"goal_id": "G-1", "category": "independent-living", "status": "active"}
    record = member(goals=[goal])
    record["member"]["preferred_language"] = "pt"
    chosen, _ = _choices(record)
    assert chosen[0] == "LTSC-005"  # ILC, and speaks Portuguese


def test_choice_two_order_is_deterministic_by_fit_then_id():
    goal = {"goal_id": "G-1", "category": "recovery", "status": "active"}
    record = member(goals=[goal])
    record["member"]["birth_date"] = "1960-01-01"
    assert _choices(record)[0] == ["LTSC-002", "LTSC-003"]


def test_cbo_types_preferred_type_first_then_any_type_by_staff_id():
    staff = directory()
    staff["cbos"].append(cbo("AAA", "other", ["Worcester"]))
    staff["ltsc_staff"].append(ltsc("LTSC-000", "AAA"))
    goal = {"goal_id": "G-1", "category": "independent-living", "status": "active"}
    assert _choices(member(goals=[goal]), staff)[0] == ["LTSC-001", "LTSC-000"]


def test_choice_two_shortfall_when_one_cbo_serves_the_area():
    record = member()
    record["member"]["addresses"][0]["county"] = "Suffolk"
    assert _choices(record) == (["LTSC-004"], "fewer-than-two-cbos")


def test_choice_two_shortfall_when_no_cbo_serves_the_area():
    record = member()
    record["member"]["addresses"][0]["county"] = "Berkshire"
    assert _choices(record) == ([], "no-cbo-in-area")


def test_choice_two_cbo_leaving_the_network_is_no_longer_offered():
    staff = directory()
    staff["cbos"][1] = cbo("WRLC", "RLC", ["Worcester"], end="2026-02-28")
    goal = {"goal_id": "G-1", "category": "recovery", "status": "active"}
    chosen, reason = _choices(member(goals=[goal]), staff)
    assert "LTSC-002" not in chosen and reason is None


def test_choice_two_inactive_ltsc_is_not_offered():
    staff = directory()
    staff["ltsc_staff"] = [ltsc("LTSC-001", "WCIL", active=False), ltsc("LTSC-002", "WRLC")]
    assert _choices(member(), staff) == (["LTSC-002"], "fewer-than-two-cbos")


def test_choice_two_ltsc_on_time_off_comes_after_a_colleague():
    staff = directory()
    away = [{"start": "2026-03-01", "end": "2026-03-31"}]
    staff["ltsc_staff"][0] = ltsc("LTSC-001", "WCIL", time_off=away)
    goal = {"goal_id": "G-1", "category": "independent-living", "status": "active"}
    chosen, _ = _choices(member(goals=[goal]), staff)
    assert chosen[0] == "LTSC-005" and "LTSC-001" not in chosen


def test_choice_two_recorded_offer_keeps_the_choices_made():
    made = offer("OF-1", "OFFER-90", "2026-03-10", fewer_choices_reason="member-requested-specific")
    made["choices"] = ["LTSC-004"]
    found = only_offer(evaluate(member(offers=[made]), "2026-03-11"))
    assert (found["choices"], found["fewer_choices_reason"]) == (
        ["LTSC-004"],
        "member-requested-specific",
    )


def test_choice_decline_closes_the_offer_and_a_later_request_opens_a_new_one():
    # Given an OFFER-90 offer declined on 2026-04-15
    declined = offer("OF-1", "OFFER-90", "2026-04-02", "declined", outcome_date="2026-04-15")
    record = member(offers=[declined])
    # When the member asks for an LTS-C in July
    record["ltsc_requests"] = [{"request_id": "RQ-1", "date": "2026-07-01", "channel": "phone"}]
    first, second = evaluate(record, "2026-07-02")["offers"]
    # Then the declined offer stays completed, and a new offer with fresh choices is due
    assert (first["status"], first["business_status"]) == ("completed", "declined")
    assert codes(second) == ["AVAIL-REQUEST"]
    assert (second["status"], second["due"]) == ("ready", "2026-07-15")
    assert len(second["choices"]) == 2


def test_choice_no_response_is_recorded_and_closes_the_offer():
    silent = offer("OF-1", "OFFER-90", "2026-04-02", "no-response", outcome_date="2026-05-02")
    found = only_offer(evaluate(member(offers=[silent]), "2026-06-01"))
    assert (found["status"], found["business_status"], found["outcome_date"]) == (
        "completed",
        "no-response",
        "2026-05-02",
    )


def test_choice_offer_without_a_matching_trigger_is_still_reported():
    # An offer recorded before enrollment data arrived keeps its own trigger.
    record = member("2026-03-01", offers=[offer("OF-9", "AVAIL-REQUEST", "2026-02-10", "declined")])
    first, second = evaluate(record, "2026-03-02")["offers"]
    assert (first["offer_key"], codes(first)) == ("M1-offer-OF-9", ["AVAIL-REQUEST"])
    assert codes(second) == ["OFFER-90"]


def test_choice_two_shortfall_reason_must_be_true_of_the_directory_on_the_offer_date():
    from adapter.rules.choices import shortfall_problem
    from adapter.rules.directory import Directory

    record = member("2026-03-01")
    staff = Directory.of(directory())
    dodge = offer("OF-1", "OFFER-90", "2026-03-10", choices=["LTSC-001"],
                  fewer_choices_reason="fewer-than-two-cbos")  # fmt: skip
    problem = shortfall_problem(record, staff, dodge)
    # Three contracted CBOs serve Worcester: the member could have had two choices.
    assert problem is not None
    assert "WCIL" in problem and "WRLC" in problem and "WASAP" in problem
    assert shortfall_problem(record, staff, dodge | {"fewer_choices_reason": None}) is None
    chosen = dodge | {"fewer_choices_reason": "member-requested-specific"}
    assert shortfall_problem(record, staff, chosen) is None


def test_choice_two_shortfall_reason_true_when_only_one_cbo_serves_the_county():
    from adapter.rules.choices import shortfall_problem
    from adapter.rules.directory import Directory

    record = member("2026-03-01")
    record["member"]["addresses"][0]["county"] = "Hampden"  # only WRLC serves Hampden
    lone = offer("OF-1", "OFFER-90", "2026-03-10", choices=["LTSC-002"],
                 fewer_choices_reason="fewer-than-two-cbos")  # fmt: skip
    assert shortfall_problem(record, Directory.of(directory()), lone) is None
