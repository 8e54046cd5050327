"""Secrets kept at rest (OAuth tokens, webhook signing secrets) are Fernet ciphertexts.

The key comes from `FANFARE_TOKEN_KEY` (one Fernet key, or several separated by commas:
the first encrypts, all decrypt, so a key can be rotated); without it a key is made
once into instance/token_key, readable by its owner only, like the session secret.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class TokenCipher:
    """Encrypts and decrypts short secrets with the installation's key(s)."""

    def __init__(self, keys: str) -> None:
        parts = [k.strip() for k in keys.split(",") if k.strip()]
        if not parts:
            raise ValueError("no token key given")
        self._fernet = MultiFernet([Fernet(k.encode()) for k in parts])

    def encrypt(self, plain: str) -> str:
        """The ciphertext of `plain`, as text."""
        return self._fernet.encrypt(plain.encode()).decode()

    def decrypt(self, cipher: str) -> str:
        """The plain text; `ValueError` when it was not made with one of our keys."""
        try:
            return self._fernet.decrypt(cipher.encode()).decode()
        except InvalidToken:
            raise ValueError("a stored secret cannot be decrypted with the configured key") from None


def instance_token_key(path: Path) -> str:
    """A Fernet key made once per installation and kept readable by its owner only."""
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(Fernet.generate_key().decode())
    return path.read_text().strip()
