//! signature-core's input validators and the identity-number masker, and asice's file-name
//! rules, on arbitrary text.
//!
//! Checked: no panic; a valid personal identification number is eleven ASCII digits whose
//! `Debug`/`Display` do not show it whole; no error text and no masked text holds an
//! eleven-digit run; `safe_file_name` only returns names `check_file_name` accepts.
#![no_main]

use libfuzzer_sys::fuzz_target;
use signature_core::{
    CustomIdentifier, EmailAddress, MediaType, MobileNumber, OrganizationNumber,
    PersonalIdentificationNumber, PollingQueue, mask_identity_numbers, shows_identity_number,
};

fn no_pin_in<E: std::fmt::Display + std::fmt::Debug>(what: &str, error: &E) {
    let shown = format!("{error} {error:?}");
    assert!(!shows_identity_number(&shown), "{what} error shows an eleven-digit run: {shown}");
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();

    match PersonalIdentificationNumber::parse(text) {
        Ok(pin) => {
            assert_eq!(pin.reveal(), text);
            assert!(pin.reveal().len() == 11 && pin.reveal().bytes().all(|b| b.is_ascii_digit()));
            let _ = (pin.kind(), pin.birth_date(), pin.date_digits());
            let shown = format!("{pin} {pin:?}");
            assert!(!shown.contains(pin.reveal()), "PIN shown whole: {shown}");
        }
        Err(error) => no_pin_in("PIN", &error),
    }
    match OrganizationNumber::parse(text) {
        Ok(org) => assert_eq!(org.as_str().len(), 9),
        Err(error) => no_pin_in("organization number", &error),
    }
    if let Err(error) = EmailAddress::parse(text) {
        no_pin_in("email", &error);
    }
    if let Err(error) = MobileNumber::parse(text) {
        no_pin_in("mobile number", &error);
    }
    if let Err(error) = CustomIdentifier::parse(text) {
        no_pin_in("custom identifier", &error);
    }
    let _ = PollingQueue::new(text);
    let _ = MediaType::parse(text);

    let masked = mask_identity_numbers(text);
    assert!(!shows_identity_number(&masked), "masker left an eleven-digit run: {masked}");

    if let Ok(name) = asice::safe_file_name(text) {
        assert!(asice::check_file_name(&name).is_ok(), "safe_file_name gave {name:?}");
    }
    let _ = asice::check_file_name(text);
});
