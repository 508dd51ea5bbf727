"""docs/asyncapi.yaml and docs/asyncapi.html: generated from the contracts, never stale, and
valid against the official AsyncAPI 3.0.0 JSON Schema (vendored from @asyncapi/specs)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml
from typer.testing import CliRunner

from ocop_platform.asyncapi import Worker, build_document, spec_errors, to_html
from ocop_platform.asyncapi.schemas import hoist
from ocop_platform.cli import app
from ocop_platform.cli.asyncapi import current_document, rendered_files
from ocop_shared.contracts import registered_types
from ocop_shared.contracts import registry as contract_registry
from ocop_shared.contracts.certification import CERTIFICATES_TOPIC
from ocop_shared.contracts.envelope import EventData

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return current_document()


def test_the_committed_document_and_page_match_the_contracts() -> None:
    files = rendered_files(DOCS / "asyncapi.yaml", DOCS / "asyncapi.html")
    for path, text in files.items():
        assert path.is_file(), f"missing {path}: run `ocop asyncapi export`"
        assert path.read_text(encoding="utf-8") == text, (
            f"{path.name} is stale: run `ocop asyncapi export` and commit the result"
        )


def test_the_committed_yaml_parses_to_the_generated_document(document: dict[str, Any]) -> None:
    committed = yaml.safe_load((DOCS / "asyncapi.yaml").read_text(encoding="utf-8"))
    assert committed == document


def test_the_document_is_valid_asyncapi_3(document: dict[str, Any]) -> None:
    assert document["asyncapi"] == "3.0.0"
    assert spec_errors(document) == []


def test_the_spec_validator_rejects_an_invalid_document(document: dict[str, Any]) -> None:
    broken = copy.deepcopy(document)
    first = next(iter(broken["operations"]))
    broken["operations"][first]["action"] = "publish"  # AsyncAPI 2 wording, gone in 3.0
    del broken["info"]["version"]
    errors = spec_errors(broken)
    assert any("operations" in e for e in errors)
    assert any("version" in e for e in errors)


def test_every_registered_contract_is_a_message_of_its_topic(document: dict[str, Any]) -> None:
    for event_type, model in registered_types().items():
        channel = document["channels"][model.topic]
        assert event_type in channel["messages"]
        message = document["components"]["messages"][event_type]
        assert message["payload"]["allOf"][1]["properties"]["type"] == {"const": event_type}
        assert message["bindings"]["kafka"]["key"]["type"] == "string"
        assert event_type in document["components"]["schemas"]
        assert document["channels"][model.topic + ".dlq"]["x-ocop-dead-letter-of"] == model.topic


def _inline(node: Any, definitions: dict[str, Any]) -> Any:
    """The schema with every reference replaced by what it names (contracts are not recursive)."""
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            return _inline(definitions[node["$ref"].rsplit("/", 1)[-1]], definitions)
        return {k: _inline(v, definitions) for k, v in node.items() if k != "$defs"}
    if isinstance(node, list):
        return [_inline(item, definitions) for item in node]
    return node


def test_payload_schemas_are_the_committed_snapshots_of_shared_schemas(
    document: dict[str, Any],
) -> None:
    repo = DOCS.parent
    components = document["components"]["schemas"]
    for event_type, message in document["components"]["messages"].items():
        snapshot = json.loads((repo / message["x-ocop-schema-file"]).read_text(encoding="utf-8"))
        expected = _inline(snapshot, snapshot.get("$defs", {}))
        assert _inline(components[event_type], components) == expected, event_type


def test_publishers_are_relays_and_subscribers_are_the_consumers_topics(
    document: dict[str, Any],
) -> None:
    certificates = document["channels"][CERTIFICATES_TOPIC]
    assert certificates["x-ocop-publishers"] == ["certification-relay"]
    assert {"catalog-consumer", "orders-consumer", "events-consumer"} <= set(
        certificates["x-ocop-subscribers"]
    )
    operations = document["operations"]
    receive = operations[f"catalog-consumer.receive.{CERTIFICATES_TOPIC}"]
    assert receive["action"] == "receive"
    assert receive["channel"] == {"$ref": f"#/channels/{CERTIFICATES_TOPIC}"}
    dead_letter = operations[f"catalog-consumer.dead-letter.{CERTIFICATES_TOPIC}"]
    assert dead_letter["channel"] == {"$ref": f"#/channels/{CERTIFICATES_TOPIC}.dlq"}


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for item in node for ref in _refs(item)]
    return []


def test_every_reference_resolves_inside_the_document(document: dict[str, Any]) -> None:
    refs = set(_refs(document))
    assert refs
    for ref in refs:
        assert ref.startswith("#/"), ref
        target: Any = document
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            assert isinstance(target, dict) and part in target, f"unresolved {ref}"
            target = target[part]


def test_no_schema_keeps_a_local_defs_pointer(document: dict[str, Any]) -> None:
    text = yaml.safe_dump(document)
    assert "#/$defs/" not in text
    assert "$defs" not in text


def test_a_new_contract_appears_after_export_without_touching_the_generator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class ParcelShippedV1(EventData):
        """Sent when a parcel leaves the showroom."""

        event_type: ClassVar[str] = "ocop.orders.parcel.shipped.v1"
        topic: ClassVar[str] = "ocop.orders.shipments"

        parcel_id: str

    ParcelShippedV1.__module__ = "ocop_shared.contracts.orders"
    monkeypatch.setitem(contract_registry._REGISTRY, ParcelShippedV1.event_type, ParcelShippedV1)
    document = build_document([Worker("orders-relay", "ocop_orders.entrypoints.relay")])
    channel = document["channels"]["ocop.orders.shipments"]
    assert list(channel["messages"]) == ["ocop.orders.parcel.shipped.v1"]
    assert channel["x-ocop-publishers"] == ["orders-relay"]
    assert spec_errors(document) == []
    assert "ocop.orders.shipments" in to_html(document)


def test_definitions_with_the_same_name_but_different_content_are_kept_apart() -> None:
    components: dict[str, Any] = {}
    ref = {"$ref": "#/$defs/Channel"}
    hoist("a.v1", {"$defs": {"Channel": {"enum": ["x"]}}, "properties": {"c": ref}}, components)
    hoist("b.v1", {"$defs": {"Channel": {"enum": ["y"]}}, "properties": {"c": ref}}, components)
    hoist("c.v1", {"$defs": {"Channel": {"enum": ["x"]}}, "properties": {"c": ref}}, components)
    assert components["Channel"] == {"enum": ["x"]}
    assert components["b.v1.Channel"] == {"enum": ["y"]}
    assert components["a.v1"]["properties"]["c"] == {"$ref": "#/components/schemas/Channel"}
    assert components["b.v1"]["properties"]["c"] == {"$ref": "#/components/schemas/b.v1.Channel"}
    assert components["c.v1"]["properties"]["c"] == {"$ref": "#/components/schemas/Channel"}


def test_the_page_has_a_vietnamese_section_per_topic_with_fields(
    document: dict[str, Any],
) -> None:
    page = to_html(document)
    assert '<html lang="vi">' in page
    for topic in {m.topic for m in registered_types().values()}:
        assert f'<section id="{topic}">' in page
    assert "Bên phát (publishers)" in page and "Bên nhận (subscribers)" in page
    assert "<code>certificate_number</code>" in page
    assert "<script" not in page


def test_check_fails_on_a_stale_document_and_export_repairs_it(tmp_path: Path) -> None:
    runner = CliRunner()
    yaml_path, html_path = tmp_path / "asyncapi.yaml", tmp_path / "asyncapi.html"
    args = ["--yaml", str(yaml_path), "--html", str(html_path)]
    assert runner.invoke(app, ["asyncapi", "check", *args]).exit_code == 1  # missing
    assert runner.invoke(app, ["asyncapi", "export", *args]).exit_code == 0
    assert runner.invoke(app, ["asyncapi", "check", *args]).exit_code == 0
    yaml_path.write_text(yaml_path.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    result = runner.invoke(app, ["asyncapi", "check", *args])
    assert result.exit_code == 1
