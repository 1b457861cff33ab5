#!/usr/bin/env python3
"""Prints every figure of a benchmark run beside the limit of the primitive it is built on.

    bench/summarize.py RESULT.json...

Reads Google Benchmark JSON files (--benchmark_out_format=json) from one run, takes the median
of repetitions when there are several, and prints tables of measured numbers only: each figure,
the limit measured in the same run, and their ratio. DESIGN §7 reference values are shown
beside the crypto primitives for orientation; they come from the reference machine, not from
this run. Used by scripts/run-benchmarks; see docs/PERFORMANCE.md.
"""

import json
import sys

TO_US = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}


def load(paths):
    """Returns {run_name: entry}, preferring the median aggregate, and the context of the run."""
    runs, cvs, context = {}, {}, {}
    for path in paths:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        if not text.strip():
            continue  # the program's filter matched nothing
        doc = json.loads(text)
        context = context or doc.get("context", {})
        for b in doc.get("benchmarks", []):
            name = b.get("run_name", b["name"])
            if b.get("run_type") == "aggregate":
                if b.get("aggregate_name") == "median":
                    runs[name] = b
                elif b.get("aggregate_name") == "cv":
                    cvs[name] = b
            elif name not in runs or runs[name].get("run_type") != "aggregate":
                # A single run (no repetitions); with repetitions the median replaces it.
                if b.get("error_occurred") or name not in runs:
                    runs[name] = b
    return runs, cvs, context


class Run:
    def __init__(self, runs, cvs):
        self.runs = runs
        self.cvs = cvs

    def spread(self, name):
        """' ±N%': the coefficient of variation of the repetitions' time, if there were several."""
        b = self.cvs.get(name)
        if b is None:
            return ""
        field = "real_time" if name.endswith("/real_time") else "cpu_time"
        return f" ±{100 * b.get(field, 0):.0f}%"

    def get(self, name):
        b = self.runs.get(name)
        if b is None or b.get("error_occurred"):
            return None
        return b

    def why_missing(self, name):
        b = self.runs.get(name)
        if b is None:
            return "not run"
        return b.get("error_message", "error")

    def rate(self, name, key="items_per_second"):
        b = self.get(name)
        return None if b is None else b.get(key)

    def us(self, name):
        """Time per iteration in microseconds: wall time for the benchmarks that use real time
        (storage), CPU time otherwise (CPU-bound work on a shared machine)."""
        b = self.get(name)
        if b is None:
            return None
        field = "real_time" if name.endswith("/real_time") else "cpu_time"
        return b[field] * TO_US[b.get("time_unit", "ns")]

    def counter(self, name, key):
        b = self.get(name)
        return None if b is None else b.get(key)


def fmt_rate(v):
    if v is None:
        return "-"
    for div, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if v >= div:
            return f"{v / div:.3g}{suffix}/s"
    return f"{v:.3g}/s"


def fmt_bytes(v):
    return "-" if v is None else f"{v / 1e6:.0f} MB/s"


def fmt_us(v):
    if v is None:
        return "-"
    return f"{v:.3g} µs" if v < 1000 else f"{v / 1000:.3g} ms"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "-"
    v = a / b
    return f"{v:.2f}" if v >= 0.1 else f"{v:.2g}"


def table(title, header, rows):
    print(f"\n{title}")
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    line = "  ".join("{:<%d}" % w for w in widths)
    print(line.format(*header))
    print(line.format(*["-" * w for w in widths]))
    for r in rows:
        print(line.format(*[str(c) for c in r]))


def status(met):
    return "met" if met else "NOT met"


def fmt_ms(v):
    if v is None:
        return "-"
    return f"{v:.3g} ms" if v < 1000 else f"{v / 1000:.3g} s"


def load_federation(paths):
    """The "federation" object of bench_intake's JSON (not Google Benchmark output), or None."""
    for path in paths:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        if text.strip():
            doc = json.loads(text)
            if "federation" in doc:
                return doc["federation"]
    return None


