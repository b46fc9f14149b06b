"""OCI credentials and request signing: the config file, private keys, HTTP signatures.

OCI authenticates each request with an HTTP signature (the draft-cavage scheme, version 1):
`Authorization: Signature version="1",keyId="<tenancy>/<user>/<fingerprint>",algorithm="rsa-sha256",
headers="date (request-target) host content-length content-type x-content-sha256",signature="..."`,
an RSA PKCS#1 v1.5 SHA-256 signature over those headers' lines, with `x-content-sha256` the
base64 SHA-256 of the exact body bytes. `ApiKeySigner` does that with `cryptography` (what the
`oci` package does underneath, without its 500 MB and half a second of import); a session
profile (`security_token_file`) signs with keyId `ST$<token>`, the token re-read each time (the
OCI CLI refreshes it). Instance and resource principals need OCI's own federation: they sign
through the `oci` package's signers (`PrincipalSigner`), made at the first call.

The config file is read as OCI's own tools read it: INI sections whose keys fall back to
`[DEFAULT]`, `key_file` and `security_token_file` with `~` expanded, `pass_phrase`, `region`.
Nothing here ever puts the private key or its pass phrase in a message, a repr or a log line.
"""

from __future__ import annotations

import base64
import configparser
import email.utils
import hashlib
import os
from typing import Any
from urllib.parse import urlsplit

from .._errors import CohereError
from .._transports._base import HttpRequest

__all__ = ["OciCredentials", "ApiKeySigner", "PrincipalSigner", "read_profile", "load_private_key", "AUTH_TYPES", "INSTALL_HINT"]

AUTH_TYPES = ("api_key", "instance_principal", "resource_principal")
INSTALL_HINT = "the OCI clients sign requests with cryptography: pip install 'cohere-dyn[oci]'"
DEFAULT_CONFIG = os.path.join("~", ".oci", "config")
_SIGNED = ("date", "(request-target)", "host", "content-length", "content-type", "x-content-sha256")


def read_profile(path: str | None, profile: str | None) -> tuple[dict[str, str], str]:
    """The settings of one profile of an OCI config file (with [DEFAULT]'s), and the file's path."""
    if path is None:
        path = DEFAULT_CONFIG
        if not os.path.isfile(os.path.expanduser(path)) and os.environ.get("OCI_CONFIG_FILE"):
            path = os.environ["OCI_CONFIG_FILE"]
    location = os.path.expanduser(path)
    name = profile or "DEFAULT"
    parser = configparser.ConfigParser(interpolation=None)
    try:
        with open(location, encoding="utf-8") as handle:
            parser.read_file(handle)
    except OSError as exc:
        raise CohereError(
            f"no OCI config file at {location} ({exc.strerror}): pass oci_config_path=..., or oci_user_id=, "
            "oci_fingerprint=, oci_tenancy_id= and oci_private_key_path= (or oci_private_key_content=)"
        ) from None
    except configparser.Error as exc:
        raise CohereError(f"the OCI config file {location} can't be read as INI: {type(exc).__name__}") from None
    if name != "DEFAULT" and not parser.has_section(name):
        profiles = ", ".join(["DEFAULT", *parser.sections()]) if parser.defaults() else ", ".join(parser.sections()) or "none"
        raise CohereError(f"the OCI config file {location} has no profile [{name}] (profiles: {profiles})")
    if name == "DEFAULT" and not parser.defaults():
        raise CohereError(f"the OCI config file {location} has no [DEFAULT] profile (profiles: {', '.join(parser.sections()) or 'none'}): pass oci_profile=...")
    settings = dict(parser.defaults()) if name == "DEFAULT" else dict(parser.items(name))
    if "key_content" in settings:
        raise CohereError(f"{location} [{name}]: key_content can't be given in a config file (OCI's rule); use key_file")
    return settings, location


