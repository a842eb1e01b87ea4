#!/usr/bin/env python3
"""Registers N distinct schemas spread over S subjects through the REST API, concurrently.

usage: seed.py URL N S
"""

import http.client
import json
import sys
import threading
import urllib.parse

url, total, subjects = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
parsed = urllib.parse.urlparse(url)
THREADS = 16
failures = []


def worker(offset: int) -> None:
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port)
    for n in range(offset, total, THREADS):
        schema = {"type": "record", "name": f"S{n}", "fields": [{"name": "f", "type": "long"}]}
        body = json.dumps({"schema": json.dumps(schema)})
        conn.request(
            "POST",
            f"/subjects/scale-{n % subjects}/versions",
            body,
            {"Content-Type": "application/vnd.schemaregistry.v1+json"},
        )
        response = conn.getresponse()
        data = response.read()
        if response.status != 200:
            failures.append((response.status, data[:200]))


conn = http.client.HTTPConnection(parsed.hostname, parsed.port)
conn.request("PUT", "/config", json.dumps({"compatibility": "NONE"}), {"Content-Type": "application/json"})
conn.getresponse().read()
threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(f"registered {total - len(failures)} schemas in {subjects} subjects; {len(failures)} failures {failures[:3]}")
sys.exit(1 if failures else 0)
