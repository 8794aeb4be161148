/// A small HTTP/1.1 server for transport tests, run by `EmulatorProcess`. It counts the TCP
/// connections it accepted and the requests it answered, with their request targets (absolute
/// when it is asked as a proxy) (`GET /_stats`), echoes requests
/// (`/echo`), redirects (`/redirect`), answers late (`/slow?seconds=N`) and closes the connection
/// without an answer (`/drop`).
enum LoopbackHTTPServer {
    static let source = #"""
        import http.server, json, socketserver, sys, threading, time, urllib.parse

        lock = threading.Lock()
        stats = {"connections": 0, "requests": 0, "paths": [], "targets": []}

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def log_message(self, *args): pass
            def setup(self):
                super().setup()
                with lock: stats["connections"] += 1
            def answer(self, status, body, headers=()):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers: self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            def handle_any(self):
                url = urllib.parse.urlsplit(self.path)
                query = urllib.parse.parse_qs(url.query)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                if url.path == "/_stats":
                    with lock: self.answer(200, stats)
                    return
                with lock:
                    stats["requests"] += 1
                    stats["paths"].append(url.path)
                    stats["targets"].append(self.path)
                if url.path == "/echo":
                    self.answer(200, {"method": self.command, "path": url.path, "body": body,
                                      "headers": {k.lower(): v for k, v in self.headers.items()}}, [("X-Echo", "yes")])
                elif url.path == "/redirect":
                    self.send_response(302)
                    self.send_header("Location", "/echo")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                elif url.path == "/slow":
                    time.sleep(float(query.get("seconds", ["5"])[0]))
                    self.answer(200, {})
                elif url.path == "/drop":
                    self.close_connection = True
                    self.connection.shutdown(2)
                else:
                    self.answer(404, {"error": "not found"})
            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = handle_any

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True
            request_queue_size = 256

        server = Server(("127.0.0.1", 0), Handler)
        print("listening on http://127.0.0.1:%d" % server.server_address[1], flush=True)
        server.serve_forever()
        """#
}
