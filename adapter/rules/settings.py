"""Rule settings: the few numbers the One Care contract leaves to the plan."""

from __future__ import annotations

from dataclasses import dataclass

from adapter.config import Settings


@dataclass(frozen=True)
class RuleSettings:
    """Windows (in days) that turn a trigger into a due date."""

    # AVAIL-REQUEST (and AVAIL-LTSS, AVAIL-AGENCY): days the plan has to make an LTS-C available.
    request_offer_days: int = 14
    # OFFER-ANNUAL: how long before the enrollment anniversary the re-offer Task appears.
    annual_offer_lead_days: int = 30

    @classmethod
    def from_settings(cls, settings: Settings) -> RuleSettings:
        return cls(
            request_offer_days=settings.request_offer_days,
            annual_offer_lead_days=settings.annual_offer_lead_days,
        )
