"""The issuer's signing key for badge credentials: from the environment, or made once per instance.

`FANFARE_BADGES_SIGNING_KEY` (a PEM RSA private key) wins. Without it, a 2048-bit
key is generated into the app's instance folder (`badges-signing-key.pem`, mode
0600, never in the repository) and reused after.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from jwt.algorithms import RSAAlgorithm

KEY_FILE = "badges-signing-key.pem"


def load_or_create(pem: str | None, instance_path: str) -> RSAPrivateKey:
    """The configured key, else the instance folder's, generating it on first use."""
    if pem:
        return _rsa(serialization.load_pem_private_key(pem.encode(), password=None))
    path = Path(instance_path) / KEY_FILE
    if path.exists():
        return _rsa(serialization.load_pem_private_key(path.read_bytes(), password=None))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    data = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    return key


def _rsa(key: Any) -> RSAPrivateKey:
    if not isinstance(key, RSAPrivateKey):
        raise ValueError("the badge signing key must be an RSA private key (PEM)")
    return key


def public_jwk(key: RSAPrivateKey) -> dict[str, Any]:
    """The public half as a JWK (kty, n, e), the form verifiers read."""
    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    return {"kty": jwk["kty"], "n": jwk["n"], "e": jwk["e"], "alg": "RS256", "use": "sig"}
