#!/usr/bin/env python3
"""Seeds the fuzz corpora with every schema text of the golden corpus, by format."""

import hashlib
import json
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
corpus = json.loads((HERE.parent / "tests/golden/corpus.json").read_text())
targets = {"AVRO": "parse_avro", "JSON": "parse_json", "PROTOBUF": "parse_protobuf"}

texts = []
for s in corpus["schemas"]:
    texts.append((s["type"], s["schema"]))
    texts.extend((s["type"], r["schema"]) for r in s["refs"])
for p in corpus["compat"]:
    texts += [(p["type"], p["old"]), (p["type"], p["new"])]
for c in corpus["chains"]:
    texts.extend(zip(c["types"], c["versions"]))

for schema_type, text in texts:
    out = HERE / "corpus" / targets[schema_type]
    out.mkdir(parents=True, exist_ok=True)
    data = text.encode()
    (out / hashlib.sha1(data).hexdigest()).write_bytes(data)
for target in targets.values():
    print(target, len(list((HERE / "corpus" / target).iterdir())), "seeds")
