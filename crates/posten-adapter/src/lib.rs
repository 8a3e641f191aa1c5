//! Posten signering client.
