"""Errors specific to certification; all are shared DomainErrors underneath."""

from __future__ import annotations

from ocop_shared.errors import ConflictError, InvalidStateError, NotFoundError


class ProducerNotFoundError(NotFoundError):
    code = "producer-not-found"


class ProductNotFoundError(NotFoundError):
    code = "product-not-found"


class CertificateNotFoundError(NotFoundError):
    code = "certificate-not-found"


class DuplicateTaxCodeError(ConflictError):
    code = "duplicate-tax-code"


class DuplicateDecisionError(ConflictError):
    code = "duplicate-decision"


class CertificateNotActiveError(InvalidStateError):
    code = "certificate-not-active"
