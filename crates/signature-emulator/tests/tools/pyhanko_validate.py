#!/usr/bin/env python3
"""Validate the PAdES signature of a PDF with pyHanko, trusting only the given root.

Usage: pyhanko_validate.py FILE.pdf ROOT.pem

Prints one line, `VALID: …` or `INVALID: …`, and exits 0 only when the document has exactly
one signature that is a PAdES B-B signature (SubFilter /ETSI.CAdES.detached; signed attributes
content-type, message-digest and signing-certificate-v2; no signing-time), intact (the digest
of the byte ranges matches), valid (the signature verifies), trusted (a path to ROOT.pem),
pyHanko's bottom line holds, and the signature covers the entire file. No fetching: the
emulator's certificates name no CRL or OCSP location.
"""

import sys

from asn1crypto import pem, x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext


def load_root(path):
    with open(path, "rb") as f:
        data = f.read()
    if pem.detect(data):
        _, _, data = pem.unarmor(data)
    return x509.Certificate.load(data)


def main():
    pdf_path, root_path = sys.argv[1], sys.argv[2]
    context = ValidationContext(trust_roots=[load_root(root_path)], allow_fetching=False)
    with open(pdf_path, "rb") as f:
        reader = PdfFileReader(f)
        signatures = reader.embedded_signatures
        if len(signatures) != 1:
            print(f"INVALID: {len(signatures)} signatures, expected 1")
            return 1
        sig = signatures[0]
        sub_filter = sig.sig_object.get("/SubFilter")
        attrs = sorted(a["type"].native for a in sig.signer_info["signed_attrs"])
        status = validate_pdf_signature(sig, context)
        signer = status.signing_cert.subject.human_friendly if status.signing_cert else None
        verdict = (
            f"intact={status.intact} valid={status.valid} trusted={status.trusted} "
            f"bottom_line={status.bottom_line} coverage={status.coverage.name} "
            f"sub_filter={sub_filter} md={status.md_algorithm} "
            f"signed_attrs={','.join(attrs)} signer={signer!r}"
        )
        problems = []
        if sub_filter != "/ETSI.CAdES.detached":
            problems.append("not ETSI.CAdES.detached")
        for required in ("content_type", "message_digest", "signing_certificate_v2"):
            if required not in attrs:
                problems.append(f"no {required}")
        if "signing_time" in attrs:
            problems.append("signing_time present (PAdES puts the time in /M)")
        if not (status.intact and status.valid and status.trusted and status.bottom_line):
            problems.append("not intact, valid and trusted")
        if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
            problems.append("does not cover the entire file")
        if problems:
            print(f"INVALID: {'; '.join(problems)}: {verdict}")
            return 1
        print(f"VALID: {verdict}")
        return 0


if __name__ == "__main__":
    sys.exit(main())
