//! Altinn client.
