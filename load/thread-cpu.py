#!/usr/bin/env python3
"""Prints, every 5 s, the server's CPU over the last 5 s and the part its JIT compiler threads
(C1/C2) took, in % of one core, from /proc/PID/task/*/stat (docs/performance.md, third pass).
Run it beside load/bench.sh or load/profile.sh: it follows the server jar's process, also across
restarts, until interrupted.

Usage: load/thread-cpu.py [JAR_NAME]   (default dispatch-reactive-server.jar)
"""
import collections
import os
import re
import sys
import time

JAR = sys.argv[1] if len(sys.argv) > 1 else "dispatch-reactive-server.jar"
HZ = os.sysconf("SC_CLK_TCK")
PERIOD = 5


def server_pid():
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if JAR.encode() in f.read():
                    return pid
        except OSError:
            pass
    return None


def per_thread(pid):
    """thread id -> (name with digits as N, utime + stime ticks)"""
    ticks = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                stat = f.read()
        except OSError:
            continue  # the thread ended meanwhile
        name = re.sub(r"\d+", "N", stat[stat.index("(") + 1 : stat.rindex(")")])
        fields = stat[stat.rindex(")") + 2 :].split()
        ticks[tid] = (name, int(fields[11]) + int(fields[12]))
    return ticks


def main():
    pid, before = None, {}
    while True:
        if pid is None or not os.path.exists(f"/proc/{pid}"):
            pid = server_pid()
            if pid is None:
                time.sleep(1)
                continue
            before = per_thread(pid)
        time.sleep(PERIOD)
        try:
            after = per_thread(pid)
        except OSError:
            pid = None
            continue
        used = collections.Counter()
        for tid, (name, total) in after.items():
            used[name] += total - before.get(tid, (name, 0))[1]
        before = after
        window = HZ * PERIOD / 100  # ticks per % of one core
        compiler = sum(v for k, v in used.items() if "CompilerThre" in k)
        print(
            time.strftime("%H:%M:%S"),
            f"server {sum(used.values()) / window:.0f}% of a core,"
            f" JIT compiler {compiler / window:.0f}%",
            flush=True,
        )


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
