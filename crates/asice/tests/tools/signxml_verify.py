"""usage: signxml_verify.py UNPACKED_DIR ROOT.pem REFERENCES

Checks META-INF/signatures.xml of an unpacked bundle with signxml's XMLVerifier and
XAdESVerifier. REFERENCES is the number of ds:Reference elements expected (files + 1).
Exit status 0 only if both accept it.
"""

import pathlib
import sys
from urllib.parse import unquote

from signxml import SignatureConfiguration, XMLVerifier
from signxml.xades import XAdESSignatureConfiguration, XAdESVerifier

base = pathlib.Path(sys.argv[1]).resolve()
root_pem = sys.argv[2]
references = int(sys.argv[3])
document = (base / "META-INF" / "signatures.xml").read_bytes()


def load(uri):
    target = (base / unquote(uri)).resolve()
    if base not in target.parents:
        raise ValueError("reference leaves the container: " + uri)
    return target.read_bytes()


def configured(verifier):
    # Our signature declares default namespaces on ancestors of SignedProperties and SignedInfo;
    # lxml's subtree canonicalization then emits spurious xmlns="" on descendants unless signxml
    # removes them.
    verifier.excise_empty_xmlns_declarations = True
    return verifier


configured(XMLVerifier()).verify(
    document,
    ca_pem_file=root_pem,
    uri_resolver=load,
    expect_config=SignatureConfiguration(expect_references=references),
)
print("XMLVerifier ok")
results = configured(XAdESVerifier()).verify(
    document,
    ca_pem_file=root_pem,
    uri_resolver=load,
    expect_config=XAdESSignatureConfiguration(expect_references=references),
)
props = [r.signed_properties for r in results if hasattr(r, "signed_properties")]
if not props:
    sys.exit("XAdESVerifier returned no signed properties")
print("XAdESVerifier ok")
