//! Hostile or broken input is refused with a clear error, before any entity expansion and within
//! explicit bounds; error texts never carry a personal identification number.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use signature_model::{Error, ReadOptions, from_xml, from_xml_with, posten};

type Response = posten::PortalSignatureJobResponse;

const VALID: &str = r#"<portal-signature-job-response xmlns="http://signering.posten.no/schema/v1">
    <signature-job-id>1</signature-job-id>
    <cancellation-url>https://example.test/1/cancel</cancellation-url>
</portal-signature-job-response>"#;

#[test]
fn the_valid_baseline_reads() {
    assert!(from_xml::<Response>(VALID.as_bytes()).is_ok());
}

/// Any DOCTYPE is refused before anything in it is expanded: entity bombs, external
/// entities, and a bare declaration alike.
#[test]
fn doctype_declarations_are_refused_before_expansion() {
    let billion_laughs = format!(
        r#"<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
{}"#,
        VALID.replace("<signature-job-id>1", "<signature-job-id>&lol3;")
    );
    let external_entity = format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE r [ <!ENTITY xxe SYSTEM \"file:///etc/passwd\"> ]>\n{}",
        VALID.replace("https://example.test/1/cancel", "&xxe;")
    );
    let any_doctype = format!("<!DOCTYPE portal-signature-job-response>\n{VALID}");
    for (case, xml) in [
        ("billion laughs", billion_laughs),
        ("external entity", external_entity),
        ("any doctype", any_doctype),
    ] {
        let result = from_xml::<Response>(xml.as_bytes());
        assert_eq!(result, Err(Error::DoctypeForbidden), "case {case}");
        // The same refusal for each, so the text naming the DOCTYPE holds for each.
        let error = result.unwrap_err();
        assert!(
            error.to_string().contains("DOCTYPE"),
            "case {case}: {error}"
        );
    }
}