def federation_tables(f):
    """bench_intake: intake beside the crypto-bound limit, emergency path, memory."""
    c = f["crypto"]
    rows = [[f"Ed25519 verify ({c['envelope_bytes']} B envelope)", fmt_us(c["verify_us"])],
            [f"BoxOpen ({c['sealed_body_bytes']} B sealed body)", fmt_us(c["open_us"])],
            [f"Ed25519 sign ({c['receipt_bytes']} B receipt)", fmt_us(c["sign_us"])],
            ["= crypto-bound limit per core", fmt_rate(c["per_core"])],
            [f"× {c['cores']} cores (shared with the load generator)", fmt_rate(c["limit"])]]
    table("Federation: crypto-bound intake limit (bench_intake, in-process CPU time)",
          ["primitive", "this run"], rows)

    def step_row(label, s):
        cpu = s["node_cpu_s"] * 1e6 / s["ok"] if s["ok"] else None
        return [label, fmt_rate(s["achieved"]), fmt_rate(s["offered"]),
                ratio(s["achieved"], c["limit"]), fmt_ms(s["p50_ms"]), fmt_ms(s["p99_ms"]),
                fmt_ms(s["p999_ms"]), fmt_us(cpu),
                "yes" if s["sustained"] else "no"]

    rows = [step_row("Intake, highest sustained rate", f["sustained"]),
            step_row("Intake at half the crypto-bound limit", f["half_limit"])]
    table(f"Federation: intake, open loop over {f['connections']} keep-alive TLS connections "
          "(latency from the scheduled send time)",
          ["figure", "achieved", "offered", "÷ limit", "p50", "p99", "p99.9",
           "node CPU/msg", "sustained"], rows)
    e, m = f["emergency"], f["memory"]
    rows = [["Emergency path p99 (A local API → B event stream)", fmt_ms(e["p99_ms"]),
             "target 50 ms", ratio(e["p99_ms"], 50)],
            ["Emergency path p50", fmt_ms(e["p50_ms"]), "-", "-"],
            ["Idle node VmRSS", f"{m['idle_rss_bytes'] / 1e6:.1f} MB", "target 50 MB",
             ratio(m["idle_rss_bytes"], 50e6)],
            ["Intake node VmRSS after the intake run", f"{m['after_intake_rss_bytes'] / 1e6:.1f} MB",
             "target (idle) 50 MB", ratio(m["after_intake_rss_bytes"], 50e6)]]
    table(f"Federation: emergency path ({e['count']} messages, {e['lost']} lost) and memory",
          ["figure", "value", "limit", "ratio"], rows)


