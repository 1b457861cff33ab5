#!/usr/bin/env python3
"""Memory under an HTTP flood: sends a bounded number of requests to a concordd on loopback and
prints the process's resident set size (VmRSS) before, during and for 60 s after the flood.

    python3 libs/net/tools/http_flood.py --pid PID --port PORT [--requests 20000]

The mix: GET /healthz, junk envelopes to POST /fed/v1/messages (2 KiB), /api/v1 calls with a
wrong token (401), unknown paths with escapes (404), a fresh connection every 50 requests, from
eight loopback source addresses (127.0.0.10-17) so the per-address rate limit does not stop it.
Only 127.0.0.1 is targeted; the flood stops by itself after --requests.
"""
import argparse
import http.client
import os
import random
import ssl
import threading
import time


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def worker(port, source, count, plain, stats, lock):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # load generator only: nothing secret is sent
    rnd = random.Random(source)
    conn = None
    done = 0
    while done < count:
        if conn is None or done % 50 == 0:
            if conn is not None:
                conn.close()
            if plain:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10,
                                                  source_address=(source, 0))
            else:
                conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=ctx,
                                                   source_address=(source, 0))
        kind = rnd.random()
        try:
            if kind < 0.4:
                conn.request("GET", "/healthz")
            elif kind < 0.7:
                body = '{"v":1,"id":"%032x","junk":"%s"}' % (rnd.getrandbits(128),
                                                             "x" * 2000)
                conn.request("POST", "/fed/v1/messages", body=body,
                             headers={"Content-Type": "application/json"})
            elif kind < 0.9:
                conn.request("GET", "/api/v1/messages?box=inbox",
                             headers={"Authorization": "Bearer wrong%d" % rnd.getrandbits(32)})
            else:
                conn.request("GET", "/nope/%%ff%%00/%x" % rnd.getrandbits(64))
            resp = conn.getresponse()
            resp.read()
            key = resp.status
        except Exception as e:  # counted, the flood goes on with a new connection
            key = type(e).__name__
            conn.close()
            conn = None
        done += 1
        with lock:
            stats[key] = stats.get(key, 0) + 1
    if conn is not None:
        conn.close()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--requests", type=int, default=20000)
    p.add_argument("--threads", type=int, default=8)
    p.add_argument("--after", type=int, default=60, help="seconds to watch after the flood")
    p.add_argument("--plain", action="store_true", help="plain HTTP (allow_plain_http nodes)")
    a = p.parse_args()
    print(f"before: VmRSS {rss_kib(a.pid)} KiB", flush=True)
    stats, lock = {}, threading.Lock()
    per = a.requests // a.threads
    threads = [threading.Thread(target=worker,
                                args=(a.port, f"127.0.0.{10 + i}", per, a.plain, stats, lock))
               for i in range(a.threads)]
    start = time.time()
    for t in threads:
        t.start()
    peak = 0
    while any(t.is_alive() for t in threads):
        r = rss_kib(a.pid)
        peak = max(peak, r)
        print(f"t={time.time() - start:6.1f}s during: VmRSS {r} KiB", flush=True)
        time.sleep(2)
    for t in threads:
        t.join()
    took = time.time() - start
    print(f"flood: {per * a.threads} requests in {took:.1f}s; answers {stats}", flush=True)
    print(f"peak during: VmRSS {peak} KiB", flush=True)
    for s in range(0, a.after + 1, 10):
        if s:
            time.sleep(10)
        print(f"after +{s}s: VmRSS {rss_kib(a.pid)} KiB", flush=True)


if __name__ == "__main__":
    main()
