// Confluent's JavaScript schema registry client and serializers (@confluentinc/schemaregistry,
// from npm) against a real `strata serve` on 127.0.0.1 with a fresh SQLite file; and records
// they write read by strata's converters (the `convert` example), and the other way round.
//
//   STRATA_BIN=target/debug/strata node --test interop/js
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import {
  AvroDeserializer,
  AvroSerializer,
  JsonDeserializer,
  JsonSerializer,
  SchemaRegistryClient,
  SerdeType,
} from "@confluentinc/schemaregistry";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const strata = process.env.STRATA_BIN ?? join(root, "target/debug/strata");
const convertBin = join(dirname(strata), "examples/convert");

let server;
let dir;
let url;
let client;

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.on("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

async function waitReady(deadlineMs = 60_000) {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    if (server.exitCode !== null) throw new Error(`strata exited early with ${server.exitCode}`);
    try {
      const r = await fetch(url + "/");
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("strata did not become ready");
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "strata-js-"));
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  server = spawn(strata, ["serve", "--bind", `127.0.0.1:${port}`, "--database-url", `sqlite://${dir}/strata.db`], {
    stdio: "ignore",
  });
  await waitReady();
  client = new SchemaRegistryClient({ baseURLs: [url] });
});

after(() => {
  server?.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
});

/** One record through strata's converters: the `convert` example, JSON both ways. */
function convert(request) {
  const done = spawnSync(convertBin, { input: JSON.stringify(request), encoding: "utf8", timeout: 120_000 });
  assert.equal(done.status, 0, `convert failed: ${done.stderr}`);
  return JSON.parse(done.stdout);
}

const LATEST = { "use.latest.version": "true", "auto.register.schemas": "false" };

function read(kind, topic, bytes, props = {}) {
  return convert({
    converter: kind,
    properties: { "schema.registry.url": url, ...props },
    topic,
    decode: Buffer.from(bytes).toString("base64"),
  });
}

function write(kind, topic, connect, props = {}) {
  const answer = convert({
    converter: kind,
    properties: { "schema.registry.url": url, ...props },
    topic,
    encode: connect,
  });
  return Buffer.from(answer.bytes, "base64");
}

const USER = {
  type: "record",
  name: "User",
  namespace: "interop.js",
  fields: [
    { name: "id", type: "long" },
    { name: "name", type: "string" },
    { name: "email", type: ["null", "string"], default: null },
    { name: "score", type: "double" },
    { name: "tags", type: { type: "array", items: "string" } },
  ],
};

test("the client registers, looks up and checks compatibility", async () => {
  const subject = "js-client-value";
  const v1 = { schemaType: "AVRO", schema: JSON.stringify(USER) };
  const id = await client.register(subject, v1);
  assert.ok(Number.isInteger(id) && id > 0);
  // Registering the same schema again gives the same id; looking it up finds it.
  assert.equal(await client.register(subject, v1), id);
  assert.equal(await client.getId(subject, v1), id);
  assert.equal(await client.getVersion(subject, v1), 1);

  const byId = await client.getBySubjectAndId(subject, id);
  assert.deepEqual(JSON.parse(byId.schema), USER);
  const latest = await client.getLatestSchemaMetadata(subject);
  assert.equal(latest.id, id);
  assert.equal(latest.version, 1);
  assert.ok((await client.getAllSubjects()).includes(subject));

  // BACKWARD (the default): a field with a default may be added, one without may not.
  const withDefault = structuredClone(USER);
  withDefault.fields.push({ name: "age", type: "int", default: 0 });
  const withoutDefault = structuredClone(USER);
  withoutDefault.fields.push({ name: "age", type: "int" });
  assert.equal(await client.testSubjectCompatibility(subject, { schemaType: "AVRO", schema: JSON.stringify(withDefault) }), true);
  assert.equal(await client.testSubjectCompatibility(subject, { schemaType: "AVRO", schema: JSON.stringify(withoutDefault) }), false);
  await assert.rejects(client.register(subject, { schemaType: "AVRO", schema: JSON.stringify(withoutDefault) }), (e) => {
    assert.equal(e.errorCode, 409);
    return true;
  });
  const id2 = await client.register(subject, { schemaType: "AVRO", schema: JSON.stringify(withDefault) });
  assert.notEqual(id2, id);
  assert.deepEqual(await client.getAllVersions(subject), [1, 2]);

  await client.updateCompatibility(subject, "FULL");
  assert.equal(await client.getCompatibility(subject), "FULL");

  assert.deepEqual(await client.deleteSubject(subject), [1, 2]);
  // (A fresh client: this one keeps the latest version it saw.)
  const fresh = new SchemaRegistryClient({ baseURLs: [url] });
  assert.ok(!(await fresh.getAllSubjects()).includes(subject));
  await assert.rejects(fresh.getLatestSchemaMetadata(subject), (e) => {
    assert.equal(e.errorCode, 40401);
    return true;
  });
});

