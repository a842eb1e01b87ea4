"""confluent-kafka's SchemaRegistryClient against strata: every call a client application makes."""

import json

import pytest
from confluent_kafka.schema_registry import Schema, SchemaReference, SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError

USER_V1 = json.dumps(
    {"type": "record", "name": "User", "namespace": "py", "fields": [{"name": "name", "type": "string"}]}
)
USER_V2 = json.dumps(
    {
        "type": "record",
        "name": "User",
        "namespace": "py",
        "fields": [{"name": "name", "type": "string"}, {"name": "age", "type": "int", "default": 0}],
    }
)
USER_BAD = json.dumps(
    {"type": "record", "name": "User", "namespace": "py", "fields": [{"name": "name", "type": "int"}]}
)


@pytest.fixture()
def client(registry_url):
    return SchemaRegistryClient({"url": registry_url})


def test_register_get_and_lookup(client):
    subject = "client-avro-value"
    schema_id = client.register_schema(subject, Schema(USER_V1, "AVRO"))
    assert client.register_schema(subject, Schema(USER_V1, "AVRO")) == schema_id
    fetched = client.get_schema(schema_id)
    assert fetched.schema_type == "AVRO"
    assert json.loads(fetched.schema_str) == json.loads(USER_V1)

    latest = client.get_latest_version(subject)
    assert (latest.schema_id, latest.subject, latest.version) == (schema_id, subject, 1)
    assert client.get_version(subject, 1).schema_id == schema_id
    assert client.get_versions(subject) == [1]
    assert subject in client.get_subjects()

    found = client.lookup_schema(subject, Schema(USER_V1, "AVRO"))
    assert (found.schema_id, found.version) == (schema_id, 1)
    assert client.get_subjects_by_schema_id(schema_id) == [subject]
    assert [(v.subject, v.version) for v in client.get_schema_versions(schema_id)] == [(subject, 1)]


def test_evolution_and_compatibility(client):
    subject = "client-evolve-value"
    first = client.register_schema(subject, Schema(USER_V1, "AVRO"))
    assert client.test_compatibility(subject, Schema(USER_V2, "AVRO"))
    assert not client.test_compatibility(subject, Schema(USER_BAD, "AVRO"))
    second = client.register_schema(subject, Schema(USER_V2, "AVRO"))
    assert second != first
    assert client.get_versions(subject) == [1, 2]
    with pytest.raises(SchemaRegistryError) as err:
        client.register_schema(subject, Schema(USER_BAD, "AVRO"))
    assert err.value.http_status_code == 409


def test_same_schema_in_two_subjects_shares_the_id(client):
    a = client.register_schema("client-share-a", Schema(USER_V1, "AVRO"))
    b = client.register_schema("client-share-b", Schema(USER_V1, "AVRO"))
    assert a == b
    assert {"client-share-a", "client-share-b"} <= set(client.get_subjects_by_schema_id(a))


def test_config_and_mode(client):
    subject = "client-config-value"
    client.register_schema(subject, Schema(USER_V1, "AVRO"))
    # PUT answers with the request's shape ({"compatibility"}), GET with the stored config's
    # ({"compatibilityLevel"}): the client relies on that asymmetry.
    assert client.set_compatibility(subject, "FULL") == {"compatibility": "FULL"}
    assert client.get_compatibility(subject) == "FULL"
    assert client.get_config(subject).compatibility_level.value == "FULL"
    client.delete_config(subject)
    with pytest.raises(SchemaRegistryError) as err:
        client.get_compatibility(subject)
    assert err.value.http_status_code == 404

    assert client.update_mode(subject, "READONLY") == "READONLY"
    assert client.get_mode(subject) == "READONLY"
    with pytest.raises(SchemaRegistryError) as err:
        client.register_schema(subject, Schema(USER_V2, "AVRO"))
    assert err.value.error_code == 42205
    client.delete_mode(subject)
    assert client.get_global_mode() == "READWRITE"


def test_delete_versions_and_subjects(client):
    subject = "client-delete-value"
    client.register_schema(subject, Schema(USER_V1, "AVRO"))
    client.register_schema(subject, Schema(USER_V2, "AVRO"))
    assert client.delete_version(subject, 2) == 2
    assert client.get_versions(subject) == [1]
    assert client.delete_subject(subject) == [1]
    assert subject not in client.get_subjects()
    assert client.delete_subject(subject, permanent=True) == [1, 2]
    with pytest.raises(SchemaRegistryError) as err:
        client.get_versions(subject)
    assert err.value.error_code == 40401


def test_references(client):
    address = json.dumps(
        {"type": "record", "name": "Address", "namespace": "py", "fields": [{"name": "street", "type": "string"}]}
    )
    person = json.dumps(
        {"type": "record", "name": "Person", "namespace": "py", "fields": [{"name": "home", "type": "py.Address"}]}
    )
    address_id = client.register_schema("client-address", Schema(address, "AVRO"))
    refs = [SchemaReference("py.Address", "client-address", 1)]
    person_id = client.register_schema("client-person", Schema(person, "AVRO", refs))
    fetched = client.get_schema(person_id)
    assert [(r.name, r.subject, r.version) for r in fetched.references] == [("py.Address", "client-address", 1)]
    assert client.get_referenced_by("client-address", 1) == [person_id]
    assert address_id != person_id
    with pytest.raises(SchemaRegistryError) as err:
        client.delete_subject("client-address")
    assert err.value.error_code == 42206


def test_json_and_protobuf_schemas(client):
    json_schema = json.dumps({"type": "object", "properties": {"a": {"type": "integer"}}})
    json_id = client.register_schema("client-json", Schema(json_schema, "JSON"))
    assert client.get_schema(json_id).schema_type == "JSON"

    proto = 'syntax = "proto3";\npackage py;\n\nmessage Thing {\n  string name = 1;\n}\n'
    proto_id = client.register_schema("client-proto", Schema(proto, "PROTOBUF"))
    fetched = client.get_schema(proto_id)
    assert fetched.schema_type == "PROTOBUF"
    assert "message Thing" in fetched.schema_str
    assert client.get_schema_types() and set(client.get_schema_types()) == {"AVRO", "JSON", "PROTOBUF"}
