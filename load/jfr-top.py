#!/usr/bin/env python3
"""Summarises a JFR recording of the server (load/profile.sh): CPU samples
(jdk.ExecutionSample) by top frame (self), by method anywhere on the stack (total), by package of
the top frame, and by the innermost frame of our own code (ai.flovyn) below it; allocation
samples (jdk.ObjectAllocationSample, by weight) by class and by the innermost own frame.
Shares of samples, not times: the machine is shared, so only proportions compare across runs.
When FILE.window exists (load/profile.sh writes it: the measured window's two UTC instants),
only events inside it count: the recording itself starts before the warm-up.

Usage: load/jfr-top.py FILE.jfr [TOP]   (TOP rows per table, default 25)
       load/jfr-top.py FILE.jfr --share TEXT...   share of CPU samples with a frame containing
                                                  each TEXT, and of samples by thread
"""
import collections
import json
import re
import subprocess
import sys

OWN = "ai.flovyn."
PACKAGES = [
    ("ai.flovyn.", "ai.flovyn (our code)"),
    ("io.grpc.netty.shaded.io.netty.", "netty (grpc-netty-shaded)"),
    ("io.grpc.", "grpc"),
    ("io.netty.", "netty (reactor-netty, r2dbc)"),
    ("reactor.netty.", "reactor-netty"),
    ("reactor.", "reactor-core"),
    ("io.r2dbc.", "r2dbc"),
    ("com.google.protobuf.", "protobuf"),
    ("com.fasterxml.jackson.", "jackson"),
    ("io.micrometer.", "micrometer"),
    ("org.slf4j.", "logging"),
    ("ch.qos.logback.", "logging"),
    ("java.util.regex.", "java.util.regex"),
    ("java.", "jdk (java.*)"),
    ("jdk.", "jdk (jdk.*)"),
    ("sun.", "jdk (sun.*)"),
]


def window(path):
    """The measured window load/profile.sh wrote next to the recording (FILE.window: two UTC
    instants), or None: a recording holds the whole warm-up too (JFR dumps whole chunks)."""
    try:
        with open(re.sub(r"\.jfr$", ".window", path)) as f:
            begin, end = f.read().split()
    except (OSError, ValueError):
        return None
    return instant(begin), instant(end)


def instant(text):
    # "2026-11-26T19:55:59.379425658Z" -> sortable (seconds, nanoseconds as text of 9 digits)
    date, _, fraction = text.rstrip("Z").partition(".")
    return date, (fraction + "000000000")[:9]


def events(path, name):
    out = subprocess.run(
        ["jfr", "print", "--json", "--stack-depth", "96", "--events", name, path],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    found = json.loads(out)["recording"]["events"]
    limits = window(path)
    if limits is None:
        return found
    begin, end = limits
    return [e for e in found if begin <= instant(e["values"]["startTime"]) <= end]


def frames(event):
    trace = event["values"].get("stackTrace") or {}
    result = []
    for f in trace.get("frames") or []:
        m = f["method"]
        name = m["type"]["name"].replace("/", ".") + "." + m["name"]
        if name.startswith(OWN) and "$$Lambda" not in name:
            name += ":" + str(f.get("lineNumber", "?"))
        result.append(name)
    return result


def package(frame):
    for prefix, label in PACKAGES:
        if frame.startswith(prefix):
            return label
    return "other"


def own(stack):
    # lambdas' generated classes say nothing; the frame below names the method and line
    for f in stack:
        if f.startswith(OWN) and "$$Lambda" not in f:
            return f
    return "(no own frame)"


PLUMBING = ("reactor.core.publisher.", "io.netty.", "reactor.netty.", "java.lang.Thread.",
            "io.grpc.netty.shaded.io.netty.", "java.util.concurrent.")


def strip_line(frame):
    return frame.split(":")[0]


def table(title, counter, total, top):
    print(f"\n## {title}\n")
    for key, n in counter.most_common(top):
        print(f"{100.0 * n / max(1, total):6.2f}%  {key}")


def shares(path, needles):
    stacks = []
    threads = collections.Counter()
    for e in events(path, "jdk.ExecutionSample"):
        stack = frames(e)
        if stack:
            stacks.append(stack)
            thread = e["values"].get("sampledThread") or {}
            name = thread.get("javaName") or thread.get("osName") or "?"
            threads[re.sub(r"\d+", "N", name)] += 1
    n = max(1, len(stacks))
    print(f"# {path}: {len(stacks)} CPU samples")
    for needle in needles:
        k = sum(1 for s in stacks if any(needle in f for f in s))
        print(f"{100.0 * k / n:6.2f}%  {needle}")
    table("samples by thread", threads, n, 10)


def main():
    if len(sys.argv) > 2 and sys.argv[2] == "--share":
        shares(sys.argv[1], sys.argv[3:])
        return
    path = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    samples = [frames(e) for e in events(path, "jdk.ExecutionSample")]
    samples = [s for s in samples if s]
    n = len(samples)
    print(f"# {path}: {n} CPU samples")
    self_ = collections.Counter(s[0] for s in samples)
    total = collections.Counter()
    for s in samples:
        total.update(set(strip_line(f) for f in s if not f.startswith(PLUMBING)))
    table("package of the top frame", collections.Counter(package(s[0]) for s in samples), n, top)
    table("self (top frame)", self_, n, top)
    table("total (method anywhere on the stack; Reactor/Netty/executor plumbing left out)", total, n, top * 2)
    table("innermost own frame (ai.flovyn) on the stack", collections.Counter(own(s) for s in samples), n, top)

    allocs = events(path, "jdk.ObjectAllocationSample")
    by_class = collections.Counter()
    by_own = collections.Counter()
    weight = 0
    for e in allocs:
        w = e["values"].get("weight") or 0
        cls = (e["values"].get("objectClass") or {}).get("name", "?")
        by_class[cls] += w
        by_own[own(frames(e))] += w
        weight += w
    print(f"\n# allocation samples: {len(allocs)}, {weight / 2**20:.0f} MiB sampled weight")
    table("allocated bytes by class", by_class, weight, top)
    table("allocated bytes by innermost own frame", by_own, weight, top)


if __name__ == "__main__":
    main()
