#!/usr/bin/env python3
"""Hostile and honest HTTP/1.1 clients for bench/resilience.sh (scenario hostile). Prints one JSON line.

  hostile.py trickle PORT PATH N FAST_BYTES [KEY]   N chunked bodies of up to 10 MiB: FAST_BYTES at once, then
                                                    1 KiB every 0.5 s until the gateway answers or closes
  hostile.py burst PORT PATH N BYTES KEY            N bodies {"messages":[{},{},...]} of BYTES, sent whole, at once
  hostile.py honest PORT PATH N BODY SECRET|KEY     N small bodies at once (webhooks signed with SECRET), chunked
"""
import hashlib, hmac, json, socket, sys, threading, time

mode, port, path, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
results, lock = [], threading.Lock()


def answer(sock):
    """The status code of the answer on sock, or 'closed' / 'timeout'."""
    sock.settimeout(60)
    try:
        data = sock.recv(4096)
    except socket.timeout:
        return "timeout"
    except OSError:
        return "closed"
    if not data.startswith(b"HTTP/1.1 "):
        return "closed"
    return data[9:12].decode()


def headers(extra):
    return ("POST %s HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\n%s\r\n" % (path, "".join(h + "\r\n" for h in extra))).encode()


def chunk(data):
    return b"%x\r\n%s\r\n" % (len(data), data)


def trickle(fast, key):
    sock = socket.create_connection(("localhost", port))
    status, sent = None, 0
    try:
        sock.sendall(headers(["Authorization: Bearer " + key] if key else []))
        piece = b"x" * 65536
        while sent < fast:
            sock.sendall(chunk(piece))
            sent += len(piece)
        sock.setblocking(False)
        while sent < 10 * 1024 * 1024:
            try:
                data = sock.recv(4096)
                if data:
                    status = data[9:12].decode() if data.startswith(b"HTTP/1.1 ") else "closed"
                else:
                    status = status or "closed"
                break
            except BlockingIOError:
                pass
            sock.send(chunk(b"x" * 1024))
            sent += 1024
            time.sleep(0.5)
    except OSError:
        sock.setblocking(True)
        status = status or answer(sock)
    finally:
        sock.close()
    with lock:
        results.append(status or "none")


def burst(size, key):
    body = b'{"messages":[{}' + b",{}" * ((size - 17) // 3) + b"]}"
    sock = socket.create_connection(("localhost", port))
    try:
        sock.sendall(("POST %s HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                      "Authorization: Bearer %s\r\nContent-Length: %d\r\n\r\n" % (path, key, len(body))).encode())
        sock.sendall(body)
        status = answer(sock)
    except OSError:
        status = answer(sock)
    finally:
        sock.close()
    with lock:
        results.append(status)


def honest(body, secret_or_key):
    extra = []
    if path.startswith("/webhooks"):
        extra.append("X-Hub-Signature-256: sha256=" + hmac.new(secret_or_key.encode(), body.encode(), hashlib.sha256).hexdigest())
    else:
        extra.append("Authorization: Bearer " + secret_or_key)
    start = time.monotonic()
    sock = socket.create_connection(("localhost", port))
    try:
        sock.sendall(headers(extra) + chunk(body.encode()) + b"0\r\n\r\n")
        status = answer(sock)
    except OSError:
        status = "closed"
    finally:
        sock.close()
    with lock:
        results.append((status, time.monotonic() - start))


if mode == "trickle":
    work = lambda: trickle(int(sys.argv[5]), sys.argv[6] if len(sys.argv) > 6 else None)
elif mode == "burst":
    work = lambda: burst(int(sys.argv[5]), sys.argv[6])
else:
    work = lambda: honest(sys.argv[5], sys.argv[6])
threads = [threading.Thread(target=work) for _ in range(n)]
for t in threads:
    t.start()
for t in threads:
    t.join()
if mode == "honest":
    statuses = [s for s, _ in results]
    print(json.dumps({"statuses": {s: statuses.count(s) for s in set(statuses)},
                      "max_seconds": round(max(d for _, d in results), 2)}))
else:
    print(json.dumps({"statuses": {s: results.count(s) for s in set(results)}}))
