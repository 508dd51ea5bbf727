"""The AsyncAPI 3.0 document of the platform's Kafka topics, generated from the contracts.

`document.build_document` builds it from the contract registry and the worker processes,
`render` writes it as YAML (docs/asyncapi.yaml) and as a static HTML page (docs/asyncapi.html),
`spec.spec_errors` validates it against the official AsyncAPI 3.0.0 JSON Schema.
"""

from ocop_platform.asyncapi.document import build_document
from ocop_platform.asyncapi.render import to_html, to_yaml
from ocop_platform.asyncapi.spec import spec_errors
from ocop_platform.asyncapi.topology import Worker

__all__ = ["Worker", "build_document", "spec_errors", "to_html", "to_yaml"]
