//! Keys on a PKCS#11 token (SoftHSM2), imported sensitive and not extractable: bundles signed
//! on the token pass xmlsec1, signxml and our verifier, and every failure has its own error.
//! Each test runs in a child process with its own token directory (see
//! `signering_testkit::softhsm::with_token`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use asice::{
    BuildOptions, BundleFile, Error, KeySigner, LoadOptions, Pin, Pkcs11Error, Pkcs11Key,
    Pkcs11Options, SignatureScheme, SigningKey, SystemClock, VerifyOptions, build, verify,
};
use signering_testkit::softhsm::{
    KEY_ID, KEY_LABEL, PIN, SoftHsm, TOKEN, TOKEN_WITHOUT_CERTIFICATES, with_token,
};
use support::tools::{check, tools};

fn options(hsm: &SoftHsm, token: &str) -> Pkcs11Options {
    Pkcs11Options::new(&hsm.module, token, Pin::new(PIN)).key_label(KEY_LABEL)
}

fn signed_bundle(key: &SigningKey) -> Vec<u8> {
    let pdf = b"%PDF-1.7\nkontrakt\n".to_vec();
    let manifest = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><manifest xmlns=\"urn:test\"/>";
    build(
        &[
            BundleFile::new("kontrakt.pdf", &pdf, "application/pdf"),
            BundleFile::new("manifest.xml", manifest, "application/xml"),
        ],
        key,
        &SystemClock,
        &BuildOptions::default(),
    )
    .expect("build on the token")
}

fn assert_accepted(zip: &[u8], hsm: &SoftHsm) {
    let mut o = VerifyOptions::default();
    o.add_trust_roots_pem(hsm.root_pem.as_bytes()).unwrap();
    verify(zip, &o).expect("our verifier");
    if let Some(t) = tools() {
        let v = check(&t, zip, &hsm.root_pem);
        assert!(v.both_accept(), "{v:?}");
    }
}

#[test]
fn a_sensitive_key_signs_a_bundle_that_every_verifier_accepts() {
    with_token(
        "a_sensitive_key_signs_a_bundle_that_every_verifier_accepts",
        |hsm| {
            // Chain from the token's certificate objects.
            let key = SigningKey::from_pkcs11(&options(hsm, TOKEN), None, &LoadOptions::default())
                .expect("key on the token");
            assert!(
                key.subject().contains("Testvirksomhet"),
                "{}",
                key.subject()
            );
            assert_eq!(
                key.certificate_chain().count(),
                3,
                "leaf, intermediate, root"
            );
            assert!(matches!(
                key.private_key_pkcs8_der(),
                Err(Error::KeyNotExtractable)
            ));
            assert!(!format!("{key:?}").contains(PIN));
            assert_accepted(&signed_bundle(&key), hsm);

            // Chain from a PEM file, key chosen by id, on the token without certificates.
            let by_id = Pkcs11Options::new(&hsm.module, TOKEN_WITHOUT_CERTIFICATES, Pin::new(PIN))
                .key_id(KEY_ID);
            let key = SigningKey::from_pkcs11(
                &by_id,
                Some(hsm.chain_pem.as_bytes()),
                &LoadOptions::default(),
            )
            .expect("key with PEM chain");
            assert_accepted(&signed_bundle(&key), hsm);
        },
    );
}

#[test]
fn the_token_signs_pkcs1_and_pss_digests_that_verify() {
    with_token("the_token_signs_pkcs1_and_pss_digests_that_verify", |hsm| {
        let key = Pkcs11Key::open(&options(hsm, TOKEN), None).unwrap();
        let schemes = key.schemes();
        for scheme in SignatureScheme::ALL {
            assert!(schemes.contains(&scheme), "SoftHSM2 offers {scheme}");
        }
        let key = SigningKey::from_signer(key, &LoadOptions::default()).unwrap();
        let leaf = key.certificate_chain().next().unwrap().to_vec();
        let cert = rsa_public_key(&leaf);
        for scheme in SignatureScheme::ALL {
            let message = b"TLS 1.3, client CertificateVerify";
            let signature = key.sign_digest(scheme, &scheme.digest(message)).unwrap();
            let params: &dyn aws_lc_rs::signature::VerificationAlgorithm = match scheme {
                SignatureScheme::RsaPkcs1Sha256 => {
                    &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256
                }
                SignatureScheme::RsaPkcs1Sha384 => {
                    &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA384
                }
                SignatureScheme::RsaPkcs1Sha512 => {
                    &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA512
                }
                SignatureScheme::RsaPssSha256 => &aws_lc_rs::signature::RSA_PSS_2048_8192_SHA256,
                SignatureScheme::RsaPssSha384 => &aws_lc_rs::signature::RSA_PSS_2048_8192_SHA384,
                SignatureScheme::RsaPssSha512 => &aws_lc_rs::signature::RSA_PSS_2048_8192_SHA512,
                _ => unreachable!("new scheme"),
            };
            aws_lc_rs::signature::UnparsedPublicKey::new(params, &cert)
                .verify(message, &signature)
                .unwrap_or_else(|_| panic!("{scheme} signature from the token verifies"));
        }
        let e = key
            .sign_digest(SignatureScheme::RsaPssSha256, &[0; 20])
            .unwrap_err();
        assert!(matches!(e, Error::DigestLength { .. }), "{e}");
    });
}

