//! `SIGNERING_LOG`: the libraries' tracing events on standard error, off by default.
//!
//! The value is an `EnvFilter` directive (`debug`, `posten_adapter=trace,info`, …). The
//! adapters keep identity numbers, tokens, passwords and keys out of their events; this
//! only decides whether and how much is shown.

use crate::error::CliError;

/// The variable that turns logging on.
pub(crate) const VARIABLE: &str = "SIGNERING_LOG";

/// Installs the subscriber when `SIGNERING_LOG` is set and not empty.
pub(crate) fn init() -> Result<(), CliError> {
    let Some(directives) = std::env::var_os(VARIABLE).filter(|v| !v.is_empty()) else {
        return Ok(());
    };
    let directives = directives
        .into_string()
        .map_err(|_| CliError::Config(format!("{VARIABLE} is not valid UTF-8")))?;
    let filter = tracing_subscriber::EnvFilter::try_new(&directives)
        .map_err(|e| CliError::Config(format!("{VARIABLE}={directives:?}: {e}")))?;
    // A second initialisation (only possible when `run` is called twice in one process)
    // keeps the first subscriber.
    drop(
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .with_ansi(crate::style::stderr_colors())
            .with_target(true)
            // The adapters describe each call in a span (method, path template, status,
            // duration); show it when it closes.
            .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
            .try_init(),
    );
    Ok(())
}
