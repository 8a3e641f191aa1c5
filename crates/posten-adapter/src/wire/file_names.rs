use std::collections::HashSet;

use signature_core::SigningJob;

/// The name each document gets inside the bundle and in the manifest's `href`.
///
/// Bundle file names double as signature reference URIs, so they are kept to the alphabet every
/// receiver decodes the same way (`[0-9A-Za-z._-]`, see [`asice::check_file_name`]). A job's
/// own file name is used when it already fits; otherwise it is reduced with
/// [`asice::safe_file_name`] (`Avtale om lån.pdf` → `avtale_om_laan.pdf`). A reduced name that
/// collides with an earlier one, or reduces to nothing usable, gets a position prefix.
pub fn bundle_file_names(job: &SigningJob) -> Vec<String> {
    let mut taken: HashSet<String> = HashSet::from(["manifest.xml".to_owned()]);
    job.documents()
        .iter()
        .enumerate()
        .map(|(index, document)| {
            let original = document.file_name();
            let mut name = match asice::check_file_name(original) {
                Ok(()) => original.to_owned(),
                Err(_) => asice::safe_file_name(original)
                    .ok()
                    .filter(|n| n.len() >= 4 && n.contains('.'))
                    .unwrap_or_else(|| {
                        format!("document.{}", extension(document.media_type().as_str()))
                    }),
            };
            if taken.contains(&name.to_ascii_lowercase()) {
                name = format!("{:02}_{name}", index + 1);
            }
            taken.insert(name.to_ascii_lowercase());
            name
        })
        .collect()
}

fn extension(media_type: &str) -> &'static str {
    if media_type == "text/plain" {
        "txt"
    } else {
        "pdf"
    }
}

#[cfg(test)]
mod tests {
    use signature_core::{Document, LookupNotifications, Signer, SigningJob};

    use super::bundle_file_names;

    fn job(names: &[&str]) -> SigningJob {
        let mut builder = SigningJob::builder("t");
        for name in names {
            builder = builder.document(Document::pdf("d", *name, b"%PDF".to_vec()));
        }
        builder
            .signer(
                Signer::with_personal_identification_number("01017010170")
                    .notify_through_lookup(LookupNotifications::EmailOnly),
            )
            .build()
            .unwrap()
    }

    #[test]
    fn safe_names_are_kept_and_others_reduced() {
        assert_eq!(
            bundle_file_names(&job(&["contract.pdf", "Avtale om lån.pdf", "+++.pdf"])),
            ["contract.pdf", "avtale_om_laan.pdf", "document.pdf"]
        );
    }

    #[test]
    fn reduced_names_that_collide_get_a_position_prefix() {
        assert_eq!(
            bundle_file_names(&job(&["a b.pdf", "a_b.pdf", "A  B.pdf"])),
            ["a_b.pdf", "02_a_b.pdf", "03_a_b.pdf"]
        );
    }
}
