"""The cluster's stand-in for a pager: it logs each notification Alertmanager sends, one JSON line
apiece, and answers 200. `kubectl logs deployment/alert-receiver` shows what reached it. Replace
it with a real pager by pointing configuration/alertmanager/alertmanager.yml's receivers there.

Standard library only: it runs in a plain Python image.
"""

import json
import sys
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = 9095


def log_line(path: str, body: bytes) -> str:
    """The JSON line logged for a POST: when, to which receiver, and each alert's state and
    name; a notification that is not Alertmanager's JSON is logged as refused."""
    now = datetime.now(UTC).isoformat()
    try:
        alerts = json.loads(body)["alerts"]
        summary = [{"status": a["status"], "alertname": a["labels"]["alertname"]} for a in alerts]
    except (ValueError, KeyError, TypeError) as error:
        return json.dumps({"time": now, "receiver": path.strip("/"), "refused": str(error)})
    return json.dumps({"time": now, "receiver": path.strip("/"), "alerts": summary})


class Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        print(log_line(self.path, body), flush=True)
        self.send_response(200)
        self.end_headers()

    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()

    def log_message(self, *_: object) -> None:  # one line a notification, nothing else
        pass


if __name__ == "__main__":
    print(f"alert-receiver listening on :{PORT}", file=sys.stderr, flush=True)
    ThreadingHTTPServer(("", PORT), Handler).serve_forever()
