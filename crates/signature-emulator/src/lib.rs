//! Emulators.
