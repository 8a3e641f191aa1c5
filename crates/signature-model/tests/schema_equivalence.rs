//! Our XSDs keep every restriction of the wire format: each mutation below breaks one rule of the
//! service's schema, and our schema must reject it just as the upstream schema does.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use std::path::Path;

/// (example file, text to replace, replacement, what the mutation breaks)
const MUTATIONS: &[(&str, &str, &str, &str)] = &[
    (
        "portal/manifest.xml",
        "<title>Required job title</title>",
        "<title>TITLE81</title>",
        "title over 80",
    ),
    (
        "portal/manifest.xml",
        "<title>Required job title</title>",
        "<title></title>",
        "empty title",
    ),
    (
        "portal/manifest.xml",
        "<nonsensitive-title>Optional non-sensitive job title</nonsensitive-title>",
        "<nonsensitive-title>TITLE81</nonsensitive-title>",
        "non-sensitive title over 80",
    ),
    (
        "direct/manifest-signer-without-pin.xml",
        "<description>Melding til undertegner</description>",
        "<description>DESC221</description>",
        "description over 220",
    ),
    (
        "portal/request.xml",
        "<reference>123-ABC</reference>",
        "<reference>REF51</reference>",
        "reference over 50",
    ),
    (
        "portal/manifest.xml",
        "<personal-identification-number>12345678910</personal-identification-number>",
        "<personal-identification-number>1234567891</personal-identification-number>",
        "PIN of 10 digits",
    ),
    (
        "portal/manifest.xml",
        "<personal-identification-number>12345678910</personal-identification-number>",
        "<personal-identification-number>1234567891a</personal-identification-number>",
        "PIN with a letter",
    ),
    (
        "portal/manifest.xml",
        "<organization-number>123456789</organization-number>",
        "<organization-number>12345678</organization-number>",
        "org number of 8 digits",
    ),
    (
        "portal/manifest.xml",
        "<signer order=\"1\">",
        "<signer order=\"10\">",
        "order above 9",
    ),
    (
        "portal/manifest.xml",
        "<signer order=\"1\">",
        "<signer order=\"-1\">",
        "negative order",
    ),
    (
        "portal/manifest.xml",
        "href=\"document.pdf\"",
        "href=\"a.p\"",
        "href under 4",
    ),
    (
        "portal/manifest.xml",
        "href=\"document.pdf\"",
        "href=\"HREF101\"",
        "href over 100",
    ),
    (
        "portal/manifest.xml",
        "mime=\"application/pdf\"",
        "mime=\"\"",
        "empty mime",
    ),
    (
        "portal/manifest-specify-signtype-and-auth.xml",
        "<signature-type>ADVANCED_ELECTRONIC_SIGNATURE</signature-type>",
        "<signature-type>QUALIFIED</signature-type>",
        "unknown signature type",
    ),
    (
        "portal/manifest-specify-on-behalf-of.xml",
        "<on-behalf-of>SELF</on-behalf-of>",
        "<on-behalf-of>BOTH</on-behalf-of>",
        "unknown on-behalf-of",
    ),
    (
        "portal/manifest-specify-signtype-and-auth.xml",
        "<required-authentication>4</required-authentication>",
        "<required-authentication>2</required-authentication>",
        "authentication level 2",
    ),
    (
        "portal/manifest.xml",
        "<identifier-in-signed-documents>PERSONAL_IDENTIFICATION_NUMBER_AND_NAME</identifier-in-signed-documents>",
        "<identifier-in-signed-documents>EMAIL</identifier-in-signed-documents>",
        "unknown identifier kind",
    ),
    (
        "portal/manifest.xml",
        "<available-seconds>864000</available-seconds>",
        "<available-seconds>-1</available-seconds>",
        "negative availability",
    ),
    (
        "portal/manifest.xml",
        "<activation-time>2016-02-10T12:00:00+01:00</activation-time>",
        "<activation-time>tomorrow</activation-time>",
        "activation time not a date-time",
    ),
    (
        "direct/manifest-signer-without-pin.xml",
        "<signer-identifier>Test Testesen 1234 test.testesen@example.com kundenr: 1337</signer-identifier>",
        "<signer-identifier>ID81</signer-identifier>",
        "custom identifier over 80",
    ),
    (
        "direct/manifest-signer-without-pin.xml",
        "<signer-identifier>Test Testesen 1234 test.testesen@example.com kundenr: 1337</signer-identifier>",
        "<signer-identifier></signer-identifier>",
        "empty custom identifier",
    ),
    (
        "direct/request.xml",
        "<completion-url>https://www.sender.org/completed</completion-url>",
        "<completion-url>URL501</completion-url>",
        "URL over 500",
    ),
    (
        "direct/request.xml",
        "</exit-urls>",
        "</exit-urls><status-retrieval-method>PUSH</status-retrieval-method>",
        "unknown status retrieval method",
    ),
    (
        "direct/request.xml",
        "<error-url>https://www.sender.org/failed</error-url>",
        "",
        "missing error URL",
    ),
    (
        "direct/status-response.xml",
        "<signature-job-status>COMPLETED_SUCCESSFULLY</signature-job-status>",
        "<signature-job-status>DONE</signature-job-status>",
        "unknown job status",
    ),
    (
        "direct/status-response.xml",
        "<status since=\"2017-01-23T12:51:43+01:00\">SIGNED</status>",
        "<status>SIGNED</status>",
        "signer status without since",
    ),
    (
        "direct/status-response.xml",
        "<signature-job-id>1</signature-job-id>",
        "<signature-job-id>one</signature-job-id>",
        "job id not a number",
    ),
    (
        "portal/manifest.xml",
        "<sender>\n        <organization-number>123456789</organization-number>\n    </sender>",
        "",
        "missing sender",
    ),
    (
        "portal/manifest.xml",
        "<notifications>\n                <email address=\"signer2@example.com\" />\n            </notifications>",
        "<notifications/>",
        "empty notifications",
    ),
    (
        "portal/manifest.xml",
        "<email address=\"signer2@example.com\" />",
        "<email/>",
        "email without address",
    ),
    (
        "portal/manifest.xml",
        "<notifications-using-lookup>\n                <email/>\n            </notifications-using-lookup>",
        "<notifications-using-lookup><sms/></notifications-using-lookup>",
        "lookup without email",
    ),
    (
        "portal/manifest.xml",
        "<documents>",
        "<document href=\"legacy.pdf\" mime=\"application/pdf\"><title>t</title></document><documents>",
        "legacy and current form together",
    ),
    (
        "portal/manifest.xml",
        "<signers>",
        "<signers>SIGNERS10",
        "11 signers",
    ),
    (
        "portal/manifest.xml",
        "<documents>",
        "<documents>DOCUMENTS20",
        "21 documents",
    ),
    (
        "direct/multiple_signers/status-response.xml",
        "<pades-url>",
        "XADES9<pades-url>",
        "11 XAdES URLs",
    ),
    (
        "portal/response.xml",
        "<cancellation-url>",
        "<cancellation-url>X</cancellation-url><cancellation-url>",
        "two cancellation URLs",
    ),
    (
        "direct/signer-update-request.xml",
        "<redirect-url />",
        "<redirect-url>now</redirect-url>",
        "text in an empty-only element",
    ),
];

