pub mod pki;
pub mod tools;
