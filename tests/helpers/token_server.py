#!/usr/bin/env python3
"""A token server for a test registry's Bearer authentication (docker's
token authentication: GET realm?service=...&scope=..., JWTs signed ES256
with the signing certificate in the x5c header).

    token_server.py PORT TLS_CERT TLS_KEY SIGN_CERT SIGN_KEY ISSUER USER PASSWORD LOG

Basic credentials USER:PASSWORD get every action they ask for; wrong
credentials get 401; no credentials get pull on repositories below
"public/" only.  One line per request goes to LOG: "USER SCOPES",
"anonymous SCOPES" or "refused".  Prints "ready" once it listens.

OAuth2 (RFC 6749, as docker asks: a POST of a form to the same path)
while the file LOG.oauth exists; without it a POST is answered 405, as
by a server with docker's GET flow alone ("oauth unsupported" is
logged).  grant_type=password with USER and PASSWORD (and client_id)
gets an access token, and with access_type=offline a refresh token too
("oauth password USER client=ID access=TYPE SCOPES"); grant_type=
refresh_token with a refresh token it gave gets an access token ("oauth
refresh USER SCOPES", SCOPES from the space-separated scope parameter);
anything else is a 400 invalid_grant ("refused").  Every token it gives
(access and refresh) is appended to LOG.issued, one a line, so that a
test can look for them where they must not be.
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
        self.refresh = {}  # refresh token -> user

    def record(self, line):
        with self.lock, open(self.log, "a") as f:
            f.write(line + "\n")

    def issued(self, token):
        with self.lock, open(self.log + ".issued", "a") as f:
            f.write(token + "\n")
        return token

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
        return self.issued(signing_input + "." + b64url(sig))


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
        def reply(self, status, doc):
            body = json.dumps(doc).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            form = parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
            if not os.path.exists(srv.log + ".oauth"):
                srv.record("oauth unsupported")
                self.reply(405, {"error": "unsupported"})
                return
            f = {k: v[0] for k, v in form.items()}
            scopes = f.get("scope", "").split()
            grant_type = f.get("grant_type")
            user = None
            if grant_type == "password" and f.get("client_id") and \
                    f.get("username") == srv.user and f.get("password") == srv.password:
                user = srv.user
                srv.record("oauth password %s client=%s access=%s %s" % (
                    user, f["client_id"], f.get("access_type", "-"), " ".join(scopes)))
            elif grant_type == "refresh_token" and f.get("client_id"):
                with srv.lock:
                    user = srv.refresh.get(f.get("refresh_token"))
                if user:
                    srv.record("oauth refresh %s %s" % (user, " ".join(scopes)))
            if user is None:
                srv.record("refused")
                self.reply(400, {"error": "invalid_grant"})
                return
            doc = {"access_token": srv.token(user, f.get("service", ""), grant(scopes, user)),
                   "expires_in": 300, "scope": " ".join(scopes)}
            if grant_type == "password" and f.get("access_type") == "offline":
                doc["refresh_token"] = srv.issued(b64url(os.urandom(24)))
                with srv.lock:
                    srv.refresh[doc["refresh_token"]] = user
            self.reply(200, doc)
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
