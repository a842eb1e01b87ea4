#!/usr/bin/env python3
"""How long a change made on one node takes to show on another.

Usage: visibility.py WRITER_URL READER_URL [ROUNDS]

Each round changes the compatibility of one subject on the writer (PUT /config/{subject}) and,
from the moment the writer acknowledged it, polls the reader (GET /config/{subject}) until it
answers with the new level. The reader caches configuration, so what is measured is the
invalidation through PostgreSQL's LISTEN/NOTIFY plus one poll round trip.
"""
import http.client
import json
import statistics
import sys
import time
import urllib.parse

LEVELS = ["BACKWARD", "FORWARD", "FULL", "NONE"]
HEADERS = {"Content-Type": "application/vnd.schemaregistry.v1+json"}


def connect(url):
    parsed = urllib.parse.urlparse(url)
    return http.client.HTTPConnection(parsed.hostname, parsed.port)


def call(conn, method, path, body=None):
    conn.request(method, path, body=body, headers=HEADERS)
    response = conn.getresponse()
    return response.status, json.loads(response.read() or b"null")


def main():
    writer, reader = connect(sys.argv[1]), connect(sys.argv[2])
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    path = "/config/visibility-probe"
    samples, polls = [], []
    for n in range(rounds):
        level = LEVELS[n % len(LEVELS)]
        # Warm the reader's cache with the old value first.
        call(reader, "GET", path + "?defaultToGlobal=true")
        status, _ = call(writer, "PUT", path, json.dumps({"compatibility": level}))
        assert status == 200, status
        start = time.perf_counter()
        count = 0
        while True:
            count += 1
            _, body = call(reader, "GET", path)
            if isinstance(body, dict) and body.get("compatibilityLevel") == level:
                break
        samples.append((time.perf_counter() - start) * 1000)
        polls.append(count)
    samples.sort()
    p50 = statistics.median(samples)
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    print(
        f"{'visibility, node 1 -> 2':28} rounds={rounds} p50={p50:.2f}ms p99={p99:.2f}ms "
        f"max={samples[-1]:.2f}ms polls/round(max)={max(polls)}"
    )


if __name__ == "__main__":
    main()
