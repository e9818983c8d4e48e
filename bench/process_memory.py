"""RSS of each `sodsong run --service X` process before it connects to anything: the command's imports, the
service's own, and the Thai dictionary where the service loads it at start (routing's duplicate index, casework's
blind index). No broker or database needed; `--before REF` measures another git revision beside this tree.

    .venv/bin/python bench/process_memory.py [--before main]
    .venv/bin/python bench/process_memory.py --duplicate-index 20000   # routing's index, per tip held
    .venv/bin/python bench/process_memory.py --imports audit           # what each layer of the stack costs

Each figure is a fresh interpreter (as `sodsong run` starts one). A running service adds its connections, caches
and the first requests' allocations on top (a few MB; bench/throughput.py prints RSS under load).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("intake", "routing", "casework", "notify", "audit")

PROBE = """
import json, sys
def rss():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
import sodsong.cli
from sodsong import registry, runner
if hasattr(runner, "limit_malloc_arenas"):
    runner.limit_malloc_arenas()
service = sys.argv[1]
registry.entry(service).service_class()
if service == "routing":
    from services.routing.domain.duplicates import DuplicateIndex
    DuplicateIndex()
if service == "casework":
    from shared import blind_index
    blind_index.install_key("casework", b"k" * 32)
    blind_index.warm_up()
print(json.dumps({"rss_mb": rss(), "modules": len(sys.modules)}))
"""


INDEX_PROBE = """
import gc, json, sys, uuid
from datetime import datetime, timedelta, timezone
sys.path.insert(0, "bench")
import throughput
from services.routing.domain.duplicates import DuplicateIndex, matter_words
def rss():
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1024
n = int(sys.argv[1])
make = throughput.tip_maker(3)
tips = [make(i) for i in range(n)]
stored = [json.dumps(sorted(matter_words(t)), ensure_ascii=False) for t in tips]  # as routing stores them
index, known, now = DuplicateIndex(), set(), datetime.now(timezone.utc)
gc.collect()
before = rss()
for i, (tip, words) in enumerate(zip(tips, stored)):  # as a rebuild at start reads them back
    reference = uuid.uuid4().hex[:12].upper()
    index.add(reference, tip, now - timedelta(seconds=n - i), text_words=json.loads(words))
    known.add(reference)
gc.collect()
print(json.dumps({"tips": n, "mb": rss() - before,
                  "words_per_tip": sum(len(json.loads(w)) for w in stored) / n}))
"""


STEPS_PROBE = """
import importlib, json, os, sys
os.environ.setdefault("EVENTLET_NO_GREENDNS", "yes")  # as sodsong.cli sets it
def rss():
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1024
rows, last = [["python", rss(), len(sys.modules)]], rss()
def step(label, fn):
    global last
    fn()
    rows.append([label, rss() - last, len(sys.modules)])
    last = rss()
import eventlet
step("eventlet, monkey-patched", eventlet.monkey_patch)
for name in sys.argv[2].split(","):
    step(name, lambda: importlib.import_module(name))
step("sodsong.cli (the rest of the command)", lambda: importlib.import_module("sodsong.cli"))
from sodsong import registry
step(f"services.{sys.argv[1]} (its service class)", lambda: registry.entry(sys.argv[1]).service_class())
print(json.dumps(rows))
"""
LAYERS = ("sqlalchemy", "sqlalchemy.orm", "kombu", "amqp", "marshmallow", "yaml", "structlog",
          "cryptography.hazmat.primitives.ciphers.aead", "cryptography.x509", "prometheus_client", "click",
          "nameko.containers", "nameko.rpc", "shared.db")


def measure_imports(service: str) -> None:
    """RSS added by each layer, in the order a service process imports them (each layer's own share: what the
    layers before it brought is not counted again)."""
    done = subprocess.run([sys.executable, "-W", "ignore", "-c", STEPS_PROBE, service, ",".join(LAYERS)],
                          cwd=ROOT, check=True, capture_output=True, text=True,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    print(f"{'layer':48} {'+MB':>6} {'modules':>8}")
    total = 0.0
    for label, mb, modules in json.loads(done.stdout.strip().splitlines()[-1]):
        total += mb
        print(f"{label:48} {mb:6.1f} {modules:8d}")
    print(f"{'total':48} {total:6.1f}")


def measure_index(code: Path, tips: int) -> dict:
    """Routing's duplicate index after a rebuild of `tips` tips (the bench's Thai tips), as it holds them."""
    done = subprocess.run([sys.executable, "-W", "ignore", "-c", INDEX_PROBE, str(tips)], cwd=code, check=True,
                          capture_output=True, text=True,
                          env={"PYTHONPATH": f"{code}:{ROOT}", "PATH": "/usr/bin:/bin"})
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(code: Path) -> dict[str, dict]:
    out = {}
    for service in SERVICES:
        done = subprocess.run([sys.executable, "-W", "ignore", "-c", PROBE, service], cwd=code, check=True,
                              capture_output=True, text=True, env={"PYTHONPATH": str(code), "PATH": "/usr/bin:/bin"})
        out[service] = json.loads(done.stdout.strip().splitlines()[-1])
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", metavar="GIT_REF", help="also measure this git revision")
    parser.add_argument("--duplicate-index", type=int, metavar="TIPS",
                        help="instead: the memory routing's duplicate index holds for this many tips")
    parser.add_argument("--imports", metavar="SERVICE", help="instead: RSS added by each layer of the stack")
    args = parser.parse_args()
    if args.imports:
        return measure_imports(args.imports)
    columns = {}
    with tempfile.TemporaryDirectory(prefix="sodsong-bench-memory-") as where:
        if args.before:
            archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.before], check=True,
                                     capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", where], input=archive, check=True)
            # compiled beforehand, as this tree is: compiling on import would count the compiler's memory
            subprocess.run([sys.executable, "-m", "compileall", "-q", where], check=True, capture_output=True)
        if args.duplicate_index:
            for label, code in ([(args.before, Path(where))] if args.before else []) + [("this tree", ROOT)]:
                r = measure_index(code, args.duplicate_index)
                print(f"{label:12} duplicate index, {r['tips']} tips ({r['words_per_tip']:.0f} words each): "
                      f"{r['mb']:.1f} MB, {1024 * r['mb'] / r['tips']:.2f} KB a tip")
            return
        if args.before:
            columns[args.before] = measure(Path(where))
        columns["this tree"] = measure(ROOT)
    print(f"{'process':10}" + "".join(f" {label[:14]:>14} {'modules':>8}" for label in columns))
    for service in SERVICES:
        print(f"{service:10}" + "".join(f" {col[service]['rss_mb']:11.1f} MB {col[service]['modules']:8d}"
                                        for col in columns.values()))
    print(f"{'total':10}" + "".join(f" {sum(c['rss_mb'] for c in col.values()):11.1f} MB {'':8}"
                                    for col in columns.values()))


if __name__ == "__main__":
    main()