#[test]
fn documents_over_one_mebibyte_are_refused_by_default() {
    let padding = " ".repeat(1024 * 1024);
    let xml = VALID.replace(
        "</portal-signature-job-response>",
        &format!("{padding}</portal-signature-job-response>"),
    );
    match from_xml::<Response>(xml.as_bytes()) {
        Err(Error::TooLarge { limit, actual }) => {
            assert_eq!(limit, 1024 * 1024);
            assert_eq!(actual, xml.len());
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
    // Just under the bound is fine.
    let fits = VALID.replace(
        "</portal-signature-job-response>",
        &format!(
            "{}</portal-signature-job-response>",
            " ".repeat(1024 * 1024 - VALID.len())
        ),
    );
    assert_eq!(fits.len(), 1024 * 1024);
    assert!(from_xml::<Response>(fits.as_bytes()).is_ok());
}

#[test]
fn the_size_bound_is_configurable() {
    let options = ReadOptions::default().max_bytes(100);
    assert!(matches!(
        from_xml_with::<Response>(VALID.as_bytes(), &options),
        Err(Error::TooLarge { limit: 100, .. })
    ));
}

#[test]
fn deep_nesting_is_refused_even_inside_unknown_elements() {
    let open = "<x>".repeat(100);
    let close = "</x>".repeat(100);
    let xml = VALID.replace(
        "<signature-job-id>",
        &format!("{open}{close}<signature-job-id>"),
    );
    assert_eq!(
        from_xml::<Response>(xml.as_bytes()),
        Err(Error::TooDeep { limit: 32 })
    );
}

#[test]
fn wrong_root_element_is_named() {
    let xml = VALID.replace(
        "portal-signature-job-response",
        "direct-signature-job-response",
    );
    match from_xml::<Response>(xml.as_bytes()) {
        Err(Error::UnexpectedRoot { expected, found }) => {
            assert_eq!(expected, "portal-signature-job-response");
            assert_eq!(
                found,
                "{http://signering.posten.no/schema/v1}direct-signature-job-response"
            );
        }
        other => panic!("expected UnexpectedRoot, got {other:?}"),
    }
}

#[test]
fn right_name_in_the_wrong_namespace_is_refused() {
    let xml = VALID.replace("http://signering.posten.no/schema/v1", "urn:example:other");
    assert!(matches!(
        from_xml::<Response>(xml.as_bytes()),
        Err(Error::UnexpectedRoot { .. })
    ));
}

#[test]
fn empty_and_non_xml_input_is_refused() {
    assert!(matches!(
        from_xml::<Response>(b""),
        Err(Error::UnexpectedRoot { .. })
    ));
    assert!(matches!(
        from_xml::<Response>(b"<html><body>502 Bad Gateway</body></html>"),
        Err(Error::UnexpectedRoot { .. })
    ));
    assert!(from_xml::<Response>(b"\xff\xfe\x00garbage").is_err());
}

#[test]
fn malformed_xml_is_refused() {
    let xml = VALID.replace("</signature-job-id>", "</signature-job>");
    assert!(matches!(
        from_xml::<Response>(xml.as_bytes()),
        Err(Error::Malformed(_))
    ));
}

#[test]
fn missing_required_element_is_invalid() {
    let xml = VALID.replace(
        "<cancellation-url>https://example.test/1/cancel</cancellation-url>",
        "",
    );
    match from_xml::<Response>(xml.as_bytes()) {
        Err(Error::Invalid { root, .. }) => assert_eq!(root, "portal-signature-job-response"),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

/// Neither the error's text nor its debug form shows `pin`.
fn assert_hides(error: &Error, pin: &str) {
    assert!(!error.to_string().contains(pin), "{error}");
    assert!(!format!("{error:?}").contains(pin), "{error:?}");
}

/// No run of eleven digits (the length of an identity number) stands in `shown`.
fn assert_no_eleven_digit_run(shown: &str) {
    let mut run = 0;
    for c in shown.chars() {
        run = if c.is_ascii_digit() { run + 1 } else { 0 };
        assert!(run < 11, "eleven-digit run in {shown:?}");
    }
}

#[test]
fn errors_never_show_a_personal_identification_number() {
    let pin = "01017000056";
    // An invalid manifest (no sender) that carries a PIN.
    let xml = format!(
        r#"<direct-signature-job-manifest xmlns="http://signering.posten.no/schema/v1">
    <signer><personal-identification-number>{pin}</personal-identification-number></signer>
    <title>t</title>
</direct-signature-job-manifest>"#
    );
    let error = from_xml::<posten::DirectSignatureJobManifest>(xml.as_bytes()).unwrap_err();
    assert_hides(&error, pin);

    // A non-numeric job id next to a PIN-shaped value.
    let xml = VALID.replace(
        "<signature-job-id>1</signature-job-id>",
        &format!("<signature-job-id>x{pin}</signature-job-id>"),
    );
    let error = from_xml::<Response>(xml.as_bytes()).unwrap_err();
    assert_hides(&error, pin);
}

#[test]
fn root_name_running_into_content_does_not_show_an_identity_number() {
    // Found by the `posten_xml` fuzz target: NUL bytes inside the root's name made the
    // reported name run on into the document, personal identification number included.
    let xml = b"<direct-signer-r\x00\x00\x00\x00\x00al2\"><personal-identification-number>15038512345</personal-identification-number><notifications-using-lookup><email/></notifications-using-les0onse xmlse xmlns=\"ht\xf4p://siga/v1\" href=\"https://api.example.test/signers/1\"><signer-identifier>kunde-1\x0f\x00\x00\x00\x00\x00\x00\x00ns=\"ht\xf4p://siga/v1\" h\xff\xff\x10\x00\"https://api.exampl>15038512345</pe\">gs<iner-identifieirect-signer-response>";
    let error = from_xml::<posten::DirectSignerResponse>(xml).unwrap_err();
    assert!(matches!(error, Error::UnexpectedRoot { .. }), "{error:?}");
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains("15038512345"), "{shown}");
}

#[test]
fn nul_between_digit_runs_does_not_join_them_into_an_identity_number() {
    // Found by the `posten_xml` fuzz target: the masker used NUL as its end sentinel and
    // dropped NULs from the text, so digit runs on both sides joined into eleven digits.
    let xml = b"<portal-signature-job-respo~se xmlns=\"http://signering.00000000\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00000000 000000000001355789088de-1</signer-identifiegnerso1\"><signer-ide?nti/fi<signature-job-id>18</signature-job-id><reference>r</reference</error-messt\x01\x11\x00\x00errorature-job-response>";
    let error = from_xml::<posten::PortalSignatureJobResponse>(xml).unwrap_err();
    let shown = error.to_string();
    assert_no_eleven_digit_run(&shown);
}

#[test]
fn debug_escape_of_nul_does_not_complete_an_identity_number() {
    // Found by the `posten_xml` fuzz target: `{found:?}` wrote a NUL as `\0`, whose `0`
    // joined ten digits into eleven in the error text.
    let xml = b"<direct-signature-job-status-r\x02<direct-signature-job-status-response xmlns=\"http://siexam4444444K\x02\x00\x00\x00\x00\x00\x004444444444\x00</signature-job-idi.example.tesz/dicert/.test/direct//2</redire.t-url></sie>4444444444444444444444444ple.test\xff\xff\xff\x09/signers/5555555555555555direct-signature-job-manifest/signer/personal-identif5555555555555555444444444444444444444444444555555444444444444444444444444444444444444444444444445~55555555555555555555555@/44444444444444444redire.t4445~55555555555555555555555@/direct-seue>future>\x00\x00\x00\x00\x00\x00\x00K\x00\x00ure>\x05<err\x00\x00\x00uor xe-job-status-r\x02<direbt-\xff\xff\xff\xff\xff\xff\xff\x01signat</u55555555551\"><signer-identifier>kunde-1</signer-identifier><re555555@/direct-44444seue>future>\x00\x00\x00\x00\x00\x00\x00K\x00\x00ure>\x05<err\x00\x00\x00uor xe-job-status-r\x02<direct-\xff\xff\xff\xff\xff\xff\xff\x01signat</u5555555ng.pos";
    let error = from_xml::<posten::DirectSignatureJobStatusResponse>(xml).unwrap_err();
    let shown = format!("{error} {error:?}");
    assert_no_eleven_digit_run(&shown);
}

/// Fuzz target posten_xml: an `error` document whose text held `]]>` (and C0 controls) was
/// read, but `to_xml` refused to write it back. Such text is not well-formed XML 1.0, so the
/// reader now refuses it, raw or as a character reference, and what it reads writes back.
#[test]
fn text_xml_does_not_allow_is_refused() {
    let with_text = |text: &str| {
        VALID.replace(
            "https://example.test/1/cancel",
            &format!("https://x/{text}"),
        )
    };
    for (case, text) in [
        ("literal ]]>", "a]]>b"),
        ("NUL", "a\u{0}b"),
        ("C0 control", "a\u{4}b"),
        ("character reference to a C0 control", "a&#x4;b"),
        ("character reference to NUL", "a&#0;b"),
        ("U+FFFF", "a\u{FFFF}b"),
    ] {
        let result = from_xml::<Response>(with_text(text).as_bytes());
        assert!(
            matches!(result, Err(Error::Malformed(_))),
            "{case}: expected Malformed, got {result:?}"
        );
    }
    // Tab, line feed and `]]` without `>` stay allowed, and write back.
    for text in ["a\tb", "a\nb", "a]]b"] {
        let value = from_xml::<Response>(with_text(text).as_bytes()).unwrap();
        let written = signature_model::to_xml(&value).unwrap();
        assert_eq!(from_xml::<Response>(&written).unwrap(), value, "{text}");
    }
}

/// An escaped `]]&gt;` is well-formed and reads as `]]>`; the generated writer
/// (xsd-parser-types) refuses to write `]]>` in text, so `to_xml` answers with a typed
/// `Write` error instead of producing broken XML.
#[test]
fn escaped_cdata_end_reads_but_the_writer_refuses_it_with_an_error() {
    let xml = VALID.replace("https://example.test/1/cancel", "https://x/a]]&gt;b");
    let value = from_xml::<Response>(xml.as_bytes()).unwrap();
    assert_eq!(value.cancellation_url, "https://x/a]]>b");
    assert!(matches!(
        signature_model::to_xml(&value),
        Err(Error::Write { .. })
    ));
}

#[test]
fn the_fuzzer_input_with_control_characters_and_cdata_end_is_refused() {
    let xml = "<error xmlns=\"http://signering.posten.no/schema/v1\"><error-code>BROKER_NOT_AUTHORIZED</error-code>\
<error-message>\u{0}\u{0}\u{0}0Not allowed</error-message><error-type>CLIEG>>]]>GG\u{4}\u{0}\u{1}GG</error-type></error>";
    assert!(matches!(
        from_xml::<posten::Error>(xml.as_bytes()),
        Err(Error::Malformed(_))
    ));
}
