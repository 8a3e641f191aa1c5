//! Fault soak and benchmarks of the Posten client (`posten-adapter`) against the Posten
//! emulator, run by `cargo xtask soak` and `cargo xtask bench` (see `docs/performance.md`).
//!
//! The emulator always runs in a separate process ([`emulator::EmulatorProcess`], the same
//! binary started with `--serve-emulator`), so what [`rss`] reads about the current process
//! is the client's memory alone.

#![deny(missing_docs)]

pub mod bench;
pub mod emulator;
pub mod jobs;
pub mod rss;
pub mod soak;
pub mod startup;
pub mod token;
pub mod whole_process;
