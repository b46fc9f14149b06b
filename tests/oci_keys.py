"""A throwaway OCI API signing key for tests: written to a file, never a real credential."""

from __future__ import annotations

from pathlib import Path
from typing import Any

TENANCY = "ocid1.tenancy.oc1..testtenancy"
USER = "ocid1.user.oc1..testuser"
FINGERPRINT = "aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99"
COMPARTMENT = "ocid1.compartment.oc1..testcompartment"
REGION = "us-chicago-1"


def make_key(folder: Path, pass_phrase: str | None = None) -> tuple[Path, Any]:
    """A new RSA key written as PEM (encrypted when a pass phrase is given): its path and public key."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    encryption = serialization.BestAvailableEncryption(pass_phrase.encode()) if pass_phrase else serialization.NoEncryption()
    path = folder / "oci_api_key.pem"
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption))
    return path, key.public_key()


def client_kwargs(key_path: Path, **more: Any) -> dict[str, Any]:
    """The OciClient keywords for the test key, given directly (no config file)."""
    return {
        "oci_user_id": USER,
        "oci_fingerprint": FINGERPRINT,
        "oci_tenancy_id": TENANCY,
        "oci_private_key_path": str(key_path),
        "oci_region": REGION,
        "oci_compartment_id": COMPARTMENT,
        **more,
    }


def signature_problem(method: str, path: str, headers: dict[str, str], body: bytes, public_key: Any) -> str | None:
    """None when `headers` carry an OCI signature over this request made with the test key's private half."""
    import base64
    import hashlib

    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    lower = {k.lower(): v for k, v in headers.items()}
    authorization = lower.get("authorization", "")
    if not authorization.startswith("Signature "):
        return "no Signature authorization"
    fields = dict(part.split("=", 1) for part in authorization[len("Signature "):].split(","))
    values = {k: v.strip('"') for k, v in fields.items()}
    if values.get("keyId") != f"{TENANCY}/{USER}/{FINGERPRINT}" or values.get("algorithm") != "rsa-sha256":
        return f"keyId or algorithm: {values.get('keyId')!r} {values.get('algorithm')!r}"
    if lower.get("x-content-sha256") != base64.b64encode(hashlib.sha256(body).digest()).decode():
        return "x-content-sha256 is not the body's digest"
    if lower.get("content-length") != str(len(body)):
        return "content-length is not the body's length"
    lines = []
    for name in values.get("headers", "").split():
        lines.append(f"(request-target): {method.lower()} {path}" if name == "(request-target)" else f"{name}: {lower.get(name, '')}")
    try:
        public_key.verify(base64.b64decode(values["signature"]), "\n".join(lines).encode(), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return "the signature doesn't verify"
    return None
