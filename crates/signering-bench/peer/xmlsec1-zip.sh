#!/usr/bin/env bash
# The peer for `cargo xtask bench`: the same ASiC-E bundle as `signering bundle build`, made by
# a pipeline of standard tools. openssl reads the certificate facts XAdES needs (SHA-1 digest,
# issuer, serial), xmlsec1 digests the files and signs (RSA-SHA256, inclusive C14N, the
# SignedProperties reference resolved by its Id), zip writes the container (stored mimetype
# first, documents stored, manifest and signature deflated).
#
# usage: xmlsec1-zip.sh KEY.pem CERT.pem OUT.asice DOCUMENT.pdf...
# Documents must have distinct base names; nothing is left behind but OUT.asice.
set -euo pipefail
key=$(realpath "$1"); cert=$(realpath "$2"); out=$(realpath -m "$3"); shift 3
docs=(); for f in "$@"; do docs+=("$(realpath "$f")"); done
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cd "$work"; mkdir META-INF
for f in "${docs[@]}"; do ln -s "$f" "$(basename "$f")"; done
printf 'application/vnd.etsi.asic-e+zip' > mimetype

# manifest.xml: the job as Posten's portal manifest describes it.
{
  printf '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
  printf '<portal-signature-job-manifest xmlns="http://signering.posten.no/schema/v1">'
  printf '<signers><signer order="1"><personal-identification-number>24068110048</personal-identification-number>'
  printf '<notifications-using-lookup><email/></notifications-using-lookup></signer></signers>'
  printf '<sender><organization-number>984661185</organization-number></sender>'
  printf '<title>T</title><documents>'
  for f in "$@"; do
    b=$(basename "$f"); printf '<document href="%s" mime="application/pdf"><title>%s</title></document>' "$b" "${b%.*}"
  done
  printf '</documents></portal-signature-job-manifest>'
} > manifest.xml

# Certificate facts for SigningCertificate: per certificate, not per bundle, so they are
# worked out once and cached (in the peer's favour: only the first run pays for the openssl calls).
facts=${TMPDIR:-/tmp}/xmlsec1-zip-facts-$(sha256sum "$cert" | cut -c1-32)
if [[ ! -s $facts ]]; then
  sha1=$(openssl x509 -in "$cert" -outform DER | openssl dgst -sha1 -binary | base64)
  issuer=$(openssl x509 -in "$cert" -noout -issuer -nameopt RFC2253 | sed 's/^issuer=//')
  hex=$(openssl x509 -in "$cert" -noout -serial | sed 's/^serial=//')
  serial=$(BC_LINE_LENGTH=0 bc <<< "ibase=16; $hex")
  printf '%s\n%s\n%s\n' "$sha1" "$issuer" "$serial" > "$facts.$$" && mv "$facts.$$" "$facts"
fi
{ read -r cert_sha1; read -r issuer; read -r serial_dec; } < "$facts"
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)

ds=http://www.w3.org/2000/09/xmldsig#
{
  printf '<?xml version="1.0" encoding="UTF-8" standalone="no"?>'
  printf '<XAdESSignatures xmlns="http://uri.etsi.org/2918/v1.2.1#"><Signature xmlns="%s" Id="Signature"><SignedInfo>' "$ds"
  printf '<CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>'
  printf '<SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>'
  i=0
  for f in "$@" manifest.xml; do
    printf '<Reference Id="ID_%d" URI="%s"><DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><DigestValue/></Reference>' "$i" "$(basename "$f")"
    i=$((i + 1))
  done
  printf '<Reference Type="http://uri.etsi.org/01903#SignedProperties" URI="#SignedProperties"><Transforms>'
  printf '<Transform Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/></Transforms>'
  printf '<DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><DigestValue/></Reference></SignedInfo>'
  printf '<SignatureValue/><KeyInfo><X509Data/></KeyInfo><Object>'
  printf '<QualifyingProperties xmlns="http://uri.etsi.org/01903/v1.3.2#" xmlns:ns2="%s" Target="#Signature">' "$ds"
  printf '<SignedProperties Id="SignedProperties"><SignedSignatureProperties><SigningTime>%s</SigningTime>' "$now"
  printf '<SigningCertificate><Cert><CertDigest><ns2:DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"/>'
  printf '<ns2:DigestValue>%s</ns2:DigestValue></CertDigest><IssuerSerial><ns2:X509IssuerName>%s</ns2:X509IssuerName>' "$cert_sha1" "$issuer"
  printf '<ns2:X509SerialNumber>%s</ns2:X509SerialNumber></IssuerSerial></Cert></SigningCertificate></SignedSignatureProperties>' "$serial_dec"
  printf '<SignedDataObjectProperties>'
  i=0
  for f in "$@" manifest.xml; do
    mime=application/pdf; [[ $f == manifest.xml ]] && mime=application/xml
    printf '<DataObjectFormat ObjectReference="#ID_%d"><MimeType>%s</MimeType></DataObjectFormat>' "$i" "$mime"
    i=$((i + 1))
  done
  printf '</SignedDataObjectProperties></SignedProperties></QualifyingProperties></Object></Signature></XAdESSignatures>'
} > template.xml

xmlsec1 --sign --privkey-pem "$key,$cert" --enabled-reference-uris empty,same-doc,remote \
  --id-attr:Id http://uri.etsi.org/01903/v1.3.2#:SignedProperties \
  --output META-INF/signatures.xml template.xml

rm -f "$out"
zip -q -X -0 "$out" mimetype
zip -q -X -0 "$out" "${@##*/}"
zip -q -X -9 "$out" manifest.xml META-INF/signatures.xml
