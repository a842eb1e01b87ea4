"""strata's registry-backed Connect converters against confluent-kafka's serializers, through one
`strata serve`: what Python writes, the converters read (checked field by field as Connect data);
what the converters write, Python reads; and for Avro and JSON, the converters write the very
bytes Python writes for the same record and schema id."""

import base64
import datetime
import decimal
import json
import uuid

from confluent_kafka.schema_registry.confluent import meta_pb2
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer
from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer, ProtobufSerializer
from confluent_kafka.serialization import MessageField, SerializationContext
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

from conftest import frame_id

PROTOBUF_CONF = {"use.deprecated.format": False}


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def read(convert, registry_url, kind, topic, data, **props):
    """Our converter's Connect data ({"schema", "payload"}) of a record's bytes."""
    properties = {"schema.registry.url": registry_url, **props}
    return convert({"converter": kind, "properties": properties, "topic": topic, "decode": b64(data)})


def write(convert, registry_url, kind, topic, connect, **props):
    """The bytes our converter writes for Connect data ({"schema", "payload"})."""
    properties = {"schema.registry.url": registry_url, **props}
    answer = convert({"converter": kind, "properties": properties, "topic": topic, "encode": connect})
    return base64.b64decode(answer["bytes"])


def read_struct(convert, registry_url, kind, topic, data, name, expected, **props):
    """Our converter's Connect data of a record, checked to be a struct `name` with exactly the
    fields of `expected` (field name → shape), in that order; and the fields by name."""
    connect = read(convert, registry_url, kind, topic, data, **props)
    assert connect["schema"]["name"] == name
    f = fields(connect["schema"])
    assert {n: shape(field) for n, field in f.items()} == expected
    assert list(f) == list(expected), "fields keep the writer's order"
    return connect, f


def fields(schema: dict) -> dict:
    """A Connect struct schema's fields by name."""
    assert schema["type"] == "struct", schema
    return {f["field"]: f for f in schema["fields"]}


def shape(field: dict):
    """A Connect field schema's type, name and optionality, for comparing with an expectation."""
    return (field["type"], field.get("name"), field["optional"])


# Only the latest registered schema, never one of the converter's own (the id and bytes must be
# Python's).
LATEST = {"use.latest.version": "true", "auto.register.schemas": "false"}

DECIMAL = "org.apache.kafka.connect.data.Decimal"
DATE = "org.apache.kafka.connect.data.Date"
TIMESTAMP = "org.apache.kafka.connect.data.Timestamp"

# ------------------------------------------------------------------------------------------ Avro

ORDER = {
    "type": "record",
    "name": "Order",
    "namespace": "interop.conv",
    "fields": [
        {"name": "id", "type": "long"},
        {"name": "qty", "type": "int"},
        {"name": "item", "type": "string"},
        {"name": "price", "type": "double"},
        {"name": "ratio", "type": "float"},
        {"name": "paid", "type": "boolean"},
        {"name": "blob", "type": "bytes"},
        {"name": "note", "type": ["null", "string"], "default": None},
        {"name": "tags", "type": {"type": "array", "items": "string"}},
        {"name": "counts", "type": {"type": "map", "values": "long"}},
        {
            "name": "address",
            "type": {
                "type": "record",
                "name": "Address",
                "fields": [{"name": "street", "type": "string"}, {"name": "zip", "type": "int"}],
            },
        },
        # A decimal with a default, as Debezium and JDBC sources write them (apache-avro refuses it).
        {
            "name": "amount",
            "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2},
            "default": "\u0000",
        },
        {"name": "day", "type": {"type": "int", "logicalType": "date"}},
        {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "ref", "type": {"type": "string", "logicalType": "uuid"}},
        {
            "name": "total",
            "type": {"type": "fixed", "name": "Money", "size": 8, "logicalType": "decimal", "precision": 18, "scale": 2},
        },
        {"name": "hash", "type": {"type": "fixed", "name": "Hash", "size": 4}},
    ],
}

