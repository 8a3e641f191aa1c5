#!/usr/bin/env bash
# The peer for `cargo xtask bench`: the same ASiC-E bundle as `signering bundle build`, from the
# same inputs (key, certificate, documents) and with no state kept between runs, made by a
# pipeline of standard tools: openssl reads the certificate facts XAdES needs (SHA-1 digest,
# issuer, serial; bc turns the serial into decimal), xmlsec1 digests the files and signs
# (RSA-SHA256, inclusive C14N, the SignedProperties reference resolved by its Id), zip writes
# the container (stored mimetype first, PDFs stored, manifest and signature deflated).
# Written to be quick: bash builtins wherever they do, one call per tool.
#
# usage: xmlsec1-zip.sh KEY.pem CERT.pem OUT.asice DOCUMENT.pdf...
# Documents must have distinct base names; nothing is left behind but OUT.asice.
set -euo pipefail
absolute() { [[ $1 == /* ]] && printf '%s' "$1" || printf '%s/%s' "$PWD" "$1"; }
key=$(absolute "$1"); cert=$(absolute "$2"); out=$(absolute "$3"); shift 3
docs=(); names=()
for f in "$@"; do docs+=("$(absolute "$f")"); names+=("${f##*/}"); done
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cd "$work"
mkdir META-INF
# Relative reference URIs resolve against the working directory.
ln -s "${docs[@]}" .
printf 'application/vnd.etsi.asic-e+zip' > mimetype

# manifest.xml: the job as Posten's portal manifest describes it.
{
  printf '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
  printf '<portal-signature-job-manifest xmlns="http://signering.posten.no/schema/v1">'
  printf '<signers><signer order="1"><personal-identification-number>24068110048</personal-identification-number>'
  printf '<notifications-using-lookup><email/></notifications-using-lookup></signer></signers>'
  printf '<sender><organization-number>984661185</organization-number></sender>'
  printf '<title>T</title><documents>'
  for b in "${names[@]}"; do
    printf '<document href="%s" mime="application/pdf"><title>%s</title></document>' "$b" "${b%.*}"
  done
  printf '</documents></portal-signature-job-manifest>'
} > manifest.xml

# Certificate facts for SigningCertificate, in one openssl call.
issuer=; serial=; fingerprint=
while IFS= read -r line; do
  case $line in
    issuer=*) issuer=${line#issuer=} ;;
    serial=*) serial=${line#serial=} ;;
    *Fingerprint=*) fingerprint=${line#*Fingerprint=} ;;
  esac
done < <(openssl x509 -in "$cert" -noout -issuer -serial -fingerprint -sha1 -nameopt RFC2253)
issuer=${issuer//&/&amp;}; issuer=${issuer//</&lt;}; issuer=${issuer//>/&gt;}
hex=${fingerprint//:/}
if shopt -q patsub_replacement 2>/dev/null; then escaped=${hex//??/\\x&}  # bash >= 5.2
else escaped=$(sed 's/../\\x&/g' <<< "$hex"); fi
cert_sha1=$(printf '%b' "$escaped" | base64)
serial_dec=$(BC_LINE_LENGTH=0 bc <<< "ibase=16; $serial")
printf -v now '%(%Y-%m-%dT%H:%M:%SZ)T' -1

ds=http://www.w3.org/2000/09/xmldsig#
{
  printf '<?xml version="1.0" encoding="UTF-8" standalone="no"?>'
  printf '<XAdESSignatures xmlns="http://uri.etsi.org/2918/v1.2.1#"><Signature xmlns="%s" Id="Signature"><SignedInfo>' "$ds"
  printf '<CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>'
  printf '<SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>'
  i=0
  for b in "${names[@]}" manifest.xml; do
    printf '<Reference Id="ID_%d" URI="%s"><DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><DigestValue/></Reference>' "$i" "$b"
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
  for b in "${names[@]}" manifest.xml; do
    mime=application/pdf; [[ $b == manifest.xml ]] && mime=application/xml
    printf '<DataObjectFormat ObjectReference="#ID_%d"><MimeType>%s</MimeType></DataObjectFormat>' "$i" "$mime"
    i=$((i + 1))
  done
  printf '</SignedDataObjectProperties></SignedProperties></QualifyingProperties></Object></Signature></XAdESSignatures>'
} > template.xml

xmlsec1 --sign --privkey-pem "$key,$cert" --enabled-reference-uris empty,same-doc,remote \
  --id-attr:Id http://uri.etsi.org/01903/v1.3.2#:SignedProperties \
  --output META-INF/signatures.xml template.xml

# One zip call, entries in this order: -n stores names ending in ".pdf" or "mimetype", the rest
# is deflated at zip's default level (-9 would compress the -n names too).
rm -f "$out"
zip -q -X -n .pdf:mimetype "$out" mimetype "${names[@]}" manifest.xml META-INF/signatures.xml
