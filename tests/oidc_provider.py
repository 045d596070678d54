"""A real, minimal OpenID Connect provider for the single sign-on tests (tests/callbacks/test_sso.py,
tests/e2e/test_sso.py), served on a local port by werkzeug in a thread: discovery, an /authorize
that approves at once, a /token that checks the client secret and the PKCE verifier and returns an
RS256 ID token signed with a key made here, and the JWKS. Knobs make it misbehave."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlencode

import flask
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import make_server

__all__ = ["CLIENT_ID", "CLIENT_SECRET", "Provider", "serve"]

CLIENT_ID, CLIENT_SECRET = "lokus-bappeda", "rahasia-klien-uji"


class Provider:
    """An OpenID provider as small as the protocol allows; knobs make it misbehave."""

    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig", "alg": "RS256"})
        self.issuer = ""  # set once the port is known
        self.user = "analis"  # preferred_username of the next sign-in
        self.tamper: dict = {}  # claims of the next ID token overridden (wrong nonce, aud, iss...)
        self.forge = False  # sign the next ID token with a key that is not in the JWKS
        self.deny = False  # answer the next authorization with error=access_denied
        self.codes: dict[str, dict] = {}
        self.authorizations: list[dict] = []  # query of every /authorize request
        self.app = self._build()

    def reset(self) -> None:
        self.user, self.tamper, self.forge, self.deny = "analis", {}, False, False

    def _build(self) -> flask.Flask:
        app = flask.Flask("provider")

        @app.get("/.well-known/openid-configuration")
        def discovery():
            return {"issuer": self.issuer, "authorization_endpoint": f"{self.issuer}/authorize",
                    "token_endpoint": f"{self.issuer}/token", "jwks_uri": f"{self.issuer}/jwks",
                    "response_types_supported": ["code"], "subject_types_supported": ["public"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "code_challenge_methods_supported": ["S256"],
                    "token_endpoint_auth_methods_supported": ["client_secret_basic"]}

        @app.get("/jwks")
        def jwks():
            return KeySet([self.key]).as_dict(private=False)

        @app.get("/authorize")
        def authorize():
            query = flask.request.args.to_dict()
            self.authorizations.append(query)
            back = query["redirect_uri"]
            if self.deny:
                denied = {"error": "access_denied", "state": query["state"]}
                return flask.redirect(f"{back}?{urlencode(denied)}")
            if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
                return {"error": "invalid_request"}, 400
            code = secrets.token_urlsafe(16)
            self.codes[code] = {**query, "user": self.user}
            return flask.redirect(f"{back}?{urlencode({'code': code, 'state': query['state']})}")

        @app.post("/token")
        def token():
            auth = flask.request.authorization
            if auth is None or (auth.username, auth.password) != (CLIENT_ID, CLIENT_SECRET):
                return {"error": "invalid_client"}, 401
            form = flask.request.form
            grant = self.codes.pop(form.get("code", ""), None)  # a code works once
            verifier = form.get("code_verifier", "").encode("ascii")
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=").decode()
            if grant is None or grant["redirect_uri"] != form.get("redirect_uri") \
                    or grant["code_challenge"] != challenge:
                return {"error": "invalid_grant"}, 400
            now = int(time.time())
            claims = {"iss": self.issuer, "sub": f"id-{grant['user']}", "aud": CLIENT_ID, "iat": now,
                      "exp": now + 300, "nonce": grant["nonce"], "preferred_username": grant["user"],
                      **self.tamper}
            key = RSAKey.generate_key(2048, parameters={"kid": "k1"}) if self.forge else self.key
            id_token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key)
            return {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": 300,
                    "id_token": id_token}

        return app


@contextmanager
def serve() -> Iterator[Provider]:
    """A provider listening on 127.0.0.1 (a free port) until the block ends."""
    provider = Provider()
    server = make_server("127.0.0.1", 0, provider.app, threaded=True)
    provider.issuer = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        thread.join(10)
