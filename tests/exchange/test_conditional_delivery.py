"""`conditional-update` delivery to a server that refuses client-assigned ids on create."""

from __future__ import annotations

from adapter.exchange.listener import OutboxListener
from adapter.exchange.partners import Partner, PartnerRegistry
from tests.exchange.helpers import worker
from tests.exchange.resources import patient
from tests.exchange.servers import MiniPartner


def test_conditional_update_lets_the_partner_assign_its_own_ids(store):
    with MiniPartner(refuse_client_ids=True) as server:
        partner = Partner(
            id="strict",
            base_url=server.fhir,
            resource_types=("Patient",),
            delivery="conditional-update",
        )
        store.add_listener(OutboxListener(PartnerRegistry([partner])))
        store.update("Patient", "mbr-c1", patient("C1", "First"))
        store.update("Patient", "mbr-c1", patient("C1", "Second"))

        report = worker(store, partner).drain(max_rounds=10, deadline_s=30)

        assert (report.delivered, report.dead) == (2, 0)
        [(key, held)] = [(k, r) for k, r in server.resources.items() if k.startswith("Patient/")]
        assert key != "Patient/mbr-c1"  # the partner's own id
        assert held["name"][0]["family"] == "Second"
        assert held["meta"]["versionId"] == "2"
