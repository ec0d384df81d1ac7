"""Speed of the local model engine (xllamacpp + the bundled Gemma 3 270M) by thread count.

``uv run --no-sync python -m bench.local_model [--threads 1 2] [--runs 4] [--tokens 64]``
loads the model through the provider's own adapter (``XLlamaModel``) once per thread count
and generates ``--tokens`` tokens (greedy, end of sequence ignored) after a short question
prompt, ``--runs`` times, with the prompt cache defeated so every run evaluates the whole
prompt. It prints, per thread count and condition, the load time, the median time to first
token and the median decode rate. Conditions: ``idle`` (whatever else the machine is doing:
the "others" column is the CPU, in cores, that other processes used during the runs) and
``busy`` (this script also runs a busy loop on one core, like a second worker answering).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from lightspeed_ogx.llamacpp.config import LlamaCppInferenceConfig
from lightspeed_ogx.llamacpp.engine import XLlamaModel
from lightspeed_ogx.llamacpp.impl import resolve_model_path

SYSTEM = (
    "You are a helpful assistant for Kubernetes and OpenShift. Answer the question in one "
    "short paragraph. If you do not know the answer, say so. Do not invent commands."
)


def busy_cpu_seconds() -> float:
    """CPU time (all processes, all cores) spent busy since boot, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def one_run(model: XLlamaModel, tokens: int) -> dict[str, float]:
    prompt = f"({random.randrange(10**9)}) {SYSTEM}\n\nQuestion: What is Kubernetes?\nAnswer:"
    stamps: list[float] = []

    def on_piece(_piece: bytes, count: int) -> bool:
        stamps.extend([time.perf_counter()] * count)
        return False

    busy, own, wall = busy_cpu_seconds(), own_cpu_seconds(), time.perf_counter()
    ids = model.tokenize(prompt.encode())
    model.generate(ids, tokens, on_piece, temp=0.0, repeat_penalty=1.0, top_k=1, ignore_eos=True)
    elapsed = time.perf_counter() - wall
    others = (busy_cpu_seconds() - busy) - (own_cpu_seconds() - own)
    return {
        "ttft": stamps[0] - wall,
        "rate": (len(stamps) - 1) / (stamps[-1] - stamps[0]),
        "others": others / elapsed,
    }


def measure(threads: int, runs: int, tokens: int, busy: bool) -> dict[str, Any]:
    loop = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if busy else None
    try:
        started = time.perf_counter()
        model = XLlamaModel(
            resolve_model_path(LlamaCppInferenceConfig()), n_ctx=4096, n_threads=threads
        )
        load = time.perf_counter() - started
        samples = [one_run(model, tokens) for _ in range(runs)]
        model.close()
    finally:
        if loop is not None:
            loop.kill()
            loop.wait()
    return {
        "threads": threads,
        "condition": "busy" if busy else "idle",
        "load_s": round(load, 1),
        "ttft_ms": round(statistics.median(s["ttft"] for s in samples) * 1000),
        "tokens_per_s": round(statistics.median(s["rate"] for s in samples), 1),
        "others_cores": round(statistics.median(s["others"] for s in samples), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--tokens", type=int, default=64)
    args = parser.parse_args()
    print("| threads | condition | load | TTFT | decode | others |")
    print("|---|---|---|---|---|---|")
    for busy in (False, True):
        for threads in args.threads:
            row = measure(threads, args.runs, args.tokens, busy)
            print(
                f"| {row['threads']} | {row['condition']} | {row['load_s']} s | "
                f"{row['ttft_ms']} ms | {row['tokens_per_s']} tok/s | {row['others_cores']} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
