"""Channel eligibility: which products each sales channel may carry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ocop_catalog.domain.model import CertificateState
from ocop_shared.contracts.catalog import CertificateStatus, Channel


@dataclass(frozen=True)
class ChannelPolicy:
    """A rule such as "active certificate with at least 3 stars"."""

    channel: Channel
    min_stars: int = 3


DEFAULT_POLICIES = (
    ChannelPolicy(Channel.SHOWROOM),
    ChannelPolicy(Channel.MARKETPLACE),
    ChannelPolicy(Channel.FAIR),
)


def eligible_channels(
    certificate: CertificateState | None,
    today: date,
    policies: tuple[ChannelPolicy, ...] = DEFAULT_POLICIES,
) -> list[Channel]:
    if certificate is None or certificate.status_on(today) is not CertificateStatus.ACTIVE:
        return []
    return [p.channel for p in policies if certificate.stars >= p.min_stars]
