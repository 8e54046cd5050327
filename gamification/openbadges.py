"""Open Badges documents for earned badges: 2.0 hosted JSON-LD and a signed 3.0 credential.

Open Badges 2.0 hosted verification: a backpack fetches the Assertion from its `id`
URL, follows `badge` to the BadgeClass and `issuer` to the Issuer profile, all
served publicly by web/badges.py under one base URL, and checks the recipient by
hashing the address the fan gave with the published salt. The 3.0 export is the
same achievement as an OpenBadgeCredential, signed as a VC-JWT (RS256, the
algorithm every Open Badges 3.0 verifier must accept) with the issuer's key.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from engine.rules.model import Badge, Campaign
from gamification.keys import public_jwk

OB2_CONTEXT = "https://w3id.org/openbadges/v2"
VC2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


@dataclass(frozen=True, slots=True)
class Issuer:
    """Who issues the badges, and where its documents are served."""

    base_url: str  # e.g. https://fans.example.com, no trailing slash
    name: str
    url: str
    email: str | None = None

    @property
    def id(self) -> str:
        return f"{self.base_url}/badges/issuer.json"

    @property
    def key_id(self) -> str:
        return f"{self.base_url}/badges/jwks.json#key-1"


@dataclass(frozen=True, slots=True)
class Exported:
    """A stored export: the assertion's id, recipient and salt, and when the badge was earned."""

    id: str
    identity_type: str  # "email" | "url"
    identity: str
    salt: str
    earned_at: datetime


def hashed_identity(identity: str, salt: str) -> str:
    """`sha256$` + hex SHA-256 of the identity followed by the salt (Open Badges 2.0)."""
    return "sha256$" + hashlib.sha256((identity + salt).encode()).hexdigest()


def badge_url(issuer: Issuer, campaign: Campaign, badge: Badge, suffix: str = ".json") -> str:
    return f"{issuer.base_url}/badges/{campaign.id}/{badge.id}{suffix}"


def assertion_url(issuer: Issuer, assertion_id: str) -> str:
    return f"{issuer.base_url}/badges/assertions/{assertion_id}.json"


def issuer_profile(issuer: Issuer) -> dict[str, Any]:
    """The Issuer profile (the key that signs 3.0 credentials is served at /badges/jwks.json)."""
    profile: dict[str, Any] = {
        "@context": OB2_CONTEXT,
        "type": "Issuer",
        "id": issuer.id,
        "name": issuer.name,
        "url": issuer.url,
    }
    if issuer.email:
        profile["email"] = issuer.email
    return profile


def criteria(campaign: Campaign, badge: Badge) -> str:
    """What the fan did, in words, from the badge's definition."""
    where = f"in the campaign {campaign.name}"
    what = "any activity" if badge.on is None else " or ".join(sorted(badge.on))
    if badge.kind == "streak":
        return f"{what} on {badge.streak} consecutive calendar days {where}."
    if badge.kind == "within":
        return f"{badge.count} times {what} within {_duration(badge)} {where}."
    if badge.kind == "rank":
        return f"Rank {badge.rank} on the {badge.leaderboard} leaderboard when a period closed, {where}."
    return f"{badge.count} times {what} {where}."


def _duration(badge: Badge) -> str:
    seconds = int(badge.within.total_seconds()) if badge.within else 0
    for unit, size in (("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size} {unit}"
    return f"{seconds} seconds"


def image_url(issuer: Issuer, campaign: Campaign, badge: Badge) -> str:
    """The badge's own image when the campaign names one, else the generated SVG."""
    return badge.image or badge_url(issuer, campaign, badge, ".svg")


def badge_class(issuer: Issuer, campaign: Campaign, badge: Badge) -> dict[str, Any]:
    """The BadgeClass: name, description, image, criteria and issuer."""
    return {
        "@context": OB2_CONTEXT,
        "type": "BadgeClass",
        "id": badge_url(issuer, campaign, badge),
        "name": badge.name,
        "description": badge.description or f"{badge.name}: {criteria(campaign, badge)}",
        "image": image_url(issuer, campaign, badge),
        "criteria": {"narrative": criteria(campaign, badge)},
        "issuer": issuer.id,
        "tags": [campaign.id],
    }


def assertion(issuer: Issuer, campaign: Campaign, badge: Badge, exported: Exported) -> dict[str, Any]:
    """The hosted Assertion: hashed recipient, badge, verification and when it was earned."""
    return {
        "@context": OB2_CONTEXT,
        "type": "Assertion",
        "id": assertion_url(issuer, exported.id),
        "recipient": {
            "type": exported.identity_type,
            "hashed": True,
            "salt": exported.salt,
            "identity": hashed_identity(exported.identity, exported.salt),
        },
        "badge": badge_url(issuer, campaign, badge),
        "verification": {"type": "hosted"},
        "issuedOn": exported.earned_at.isoformat(),
        "image": image_url(issuer, campaign, badge),
    }


def credential(issuer: Issuer, campaign: Campaign, badge: Badge, exported: Exported) -> dict[str, Any]:
    """The same achievement as an Open Badges 3.0 OpenBadgeCredential (unsigned)."""
    identity_type = "emailAddress" if exported.identity_type == "email" else "url"
    return {
        "@context": [VC2_CONTEXT, OB3_CONTEXT],
        "id": f"urn:uuid:{exported.id}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer.id, "type": ["Profile"], "name": issuer.name, "url": issuer.url},
        "validFrom": exported.earned_at.isoformat(),
        "name": badge.name,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": hashed_identity(exported.identity, exported.salt),
                    "identityType": identity_type,
                    "hashed": True,
                    "salt": exported.salt,
                }
            ],
            "achievement": {
                "id": badge_url(issuer, campaign, badge),
                "type": ["Achievement"],
                "name": badge.name,
                "description": badge.description or criteria(campaign, badge),
                "criteria": {"narrative": criteria(campaign, badge)},
                "image": {"id": image_url(issuer, campaign, badge), "type": "Image"},
            },
        },
    }


def signed_credential(
    issuer: Issuer, key: RSAPrivateKey, campaign: Campaign, badge: Badge, exported: Exported
) -> str:
    """The credential as a compact VC-JWT: the credential is the payload, with iss, jti, nbf and sub."""
    vc = credential(issuer, campaign, badge, exported)
    claims = {
        **vc,
        "iss": issuer.id,
        "jti": vc["id"],
        "nbf": int(exported.earned_at.timestamp()),
        "sub": hashed_identity(exported.identity, exported.salt),
    }
    headers = {"kid": issuer.key_id, "jwk": public_jwk(key), "typ": "JWT"}
    return jwt.encode(claims, key, algorithm="RS256", headers=headers)
