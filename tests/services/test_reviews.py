"""The intake review queue: inbound messages no member could be found for."""

from __future__ import annotations

import pytest

from adapter.errors import NotFound

ADT = "MSH|^~\\&|HOSP|UMASS|ADAPTER|CCA|202610300800||ADT^A01|1|P|2.5.1"


def test_queued_message_is_listed_as_open_until_resolved(service):
    review_id = service.queue_for_review("hl7v2-adt", ADT, "no member with MassHealth id 1")

    [review] = service.reviews()
    assert review["id"] == review_id
    assert (review["source"], review["payload"], review["status"]) == ("hl7v2-adt", ADT, "open")
    assert review["reason"] == "no member with MassHealth id 1"
    assert review["received_at"].endswith("Z")

    service.resolve_review(review_id)

    assert service.reviews() == []
    assert [r["id"] for r in service.reviews("resolved")] == [review_id]


def test_reviews_are_listed_oldest_first(service):
    first = service.queue_for_review("cbo-app", "{}", "first")
    second = service.queue_for_review("cbo-app", "{}", "second")

    assert [r["id"] for r in service.reviews()] == [first, second]


def test_resolving_an_unknown_review_is_not_found(service):
    with pytest.raises(NotFound):
        service.resolve_review("no-such-review")