def load_private_key(pem: bytes, pass_phrase: str | None, where: str) -> Any:
    """An RSA private key from PEM bytes; a clear error (never the key) when it can't be read."""
    try:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
    except ImportError:
        raise CohereError(INSTALL_HINT) from None
    password = pass_phrase.encode() if pass_phrase else None
    try:
        key = serialization.load_pem_private_key(pem, password)
    except TypeError:
        if password is None:
            raise CohereError(f"the private key {where} is encrypted: pass its pass phrase (pass_phrase in the OCI config)") from None
        try:
            key = serialization.load_pem_private_key(pem, None)  # a pass phrase for a key that has none: OCI's tools allow it
        except (TypeError, ValueError):
            raise CohereError(f"the private key {where} can't be read with the pass phrase given") from None
    except ValueError:
        problem = "the pass phrase given is wrong, or it" if password else "it"
        raise CohereError(f"the private key {where} can't be read: {problem} is not a PEM private key") from None
    except Exception as exc:  # cryptography's UnsupportedAlgorithm and the like
        raise CohereError(f"the private key {where} can't be read ({type(exc).__name__})") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise CohereError(f"the private key {where} is not an RSA key: OCI signs with RSA (rsa-sha256)")
    return key


def _read_key_file(path: str, pass_phrase: str | None) -> Any:
    location = os.path.expanduser(path)
    try:
        with open(location, "rb") as handle:
            pem = handle.read()
    except OSError as exc:
        raise CohereError(f"the private key file {location} can't be read ({exc.strerror})") from None
    return load_private_key(pem.strip(), pass_phrase, f"in {location}")


class ApiKeySigner:
    """Signs requests with an API signing key (or a session token and its key)."""

    def __init__(self, key_id: str | None, private_key: Any, token_file: str | None = None):
        self._key_id = key_id
        self._private_key = private_key
        self._token_file = token_file

    def __repr__(self) -> str:
        kind = "session" if self._token_file else "api_key"
        return f"<ApiKeySigner {kind} keyId={self.key_id if not self._token_file else 'ST$<token>'!r}>"

    @property
    def key_id(self) -> str:
        if self._token_file is None:
            return self._key_id or ""
        try:
            with open(self._token_file, encoding="utf-8") as handle:
                return "ST$" + handle.read().strip()
        except OSError as exc:
            raise CohereError(f"the OCI session token file {self._token_file} can't be read ({exc.strerror})") from None

    def sign(self, request: HttpRequest) -> HttpRequest:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        body = request.content if isinstance(request.content, bytes) else b""
        parts = urlsplit(request.url)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in {"date", "host", "x-content-sha256", "content-length", "authorization"}}
        headers.setdefault("Content-Type", "application/json")
        signed = {
            "date": email.utils.formatdate(usegmt=True),
            "(request-target)": f"{request.method.lower()} {parts.path or '/'}{'?' + parts.query if parts.query else ''}",
            "host": parts.netloc,
            "content-length": str(len(body)),
            "content-type": next(v for k, v in headers.items() if k.lower() == "content-type"),
            "x-content-sha256": base64.b64encode(hashlib.sha256(body).digest()).decode(),
        }
        text = "\n".join(f"{name}: {signed[name]}" for name in _SIGNED).encode()
        signature = base64.b64encode(self._private_key.sign(text, padding.PKCS1v15(), hashes.SHA256())).decode()
        headers.update({"Date": signed["date"], "Host": signed["host"], "Content-Length": signed["content-length"], "x-content-sha256": signed["x-content-sha256"]})
        headers["Authorization"] = (
            f'Signature version="1",keyId="{self.key_id}",algorithm="rsa-sha256",'
            f'headers="{" ".join(_SIGNED)}",signature="{signature}"'
        )
        return HttpRequest(request.method, request.url, headers, request.content, request.timeout)

    def secrets(self) -> list[str]:
        """The session token it signs with, if any (the private key never leaves the process)."""
        if self._token_file is None:
            return []
        try:
            return [self.key_id.removeprefix("ST$")]
        except CohereError:  # the token file is gone: it can't be in what came back either
            return []


