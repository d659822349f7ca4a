#!/usr/bin/env python3
"""A token server for a test registry's Bearer authentication (docker's
token authentication: GET realm?service=...&scope=..., JWTs signed ES256
with the signing certificate in the x5c header).

    token_server.py PORT TLS_CERT TLS_KEY SIGN_CERT SIGN_KEY ISSUER USER PASSWORD LOG

Basic credentials USER:PASSWORD get every action they ask for; wrong
credentials get 401; no credentials get pull on repositories below
"public/" only.  One line per request goes to LOG: "USER SCOPES",
"anonymous SCOPES" or "refused".  Prints "ready" once it listens.
"""
import base64
import json
import os
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Server:
    def __init__(self, args):
        (self.port, self.tls_cert, self.tls_key, sign_cert, sign_key, self.issuer,
         self.user, self.password, self.log) = args
        with open(sign_cert, "rb") as f:
            cert = x509.load_pem_x509_certificate(f.read())
        self.x5c = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()
        with open(sign_key, "rb") as f:
            self.key = serialization.load_pem_private_key(f.read(), password=None)
        self.lock = threading.Lock()

    def record(self, line):
        with self.lock, open(self.log, "a") as f:
            f.write(line + "\n")

    def token(self, sub, service, access):
        now = int(time.time())
        header = {"typ": "JWT", "alg": "ES256", "x5c": [self.x5c]}
        claims = {"iss": self.issuer, "sub": sub, "aud": service, "exp": now + 300,
                  "nbf": now - 10, "iat": now, "jti": b64url(os.urandom(12)),
                  "access": access}
        signing_input = (b64url(json.dumps(header).encode()) + "." +
                         b64url(json.dumps(claims).encode()))
        der = self.key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
        return signing_input + "." + b64url(sig)


def grant(scopes, user):
    access = []
    for scope in scopes:
        parts = scope.split(":")
        if len(parts) != 3 or parts[0] != "repository":
            continue
        actions = parts[2].split(",")
        if user is None:
            actions = [a for a in actions if a == "pull"] if parts[1].startswith("public/") else []
        if actions:
            access.append({"type": "repository", "name": parts[1], "actions": actions})
    return access


def handler(srv):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            url = urlparse(self.path)
            q = parse_qs(url.query)
            scopes = q.get("scope", [])
            user = None
            auth = self.headers.get("Authorization", "")
            if auth.startswith("Basic "):
                try:
                    u, _, p = base64.b64decode(auth[6:]).decode().partition(":")
                except ValueError:
                    u, p = "", ""
                if u != srv.user or p != srv.password:
                    srv.record("refused")
                    self.send_response(401)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                user = u
            srv.record("%s %s" % (user or "anonymous", " ".join(scopes)))
            body = json.dumps({"token": srv.token(user or "", q.get("service", [""])[0],
                                                  grant(scopes, user)),
                               "expires_in": 300}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
    return Handler


def main():
    if len(sys.argv) != 10:
        print(__doc__, file=sys.stderr)
        return 2
    srv = Server(sys.argv[1:])
    httpd = ThreadingHTTPServer(("127.0.0.1", int(srv.port)), handler(srv))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(srv.tls_cert, srv.tls_key)
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    print("ready", flush=True)
    httpd.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
