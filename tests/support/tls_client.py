"""A TLS client in a process of its own, for tests whose own process is monkey-patched by eventlet (whose ssl
module cannot build a verifying client context). Reads a JSON plan on stdin, prints a JSON result.

Plan: {"cafile", "port", "host", "steps": [{"send_file": path} | {"send_hex": hex} | {"sleep": seconds}],
       "read_timeout": seconds}
Result: {"answer": <response bytes as latin-1 text>, "last_send": <time.monotonic() after the last send>,
         "read_seconds": <time spent waiting for the answer>, "error": <exception name or null>}
"""
import json
import socket
import ssl
import sys
import time


def main() -> None:
    plan = json.load(sys.stdin)
    ctx = ssl.create_default_context(cafile=plan["cafile"])
    raw = socket.create_connection(("127.0.0.1", plan["port"]), timeout=plan.get("read_timeout", 30))
    sock = ctx.wrap_socket(raw, server_hostname=plan["host"])
    last_send = time.monotonic()
    for step in plan["steps"]:
        if "sleep" in step:
            time.sleep(step["sleep"])
        else:
            data = open(step["send_file"], "rb").read() if "send_file" in step else bytes.fromhex(step["send_hex"])
            sock.sendall(data)
            last_send = time.monotonic()
    started, chunks, error = time.monotonic(), [], None
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
            if plan.get("first_chunk_only"):
                break
    except (OSError, ssl.SSLError) as exc:
        error = type(exc).__name__
    print(json.dumps({"answer": b"".join(chunks).decode("latin-1"), "last_send": last_send,
                      "read_seconds": time.monotonic() - started, "error": error}))


if __name__ == "__main__":
    main()
