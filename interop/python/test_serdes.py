"""confluent-kafka's Avro, JSON Schema and Protobuf serializers and deserializers, auto-registering
against strata: the bytes carry strata's ids and decode again through strata."""

import json

import pytest
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer
from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer, ProtobufSerializer
from confluent_kafka.serialization import MessageField, SerializationContext
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

from conftest import frame_id


ORDER = json.dumps(
    {
        "type": "record",
        "name": "Order",
        "namespace": "interop",
        "fields": [
            {"name": "id", "type": "long"},
            {"name": "item", "type": "string"},
            {"name": "note", "type": ["null", "string"], "default": None},
        ],
    }
)


def test_avro_round_trip(client):
    ctx = SerializationContext("serde-avro", MessageField.VALUE)
    serializer = AvroSerializer(client, ORDER)
    record = {"id": 7, "item": "book", "note": None}
    data = serializer(record, ctx)
    schema_id = frame_id(data)
    assert client.get_latest_version("serde-avro-value").schema_id == schema_id
    assert AvroDeserializer(client)(data, ctx) == record


def test_json_round_trip(client):
    schema = json.dumps(
        {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "title": "Item",
            "type": "object",
            "properties": {"sku": {"type": "string"}, "qty": {"type": "integer"}},
            "required": ["sku"],
        }
    )
    ctx = SerializationContext("serde-json", MessageField.VALUE)
    data = JSONSerializer(schema, client)({"sku": "x-1", "qty": 3}, ctx)
    assert client.get_latest_version("serde-json-value").schema_id == frame_id(data)
    assert JSONDeserializer(None, schema_registry_client=client)(data, ctx) == {"sku": "x-1", "qty": 3}


def protobuf_classes():
    """Two top-level messages and a nested one, built at run time (no protoc needed)."""
    fdp = descriptor_pb2.FileDescriptorProto(name="interop/shop.proto", package="interop.shop", syntax="proto3")
    string = descriptor_pb2.FieldDescriptorProto.TYPE_STRING
    int64 = descriptor_pb2.FieldDescriptorProto.TYPE_INT64
    optional = descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL
    first = fdp.message_type.add(name="Customer")
    first.field.add(name="name", number=1, type=string, label=optional)
    second = fdp.message_type.add(name="Basket")
    second.field.add(name="owner", number=1, type=string, label=optional)
    second.field.add(name="count", number=2, type=int64, label=optional)
    nested = second.nested_type.add(name="Line")
    nested.field.add(name="sku", number=1, type=string, label=optional)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fdp)
    get = lambda name: message_factory.GetMessageClass(pool.FindMessageTypeByName(name))  # noqa: E731
    return get("interop.shop.Customer"), get("interop.shop.Basket"), get("interop.shop.Basket.Line")


@pytest.mark.parametrize(
    "which,index_bytes",
    [(0, b"\x00"), (1, b"\x02\x02"), (2, b"\x04\x02\x00")],
    ids=["first-message", "second-message", "nested-message"],
)
def test_protobuf_round_trip(client, which, index_bytes):
    cls = protobuf_classes()[which]
    topic = f"serde-proto-{which}"
    ctx = SerializationContext(topic, MessageField.VALUE)
    message = cls()
    field = cls.DESCRIPTOR.fields[0].name
    setattr(message, field, "value")
    data = ProtobufSerializer(cls, client, {"use.deprecated.format": False})(message, ctx)
    assert client.get_latest_version(f"{topic}-value").schema_id == frame_id(data)
    assert data[5 : 5 + len(index_bytes)] == index_bytes
    decoded = ProtobufDeserializer(cls, {"use.deprecated.format": False}, schema_registry_client=client)(data, ctx)
    assert getattr(decoded, field) == "value"