fn expand(text: &str) -> String {
    let signer = "<signer><personal-identification-number>01013300001</personal-identification-number><notifications-using-lookup><email/></notifications-using-lookup></signer>";
    let document =
        "<document href=\"extra.pdf\" mime=\"application/pdf\"><title>Extra</title></document>";
    let xades = "<xades-url signer=\"x\">https://example.test/x</xades-url>";
    text.replace("TITLE81", &"t".repeat(81))
        .replace("DESC221", &"d".repeat(221))
        .replace("REF51", &"r".repeat(51))
        .replace("HREF101", &format!("{}.pdf", "h".repeat(97)))
        .replace("ID81", &"i".repeat(81))
        .replace("URL501", &format!("https://e.test/{}", "u".repeat(486)))
        .replace("SIGNERS10", &signer.repeat(10))
        .replace("DOCUMENTS20", &document.repeat(20))
        .replace("XADES9", &xades.repeat(9))
}

#[test]
fn our_schema_rejects_what_the_upstream_schema_rejects() {
    let Some(reference) =
        support::reference_with_xmllint("our_schema_rejects_what_the_upstream_schema_rejects")
    else {
        return;
    };
    let ours = support::our_schema();
    let upstream = support::upstream_schema(&reference);
    let mut problems = Vec::new();
    for (file, from, to, rule) in MUTATIONS {
        let path = reference.join("schema/examples").join(Path::new(file));
        let original = std::fs::read_to_string(&path).expect("read example");
        assert!(
            original.contains(from),
            "mutation '{rule}': {file} does not contain the text to replace"
        );
        let mutated = original.replacen(from, &expand(to), 1);
        let (upstream_ok, _) = support::xmllint(&upstream, mutated.as_bytes());
        let (ours_ok, _) = support::xmllint(&ours, mutated.as_bytes());
        if upstream_ok {
            problems.push(format!(
                "'{rule}': the upstream schema accepts it, so the mutation proves nothing"
            ));
        }
        if ours_ok {
            problems.push(format!(
                "'{rule}': our schema accepts what breaks the wire format"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    eprintln!("{} mutations rejected by both schemas", MUTATIONS.len());
}

#[test]
fn boundary_values_are_accepted_by_both_schemas() {
    let Some(reference) =
        support::reference_with_xmllint("boundary_values_are_accepted_by_both_schemas")
    else {
        return;
    };
    let accepted: &[(&str, &str, String)] = &[
        ("portal/manifest.xml", "<title>Required job title</title>", format!("<title>{}</title>", "æ".repeat(80))),
        ("portal/request.xml", "<reference>123-ABC</reference>", format!("<reference>{}</reference>", "ø".repeat(50))),
        ("portal/manifest.xml", "<signer order=\"1\">", "<signer order=\"9\">".to_owned()),
        ("portal/manifest.xml", "<signer order=\"1\">", "<signer order=\"0\">".to_owned()),
        ("portal/manifest.xml", "<signers>", format!("<signers>{}", "<signer><personal-identification-number>01013300001</personal-identification-number><notifications-using-lookup><email/></notifications-using-lookup></signer>".repeat(6))),
    ];
    for (file, from, to) in accepted {
        let original = std::fs::read_to_string(reference.join("schema/examples").join(file))
            .expect("read example");
        let mutated = original.replacen(from, to, 1);
        for schema in [support::our_schema(), support::upstream_schema(&reference)] {
            let (ok, diagnostics) = support::xmllint(&schema, mutated.as_bytes());
            assert!(
                ok,
                "{file} with {to:.40}: rejected by {}: {diagnostics}",
                schema.display()
            );
        }
    }
}