ORDER_RECORD = {
    "id": 7,
    "qty": -3,
    "item": "book ü",
    "price": 12.5,
    "ratio": 0.25,
    "paid": True,
    "blob": b"\x00\x01\xff",
    "note": None,
    "tags": ["a", "b"],
    "counts": {"x": 1, "y": -2},
    "address": {"street": "Main", "zip": 12345},
    "amount": decimal.Decimal("12.34"),
    "day": datetime.date(2024, 1, 2),
    "at": datetime.datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=datetime.timezone.utc),
    "ref": uuid.UUID("0b5c6a2e-4f3c-4d3b-9a53-2f0a4f1e6c7d"),
    "total": decimal.Decimal("-2.00"),
    "hash": b"\x01\x02\x03\x04",
}

AT_MILLIS = 1704164645678  # 2024-01-02T03:04:05.678Z
DAY = 19724  # 2024-01-02


def test_avro_python_bytes_read_as_connect_and_written_back_identically(client, registry_url, convert):
    topic = "conv-avro-py"
    ctx = SerializationContext(topic, MessageField.VALUE)
    data = AvroSerializer(client, json.dumps(ORDER))(ORDER_RECORD, ctx)
    registered = client.get_latest_version(f"{topic}-value")
    assert registered.schema_id == frame_id(data)
    assert json.loads(registered.schema.schema_str)["fields"][11]["default"] == "\u0000"

    expected = {
        "id": ("int64", None, False),
        "qty": ("int32", None, False),
        "item": ("string", None, False),
        "price": ("double", None, False),
        "ratio": ("float", None, False),
        "paid": ("boolean", None, False),
        "blob": ("bytes", None, False),
        "note": ("string", None, True),
        "tags": ("array", None, False),
        "counts": ("map", None, False),
        "address": ("struct", "interop.conv.Address", False),
        "amount": ("bytes", DECIMAL, False),
        "day": ("int32", DATE, False),
        "at": ("int64", TIMESTAMP, False),
        "ref": ("string", None, False),
        "total": ("bytes", DECIMAL, False),
        "hash": ("bytes", "interop.conv.Hash", False),
    }
    connect, f = read_struct(convert, registry_url, "avro", topic, data, "interop.conv.Order", expected)
    payload = connect["payload"]
    assert connect["schema"]["version"] == 1  # the version the schema has under the topic's subject
    assert f["amount"]["parameters"]["scale"] == "2"
    # A fixed decimal is a Decimal that remembers its fixed's size (as Confluent's AvroData has it)
    # and name (which Confluent's refuses to read: the Decimal's name and the fixed's differ).
    assert f["total"]["parameters"] == {
        "scale": "2",
        "connect.decimal.precision": "18",
        "connect.fixed.size": "8",
        "connect.fixed.name": "interop.conv.Money",
    }
    assert f["hash"]["parameters"] == {"connect.fixed.size": "4"}
    assert shape(f["tags"]["items"]) == ("string", None, False)
    assert (f["counts"]["keys"]["type"], f["counts"]["values"]["type"]) == ("string", "int64")
    assert [shape(x) for x in fields(f["address"]).values()] == [("string", None, False), ("int32", None, False)]

    assert payload == {
        "id": 7,
        "qty": -3,
        "item": "book ü",
        "price": 12.5,
        "ratio": 0.25,
        "paid": True,
        "blob": b64(b"\x00\x01\xff"),
        "note": None,
        "tags": ["a", "b"],
        "counts": {"x": 1, "y": -2},
        "address": {"street": "Main", "zip": 12345},
        "amount": b64((1234).to_bytes(2, "big")),  # the unscaled value, as the JSON converter writes it
        "day": DAY,
        "at": AT_MILLIS,
        "ref": "0b5c6a2e-4f3c-4d3b-9a53-2f0a4f1e6c7d",
        "total": b64((-200).to_bytes(2, "big", signed=True)),
        "hash": b64(b"\x01\x02\x03\x04"),
    }

    # The same Connect data written with the subject's latest schema: Python's bytes, byte for byte.
    assert write(convert, registry_url, "avro", topic, connect, **LATEST) == data


