#!/usr/bin/env bash
# usage: xmlsec_verify.sh UNPACKED_DIR ROOT.pem
# Verifies META-INF/signatures.xml of an unpacked bundle with xmlsec1 against one trust root.
# File references are relative URIs, which xmlsec1 treats as "remote" and resolves from the
# working directory; SignedProperties is found through its Id attribute, which xmlsec1 only
# knows as an ID when told.
set -euo pipefail
cd "$1"
exec xmlsec1 --verify --trusted-pem "$2" \
  --enabled-reference-uris empty,same-doc,remote \
  --id-attr:Id "http://uri.etsi.org/01903/v1.3.2#:SignedProperties" \
  META-INF/signatures.xml