class PrincipalSigner:
    """Signs with an instance or resource principal, through the `oci` package's signer."""

    def __init__(self, signer: Any):
        self._signer = signer

    def __repr__(self) -> str:
        return f"<PrincipalSigner {type(self._signer).__name__}>"

    @property
    def region(self) -> str | None:
        return getattr(self._signer, "region", None)

    def sign(self, request: HttpRequest) -> HttpRequest:
        import requests

        prepared = requests.Request(request.method, request.url, headers=dict(request.headers), data=request.content or b"").prepare()
        prepared.headers.pop("Authorization", None)
        self._signer.do_request_sign(prepared)
        headers = {str(name): value if isinstance(value, str) else value.decode() for name, value in prepared.headers.items()}
        return HttpRequest(request.method, request.url, headers, request.content, request.timeout)

    def secrets(self) -> list[str]:
        return []


class OciCredentials:
    """What the constructor's keywords and the config file say: checked at once, signer made on demand.

    api_key credentials (and their private key) are read when the client is made, so a missing
    profile or an unreadable key fails before anything is sent; principals need OCI's metadata
    service or environment, so they are resolved by the first call.
    """

    def __init__(
        self,
        *,
        auth_type: str,
        config_path: str | None,
        profile: str | None,
        user: str | None,
        fingerprint: str | None,
        tenancy: str | None,
        key_path: str | None,
        key_content: str | None,
        region: str | None,
    ):
        if auth_type not in AUTH_TYPES:
            raise ValueError(f"auth_type must be one of {', '.join(AUTH_TYPES)}, not {auth_type!r}")
        self.auth_type = auth_type
        self.region = region
        self._signer: Any = None
        if auth_type != "api_key":
            return
        if user or fingerprint or tenancy or key_content:  # credentials given in full, no config file
            missing = [name for name, value in (("oci_user_id", user), ("oci_fingerprint", fingerprint), ("oci_tenancy_id", tenancy)) if not value]
            if not (key_path or key_content):
                missing.append("oci_private_key_path or oci_private_key_content")
            if missing:
                raise ValueError(f"OCI credentials given in the constructor need {', '.join(missing)} too")
            key = load_private_key(key_content.encode(), None, "given in oci_private_key_content") if key_content else _read_key_file(key_path or "", None)
            self._signer = ApiKeySigner(f"{tenancy}/{user}/{fingerprint}", key)
            return
        settings, location = read_profile(config_path, profile)
        name = profile or "DEFAULT"
        self.region = region or settings.get("region") or None
        pass_phrase = settings.get("pass_phrase") or None
        key_file = key_path or settings.get("key_file")
        if not key_file:
            raise CohereError(f"{location} [{name}] names no key_file: OCI requests are signed with that private key")
        token_file = settings.get("security_token_file")
        if token_file:
            self._signer = ApiKeySigner(None, _read_key_file(key_file, pass_phrase), os.path.expanduser(token_file))
            return
        missing = [key for key in ("user", "fingerprint", "tenancy") if not settings.get(key)]
        if missing:
            raise CohereError(f"{location} [{name}] lacks {', '.join(missing)} (or a security_token_file): OCI's keyId is tenancy/user/fingerprint")
        key_id = f"{settings['tenancy']}/{settings['user']}/{settings['fingerprint']}"
        self._signer = ApiKeySigner(key_id, _read_key_file(key_file, pass_phrase))

    def __repr__(self) -> str:
        return f"<OciCredentials {self.auth_type} region={self.region!r}>"

    def signer(self) -> Any:
        """The signer, making a principal's on first use (it may fetch from OCI's metadata service)."""
        if self._signer is None:
            try:
                import oci.auth.signers
            except ImportError:
                raise CohereError(f"auth_type={self.auth_type!r} signs through OCI's own SDK: pip install oci") from None
            try:
                if self.auth_type == "instance_principal":
                    made = oci.auth.signers.InstancePrincipalsSecurityTokenSigner()
                else:
                    made = oci.auth.signers.get_resource_principals_signer()
            except Exception as exc:  # the oci package's own errors: no metadata service, no environment
                raise CohereError(f"OCI {self.auth_type} credentials could not be had: {type(exc).__name__}: {exc}") from None
            self._signer = PrincipalSigner(made)
        return self._signer
