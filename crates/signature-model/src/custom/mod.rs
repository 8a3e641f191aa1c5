//! Hand-written wire types that the generator plugs in where a schema type needs more than the
//! generated code gives: statuses that stay open to values the service adds later, and a
//! date-time type that keeps its offset.

mod date_time;
mod status;

pub use date_time::{DateTime, DateTimeParseError};
pub use status::{JobStatus, SignerStatus};
