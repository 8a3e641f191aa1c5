//! The Rust code in the guides under `docs/` compiles as doctests of this crate
//! (`cargo test -p signering-guides --doc`, and with `cargo test --workspace`), so guide code
//! cannot go stale. Nothing here is built outside `rustdoc --test`.

#[doc = include_str!("../../../docs/getting-started.md")]
#[cfg(doctest)]
pub struct GettingStartedGuide;

#[doc = include_str!("../../../docs/posten-adapter.md")]
#[cfg(doctest)]
pub struct PostenAdapterGuide;

#[doc = include_str!("../../../docs/altinn-adapter.md")]
#[cfg(doctest)]
pub struct AltinnAdapterGuide;

#[doc = include_str!("../../../docs/hsm-keys.md")]
#[cfg(doctest)]
pub struct HsmKeysGuide;