def test_avro_converter_bytes_read_by_python(client, registry_url, convert):
    topic = "conv-avro-ours"
    connect = {
        "schema": {
            "type": "struct",
            "name": "interop.conv.Reading",
            "optional": False,
            "fields": [
                {"field": "sensor", "type": "string", "optional": False},
                {"field": "value", "type": "double", "optional": False},
                {"field": "level", "type": "int8", "optional": False},
                {"field": "spare", "type": "int64", "optional": True},
                {"field": "samples", "type": "array", "items": {"type": "int32", "optional": False}, "optional": False},
                {
                    "field": "amount",
                    "type": "bytes",
                    "name": DECIMAL,
                    "version": 1,
                    "parameters": {"scale": "3"},
                    "optional": False,
                },
                {"field": "at", "type": "int64", "name": TIMESTAMP, "version": 1, "optional": False},
            ],
        },
        "payload": {
            "sensor": "s-1",
            "value": -1.5,
            "level": 4,
            "spare": None,
            "samples": [1, 2, 3],
            "amount": b64((-12345).to_bytes(2, "big", signed=True)),
            "at": AT_MILLIS,
        },
    }
    data = write(convert, registry_url, "avro", topic, connect)
    schema_id = frame_id(data)
    assert client.get_latest_version(f"{topic}-value").schema_id == schema_id
    record = AvroDeserializer(client)(data, SerializationContext(topic, MessageField.VALUE))
    assert record == {
        "sensor": "s-1",
        "value": -1.5,
        "level": 4,
        "spare": None,
        "samples": [1, 2, 3],
        "amount": decimal.Decimal("-12.345"),
        "at": datetime.datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=datetime.timezone.utc),
    }
    # Python's serializer, with the converter's registered schema, writes the same bytes.
    python = AvroSerializer(
        client, client.get_schema(schema_id).schema_str, conf={"auto.register.schemas": False, "use.latest.version": True}
    )
    assert python(record, SerializationContext(topic, MessageField.VALUE)) == data


# ----------------------------------------------------------------------------------- JSON Schema

ITEM = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "Item",
    "type": "object",
    "properties": {
        "sku": {"type": "string"},
        "qty": {"type": "integer"},
        "price": {"type": "number"},
        "gift": {"type": "boolean"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "size": {
            "type": "object",
            "properties": {"w": {"type": "integer"}, "h": {"type": "integer"}},
            "required": ["w", "h"],
        },
        "note": {"oneOf": [{"type": "null"}, {"type": "string"}]},
    },
    "required": ["sku", "qty", "price", "gift", "tags", "size"],
}

ITEM_RECORD = {
    "sku": "x-1 ü",
    "qty": 3,
    "price": 9.75,
    "gift": False,
    "tags": ["red", "big"],
    "size": {"w": 2, "h": 5},
    "note": "fragile",
}


def test_json_python_bytes_read_as_connect_and_written_back_identically(client, registry_url, convert):
    topic = "conv-json-py"
    ctx = SerializationContext(topic, MessageField.VALUE)
    data = JSONSerializer(json.dumps(ITEM), client)(ITEM_RECORD, ctx)

    expected = {
        "sku": ("string", None, False),
        "qty": ("int64", None, False),
        "price": ("double", None, False),
        "gift": ("boolean", None, False),
        "tags": ("array", None, False),
        "size": ("struct", None, False),
        "note": ("string", None, True),
    }
    connect, f = read_struct(convert, registry_url, "json_schema", topic, data, "Item", expected)
    payload = connect["payload"]
    assert shape(f["tags"]["items"]) == ("string", None, False)
    assert {n: shape(x) for n, x in fields(f["size"]).items()} == {
        "w": ("int64", None, False),
        "h": ("int64", None, False),
    }
    assert payload == ITEM_RECORD

    assert write(convert, registry_url, "json_schema", topic, connect, **LATEST) == data


