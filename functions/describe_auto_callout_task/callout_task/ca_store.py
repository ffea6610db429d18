"""The certificate authorities every https and rediss connection of the function trusts: the
system's store, where the runtime's OpenSSL looks for it.

OpenSSL looks in the place it was built with (``ssl.get_default_verify_paths()``), unless
``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` name another. A Python built with an OpenSSL of its own
(how a newer OpenSSL gets onto an older image) looks under that OpenSSL's prefix, where there is
often no bundle at all, or an empty ``certs`` folder: every verified connection would then fail
(CERTIFICATE_VERIFY_FAILED) although the image carries its distribution's bundle. So when the
place OpenSSL names holds nothing, the distribution's bundle is loaded from where the common
Linux distributions keep it. Verification itself is never relaxed.
"""

from __future__ import annotations

import os
import ssl

# Where Linux distributions keep their CA bundle (PEM): the first that exists is loaded.
DISTRIBUTION_BUNDLES = (
    "/etc/pki/tls/certs/ca-bundle.crt",  # CentOS, RHEL, Fedora, TencentOS
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",  # the same, where it is generated
    "/etc/ssl/certs/ca-certificates.crt",  # Debian, Ubuntu, Alpine
    "/etc/ssl/ca-bundle.pem",  # openSUSE
    "/etc/ssl/cert.pem",  # Alpine, the BSDs
)


def trust_system_store(context: ssl.SSLContext) -> None:
    """Load the system's CA store into ``context`` (which verifies chain and host name): what
    OpenSSL finds where it looks, else the distribution's bundle."""
    context.load_default_certs(ssl.Purpose.SERVER_AUTH)
    if _openssl_finds_some():
        return
    for bundle in DISTRIBUTION_BUNDLES:
        if os.path.isfile(bundle):
            context.load_verify_locations(cafile=bundle)
            return


def _openssl_finds_some() -> bool:
    """True when the file OpenSSL loads exists, or the folder it searches holds anything."""
    paths = ssl.get_default_verify_paths()  # None for a file or folder that does not exist
    if paths.cafile is not None:
        return True
    if paths.capath is None:
        return False
    try:
        with os.scandir(paths.capath) as entries:
            return any(True for _ in entries)
    except OSError:
        return False
