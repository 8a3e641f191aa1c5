//! Every upstream example parses into the model, and what we write back validates against our
//! XSDs and the upstream XSDs alike.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

#[test]
fn every_reference_example_round_trips_and_validates_against_both_schemas() {
    let Some(reference) = support::reference_with_xmllint(
        "every_reference_example_round_trips_and_validates_against_both_schemas",
    ) else {
        return;
    };
    let files = support::example_files(&reference);
    assert!(
        files.len() >= 21,
        "expected the 21 direct/portal examples, found {}",
        files.len()
    );

    let mut failures = Vec::new();
    for file in &files {
        let original = std::fs::read(file).expect("read example");
        let written = match support::round_trip(&original) {
            Ok(written) => written,
            Err(error) => {
                failures.push(format!("{}: read failed: {error}", file.display()));
                continue;
            }
        };
        for schema in [support::our_schema(), support::upstream_schema(&reference)] {
            let (valid, diagnostics) = support::xmllint(&schema, &written);
            if !valid {
                failures.push(format!(
                    "{} rejected by {}: {diagnostics}",
                    file.display(),
                    schema.display()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!(
        "{} examples round-tripped and validated against both schemas",
        files.len()
    );
}

#[test]
fn every_reference_example_validates_against_our_schema_as_published() {
    let Some(reference) = support::reference_with_xmllint(
        "every_reference_example_validates_against_our_schema_as_published",
    ) else {
        return;
    };
    for file in support::example_files(&reference) {
        let original = std::fs::read(&file).expect("read example");
        let (valid, diagnostics) = support::xmllint(&support::our_schema(), &original);
        assert!(
            valid,
            "{} rejected by our schema: {diagnostics}",
            file.display()
        );
    }
}