def test_json_converter_bytes_read_by_python(client, registry_url, convert):
    topic = "conv-json-ours"
    connect = {
        "schema": {
            "type": "struct",
            "name": "Parcel",
            "optional": False,
            "fields": [
                {"field": "id", "type": "int32", "optional": False},
                {"field": "weight", "type": "float", "optional": False},
                {"field": "fragile", "type": "boolean", "optional": True},
                {"field": "labels", "type": "map", "keys": {"type": "string", "optional": False},
                 "values": {"type": "string", "optional": False}, "optional": False},
            ],
        },
        "payload": {"id": 12, "weight": 1.5, "fragile": None, "labels": {"to": "Ann", "from": "Bo"}},
    }
    data = write(convert, registry_url, "json_schema", topic, connect)
    schema_id = frame_id(data)
    assert client.get_latest_version(f"{topic}-value").schema_id == schema_id
    record = JSONDeserializer(None, schema_registry_client=client)(data, SerializationContext(topic, MessageField.VALUE))
    assert record == {"id": 12, "weight": 1.5, "labels": {"to": "Ann", "from": "Bo"}}
    python = JSONSerializer(
        client.get_schema(schema_id).schema_str,
        client,
        conf={"auto.register.schemas": False, "use.latest.version": True},
    )
    assert python(record, SerializationContext(topic, MessageField.VALUE)) == data


# -------------------------------------------------------------------------------------- Protobuf


def shop_classes():
    """A file of two top-level messages (the second with a nested one), built at run time."""
    T = descriptor_pb2.FieldDescriptorProto
    fdp = descriptor_pb2.FileDescriptorProto(name="interop/conv.proto", package="interop.conv", syntax="proto3")
    first = fdp.message_type.add(name="Customer")
    first.field.add(name="name", number=1, type=T.TYPE_STRING, label=T.LABEL_OPTIONAL)
    second = fdp.message_type.add(name="Basket")
    line = second.nested_type.add(name="Line")
    line.field.add(name="sku", number=1, type=T.TYPE_STRING, label=T.LABEL_OPTIONAL)
    line.field.add(name="qty", number=2, type=T.TYPE_INT32, label=T.LABEL_OPTIONAL)
    second.field.add(name="owner", number=1, type=T.TYPE_STRING, label=T.LABEL_OPTIONAL)
    second.field.add(name="count", number=2, type=T.TYPE_INT64, label=T.LABEL_OPTIONAL)
    second.field.add(name="ratio", number=3, type=T.TYPE_FLOAT, label=T.LABEL_OPTIONAL)
    second.field.add(name="paid", number=4, type=T.TYPE_BOOL, label=T.LABEL_OPTIONAL)
    second.field.add(name="blob", number=5, type=T.TYPE_BYTES, label=T.LABEL_OPTIONAL)
    second.field.add(
        name="lines", number=6, type=T.TYPE_MESSAGE, label=T.LABEL_REPEATED, type_name=".interop.conv.Basket.Line"
    )
    second.field.add(name="scores", number=7, type=T.TYPE_DOUBLE, label=T.LABEL_REPEATED)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fdp)
    get = lambda name: message_factory.GetMessageClass(pool.FindMessageTypeByName(name))  # noqa: E731
    return get("interop.conv.Customer"), get("interop.conv.Basket")