/// The RSAPublicKey inside the leaf's SubjectPublicKeyInfo (the signature check needs only
/// that): the BIT STRING's content after its unused-bits byte.
fn rsa_public_key(der: &[u8]) -> Vec<u8> {
    use der::Decode;
    let cert = x509_cert::Certificate::from_der(der).unwrap();
    cert.tbs_certificate
        .subject_public_key_info
        .subject_public_key
        .raw_bytes()
        .to_vec()
}

#[test]
fn the_key_value_cannot_be_read_from_the_token() {
    with_token("the_key_value_cannot_be_read_from_the_token", |hsm| {
        use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
        use cryptoki::object::{Attribute, AttributeType, ObjectClass};
        use cryptoki::session::UserType;
        let ctx = Pkcs11::new(&hsm.module).unwrap();
        ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
            .unwrap();
        let slot = ctx
            .get_slots_with_token()
            .unwrap()
            .into_iter()
            .find(|s| ctx.get_token_info(*s).unwrap().label() == TOKEN)
            .unwrap();
        let session = ctx.open_ro_session(slot).unwrap();
        session
            .login(UserType::User, Some(&PIN.to_owned().into()))
            .unwrap();
        let key = session
            .find_objects(&[
                Attribute::Class(ObjectClass::PRIVATE_KEY),
                Attribute::Label(KEY_LABEL.as_bytes().to_vec()),
            ])
            .unwrap()[0];
        let flags = session
            .get_attributes(key, &[AttributeType::Sensitive, AttributeType::Extractable])
            .unwrap();
        assert!(flags.contains(&Attribute::Sensitive(true)), "{flags:?}");
        assert!(flags.contains(&Attribute::Extractable(false)), "{flags:?}");
        let secret = session.get_attributes(key, &[AttributeType::PrivateExponent]);
        assert!(
            !matches!(secret.as_deref(), Ok([Attribute::PrivateExponent(_)])),
            "the private exponent must not be readable"
        );
    });
}

#[test]
fn failures_are_typed_and_name_what_is_wrong() {
    with_token("failures_are_typed_and_name_what_is_wrong", |hsm| {
        let open = |o: Pkcs11Options, chain: Option<&[u8]>| {
            SigningKey::from_pkcs11(&o, chain, &LoadOptions::default()).unwrap_err()
        };
        let e = open(options(hsm, "no-such-token"), None);
        assert!(
            matches!(&e, Error::Pkcs11(Pkcs11Error::TokenNotFound { available, .. }) if available.contains(&TOKEN.to_owned())),
            "{e}"
        );
        let e = open(
            Pkcs11Options::new(&hsm.module, TOKEN, Pin::new(PIN)).key_label("nope"),
            None,
        );
        assert!(
            matches!(&e, Error::Pkcs11(Pkcs11Error::KeyNotFound { available, .. }) if available.contains(&KEY_LABEL.to_owned())),
            "{e}"
        );
        let e = open(
            Pkcs11Options::new(&hsm.module, TOKEN, Pin::new("0000")).key_label(KEY_LABEL),
            None,
        );
        assert!(
            matches!(e, Error::Pkcs11(Pkcs11Error::PinIncorrect { .. })),
            "{e}"
        );
        assert!(!e.to_string().contains("0000"), "{e}");
        let e = open(options(hsm, TOKEN_WITHOUT_CERTIFICATES), None);
        assert!(
            matches!(e, Error::Pkcs11(Pkcs11Error::NoCertificate { .. })),
            "{e}"
        );
        // Someone else's certificate for the key on the token.
        let other = support::pki::make_pki(false, &Default::default());
        let e = open(options(hsm, TOKEN), Some(other.chain_pem.as_bytes()));
        assert!(matches!(e, Error::KeyCertificateMismatch(_)), "{e}");
    });
}