test("Avro written by the JavaScript serializer reads in strata's converter and back byte for byte", async () => {
  const topic = "js-avro";
  await client.register(`${topic}-value`, { schemaType: "AVRO", schema: JSON.stringify(USER) });
  const ser = new AvroSerializer(client, SerdeType.VALUE, { useLatestVersion: true });
  const record = { id: 42, name: "Ada ü", email: "ada@example.com", score: 1.5, tags: ["a", "b"] };
  const bytes = await ser.serialize(topic, record);

  const connect = read("avro", topic, bytes);
  assert.equal(connect.schema.name, "interop.js.User");
  assert.deepEqual(
    connect.schema.fields.map((f) => [f.field, f.type, f.optional]),
    [
      ["id", "int64", false],
      ["name", "string", false],
      ["email", "string", true],
      ["score", "double", false],
      ["tags", "array", false],
    ],
  );
  assert.deepEqual(connect.payload, { id: 42, name: "Ada ü", email: "ada@example.com", score: 1.5, tags: ["a", "b"] });
  // Written again under the subject's latest schema: the JavaScript bytes, exactly.
  assert.deepEqual(write("avro", topic, connect, LATEST), Buffer.from(bytes));

  // And what strata's converter writes, the JavaScript deserializer reads.
  const ours = write("avro", topic, { ...connect, payload: { ...connect.payload, email: null, tags: [] } }, LATEST);
  const de = new AvroDeserializer(client, SerdeType.VALUE, {});
  const back = await de.deserialize(topic, ours);
  assert.equal(back.name, "Ada ü");
  assert.equal(back.email, null);
  assert.deepEqual(back.tags, []);
  assert.equal(back.id, 42);
});

test("JSON Schema written by the JavaScript serializer reads in strata's converter, and back", async () => {
  const topic = "js-json";
  const schema = {
    $schema: "http://json-schema.org/draft-07/schema#",
    title: "Order",
    type: "object",
    properties: {
      id: { type: "integer", "connect.index": 0, "connect.type": "int64" },
      item: { type: "string", "connect.index": 1 },
      paid: { type: "boolean", "connect.index": 2 },
    },
    required: ["id", "item", "paid"],
  };
  await client.register(`${topic}-value`, { schemaType: "JSON", schema: JSON.stringify(schema) });
  const ser = new JsonSerializer(client, SerdeType.VALUE, { useLatestVersion: true });
  const bytes = await ser.serialize(topic, { id: 7, item: "book \"quoted\" é", paid: true });

  const connect = read("json_schema", topic, bytes);
  assert.deepEqual(connect.payload, { id: 7, item: 'book "quoted" é', paid: true });
  assert.deepEqual(
    connect.schema.fields.map((f) => [f.field, f.type]),
    [
      ["id", "int64"],
      ["item", "string"],
      ["paid", "boolean"],
    ],
  );

  const ours = write("json_schema", topic, { ...connect, payload: { id: 8, item: "pen", paid: false } }, LATEST);
  const de = new JsonDeserializer(client, SerdeType.VALUE, {});
  assert.deepEqual(await de.deserialize(topic, ours), { id: 8, item: "pen", paid: false });
});