def test_protobuf_second_message_read_as_connect_and_written_back(client, registry_url, convert):
    _, Basket = shop_classes()
    topic = "conv-proto-py"
    ctx = SerializationContext(topic, MessageField.VALUE)
    message = Basket(owner="Ann", count=-5, ratio=0.5, paid=True, blob=b"\x01\x02", scores=[1.5, -2.0])
    message.lines.add(sku="a", qty=2)
    message.lines.add(sku="b", qty=0)
    data = ProtobufSerializer(Basket, client, PROTOBUF_CONF)(message, ctx)
    assert data[5:7] == b"\x02\x02", "the message-index path is [1], not [0]"

    # proto3 fields without `optional` are required in Connect (absent reads as the default).
    expected = {
        "owner": ("string", None, False),
        "count": ("int64", None, False),
        "ratio": ("float", None, False),
        "paid": ("boolean", None, False),
        "blob": ("bytes", None, False),
        "lines": ("array", None, False),
        "scores": ("array", None, False),
    }
    connect, f = read_struct(convert, registry_url, "protobuf", topic, data, "interop.conv.Basket", expected)
    payload = connect["payload"]
    assert (f["lines"]["items"]["name"], f["scores"]["items"]["type"]) == ("interop.conv.Basket.Line", "double")
    line = fields(f["lines"]["items"])
    assert (line["sku"]["type"], line["qty"]["type"]) == ("string", "int32")
    assert payload == {
        "owner": "Ann",
        "count": -5,
        "ratio": 0.5,
        "paid": True,
        "blob": b64(b"\x01\x02"),
        "lines": [{"sku": "a", "qty": 2}, {"sku": "b", "qty": 0}],
        "scores": [1.5, -2.0],
    }

    # The record's own schema (mapped from Connect) defines Line beside Basket rather than in it,
    # so the strict check that the latest schema reads it is off.
    ours = write(convert, registry_url, "protobuf", topic, connect, **LATEST, **{"latest.compatibility.strict": "false"})
    assert ours[:7] == data[:7], "same id, same message-index path"
    back = ProtobufDeserializer(Basket, PROTOBUF_CONF, schema_registry_client=client)(ours, ctx)
    assert back == message
    assert ours == data


def test_protobuf_first_message_read_as_connect(client, registry_url, convert):
    Customer, _ = shop_classes()
    topic = "conv-proto-first"
    ctx = SerializationContext(topic, MessageField.VALUE)
    data = ProtobufSerializer(Customer, client, PROTOBUF_CONF)(Customer(name="Bo"), ctx)
    assert data[5] == 0, "the first message's path is written as a single 0"
    connect = read(convert, registry_url, "protobuf", topic, data)
    assert connect["schema"]["name"] == "interop.conv.Customer"
    assert connect["payload"] == {"name": "Bo"}


def test_protobuf_converter_bytes_read_by_python(client, registry_url, convert):
    topic = "conv-proto-ours"
    connect = {
        "schema": {
            "type": "struct",
            "name": "interop.ours.Parcel",
            "optional": False,
            "fields": [
                {"field": "id", "type": "int32", "optional": False},
                {"field": "weight", "type": "double", "optional": False},
                {"field": "label", "type": "string", "optional": True},
                {"field": "codes", "type": "array", "items": {"type": "int64", "optional": False}, "optional": False},
            ],
        },
        "payload": {"id": 12, "weight": 1.5, "label": "fragile", "codes": [3, -4]},
    }
    data = write(convert, registry_url, "protobuf", topic, connect)
    schema_id = frame_id(data)
    assert client.get_latest_version(f"{topic}-value").schema_id == schema_id
    # Python needs a class for the message: built from the schema as the registry serves it.
    served = client.get_schema(schema_id, fmt="serialized")
    fdp = descriptor_pb2.FileDescriptorProto.FromString(base64.b64decode(served.schema_str))
    pool = descriptor_pool.DescriptorPool()
    # The converter's schemas may import confluent/meta.proto (Connect metadata options), which
    # every Confluent client bundles.
    pool.AddSerializedFile(descriptor_pb2.DESCRIPTOR.serialized_pb)
    pool.AddSerializedFile(meta_pb2.DESCRIPTOR.serialized_pb)
    pool.Add(fdp)
    Parcel = message_factory.GetMessageClass(pool.FindMessageTypeByName("interop.ours.Parcel"))
    ctx = SerializationContext(topic, MessageField.VALUE)
    message = ProtobufDeserializer(Parcel, PROTOBUF_CONF, schema_registry_client=client)(data, ctx)
    assert (message.id, message.weight, message.label, list(message.codes)) == (12, 1.5, "fragile", [3, -4])
