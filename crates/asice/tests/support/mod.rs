pub use signering_testkit::pki;
pub mod tools;