def main(paths):
    runs, cvs, context = load(paths)
    r = Run(runs, cvs)
    print("=" * 100)
    print("Summary: each figure beside the limit of the primitive measured in the same run")
    print(f"host {context.get('host_name', '?')}, {context.get('num_cpus', '?')} CPUs at "
          f"{context.get('mhz_per_cpu', '?')} MHz, load average "
          f"{', '.join(f'{x:.2f}' for x in context.get('load_avg', []))} at the start of the first "
          "program; CPU-bound figures use CPU time, storage figures wall time; medians of the "
          "repetitions, ±N% = their coefficient of variation")

    # Crypto primitives.
    rows = []
    for name, label, ref in (
        ("BM_Ed25519Sign", "Ed25519 sign (256 B)", "≈ 26k/s"),
        ("BM_Ed25519Verify", "Ed25519 verify (256 B)", "≈ 12k/s"),
        ("BM_BoxOpen", "BoxOpen 1 KiB (X25519 + XChaCha20-Poly1305)", "≈ 19k/s (sealed box)"),
    ):
        rows.append([label, fmt_rate(r.rate(name)) if r.get(name) else r.why_missing(name), ref])
    for size, label in ((64, "64 B"), (1024, "1 KiB"), (1048576, "1 MiB")):
        name = f"BM_Sha256/{size}"
        v = r.rate(name, "bytes_per_second")
        rows.append([f"SHA-256 (OpenSSL EVP) {label}",
                     (f"{fmt_bytes(v)}, {fmt_rate(r.rate(name))}") if v else r.why_missing(name),
                     "≈ 1.1 GB/s (large inputs)"])
    rows.append(["Leaf hash SHA-256(0x00‖100 B)", fmt_rate(r.rate("BM_LeafHash")), "-"])
    rows.append(["Node hash SHA-256(0x01‖32‖32)", fmt_rate(r.rate("BM_NodeHash")), "-"])
    table("Primitive limits (per core)", ["primitive", "this run", "DESIGN §7 reference machine"],
          rows)

    # Canonical JSON beside the parser it is built on.
    rows = []
    for arg, label in ((2048, "~2 KiB"), (204800, "~200 KiB")):
        c = r.rate(f"BM_Canonicalize/{arg}", "bytes_per_second")
        p = r.rate(f"BM_JsonParseOnly/{arg}", "bytes_per_second")
        rows.append([f"Canonicalize {label}", fmt_bytes(c), "Boost.JSON SAX parse, no-op handler",
                     fmt_bytes(p), ratio(c, p)])
    table("Canonical JSON (RFC 8785)", ["figure", "value", "limit", "limit value", "ratio"], rows)

    # Ledger appends beside Store rows and leaf hashing.
    rows = []
    leaf = r.rate("BM_LeafHash")
    for backend in ("Sqlite", "Postgres"):
        for batch in (1, 100, 10000):
            name = f"BM_LedgerAppend{backend}/{batch}/real_time"
            limit = f"BM_StoreInsertRows{backend}/{batch}/real_time"
            a, s = r.rate(name), r.rate(limit)
            if a is None:
                rows.append([f"{backend} append, {batch}/tx", r.why_missing(name), "", "", "", "", ""])
                continue
            rows.append([f"{backend} append, {batch}/tx", fmt_rate(a) + r.spread(name),
                         f"Store rows, {batch}/tx", fmt_rate(s) + r.spread(limit), ratio(a, s),
                         fmt_rate(leaf), ratio(a, leaf)])
    table("Ledger appends (~100-byte leaves; one durable commit per transaction)",
          ["figure", "appends", "limit", "rows", "ratio", "leaf hashes", "ratio"], rows)

    # Proofs.
    rows = []
    read = r.us("BM_StorePointReadSqlite/1000000/real_time")
    txn = r.us("BM_StoreBeginRollbackSqlite/1000000/real_time")
    node = r.us("BM_NodeHash")

    def verify_row(bench, label):
        """A verification figure beside the cost of its node hashes."""
        hashes = r.counter(bench, "proof_hashes")
        t = r.us(bench)
        limit = None if hashes is None or node is None else hashes * node
        return [f"{label} (verify)", fmt_us(t),
                f"{hashes:.1f} node hashes" if hashes else "node hashes",
                fmt_us(limit), ratio(t, limit)]

    for kind in ("Inclusion", "Consistency"):
        gen = f"BM_{kind}Proof/1000000/real_time"
        reads = r.counter(gen, "node_reads")
        t = r.us(gen)
        limit = None if reads is None or read is None or txn is None else (reads + 1) * read + txn
        rows.append([f"{kind} proof, SQLite 10^6 (generate, own tx)", fmt_us(t) + r.spread(gen),
                     f"Begin+Rollback + {reads:.1f}+1 point reads" if reads else "point reads",
                     fmt_us(limit), ratio(t, limit)])
        rows.append(verify_row(f"BM_Verify{kind}Proof/1000000", f"{kind} proof, SQLite 10^6"))
    for kind in ("Inclusion", "Consistency"):
        gen = f"BM_{kind}ProofSynthetic/100000000"
        reads = r.counter(gen, "node_reads")
        t = r.us(gen)
        rows.append([f"{kind} proof, synthetic 10^8 (generate)", fmt_us(t),
                     f"{reads:.1f} free node reads" if reads else "-", "target 1 ms",
                     ratio(t, 1000.0)])
        rows.append(verify_row(f"BM_Verify{kind}ProofSynthetic/100000000",
                               f"{kind} proof, synthetic 10^8"))
    table("Merkle proofs (time per proof)", ["figure", "time", "limit", "limit time", "ratio"],
          rows)

    federation = load_federation(paths)
    if federation:
        federation_tables(federation)

    # DESIGN §7 targets this run can speak to.
    rows = []
    for backend in ("Sqlite", "Postgres"):
        a = r.rate(f"BM_LedgerAppend{backend}/10000/real_time")
        rows.append([f"Ledger ≥ 100k appends/s batched ({backend}, 10,000/tx)",
                     fmt_rate(a) if a else r.why_missing(f"BM_LedgerAppend{backend}/10000/real_time"),
                     "-" if a is None else ("met" if a >= 100e3 else "NOT met")])
    for kind in ("Inclusion", "Consistency"):
        g = r.us(f"BM_{kind}ProofSynthetic/100000000")
        v = r.us(f"BM_Verify{kind}ProofSynthetic/100000000")
        rows.append([f"{kind} proof at 10^8 < 1 ms (synthetic reader: generate + verify)",
                     fmt_us(None if g is None or v is None else g + v),
                     "-" if g is None or v is None else ("met" if g + v < 1000 else "NOT met")])
    if federation:
        f = federation
        rows.append(["Intake ≥ 60% of the crypto-bound limit (issue 3)",
                     f"{ratio(f['sustained']['achieved'], f['crypto']['limit'])} of the limit",
                     status(f["sustained"]["achieved"] >= 0.6 * f["crypto"]["limit"])])
        rows.append(["Intake p99 ≤ 20 ms at half the crypto-bound limit (issue 3)",
                     fmt_ms(f["half_limit"]["p99_ms"])
                     + ("" if f["half_limit"]["sustained"] else " (rate not sustained)"),
                     status(f["half_limit"]["sustained"] and f["half_limit"]["p99_ms"] <= 20)])
        rows.append(["Emergency path p99 ≤ 50 ms on loopback (issue 3)",
                     fmt_ms(f["emergency"]["p99_ms"]), status(f["emergency"]["p99_ms"] <= 50)])
        rows.append(["Idle node resident size < 50 MB (issue 3)",
                     f"{f['memory']['idle_rss_bytes'] / 1e6:.1f} MB",
                     status(f["memory"]["idle_rss_bytes"] < 50e6)])
    table("DESIGN §7 targets", ["target", "measured", "status"], rows)
    print("=" * 100)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: summarize.py RESULT.json...")
    main(sys.argv[1:])
