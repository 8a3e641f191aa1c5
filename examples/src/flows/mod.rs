//! The signing flows, one per file, as library functions: the examples' `main`s call them and
//! print each step, and `signering demo` calls the same functions and draws its timeline.
//!
//! A flow reports through a [`Progress`]: one [`Progress::step`] per finished step, and
//! [`Progress::artifact`] for every file worth keeping (a signed document, a receipt). A
//! failed step ends the flow with a [`FlowError`] naming the step. Every call to a service
//! is bounded by [`STEP_TIMEOUT`], so a flow against a stuck service ends instead of
//! hanging.

use std::error::Error;
use std::fmt;
use std::future::Future;
use std::io::Write as _;
use std::time::Duration;

pub mod altinn2;
pub mod altinn3;
pub mod posten_cancel;
pub mod posten_direct;
pub mod posten_portal;
mod posten_steps;

/// Any error a step can fail with.
pub type BoxError = Box<dyn Error + Send + Sync>;

/// How long any one wait (a call, a poll loop) may take before the flow gives up.
pub const STEP_TIMEOUT: Duration = Duration::from_secs(30);

/// Where a flow reports what it does: the examples print plain lines ([`Print`]), the demo
/// draws a timeline and writes the artifacts into its output directory.
pub trait Progress {
    /// `step` finished; `result` says what came of it.
    fn step(&mut self, step: &str, result: &str);

    /// The flow produced a file named `name` (e.g. `direct-1.pades.pdf`) that an application
    /// would store. Returns where it went, for the step's result line; an error fails the
    /// step. The default keeps nothing and says so.
    ///
    /// # Errors
    ///
    /// Whatever storing the file failed with.
    fn artifact(&mut self, name: &str, bytes: &[u8]) -> Result<String, BoxError> {
        let _ = bytes;
        Ok(format!("{name} (not stored)"))
    }
}

/// Prints every step as `step: result` on standard output and keeps no artifacts.
#[derive(Debug, Default)]
pub struct Print;

impl Progress for Print {
    fn step(&mut self, step: &str, result: &str) {
        // A closed standard output (`| head`) must not fail the flow.
        drop(writeln!(std::io::stdout(), "{step}: {result}"));
    }
}

/// A step that failed, with its name and what went wrong.
#[derive(Debug)]
pub struct FlowError {
    step: String,
    source: BoxError,
}

impl FlowError {
    /// `step` failed with `source`.
    pub fn new(step: &str, source: impl Into<BoxError>) -> Self {
        Self {
            step: step.to_owned(),
            source: source.into(),
        }
    }

    /// The name of the failed step, as reported to [`Progress::step`].
    pub fn step(&self) -> &str {
        &self.step
    }

    /// What went wrong, without the step's name.
    pub fn message(&self) -> String {
        self.source.to_string()
    }
}

impl fmt::Display for FlowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "step \"{}\" failed", self.step)
    }
}

impl Error for FlowError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&*self.source)
    }
}

/// Names the step a failure happened in: `result.at(step)?`.
pub(crate) trait At<T> {
    /// The value, or a [`FlowError`] of `step`.
    fn at(self, step: &str) -> Result<T, FlowError>;
}

impl<T, E: Into<BoxError>> At<T> for Result<T, E> {
    fn at(self, step: &str) -> Result<T, FlowError> {
        self.map_err(|error| FlowError::new(step, error))
    }
}

/// Fails `step` with `message` unless `condition` holds.
pub(crate) fn check(
    condition: bool,
    step: &str,
    message: impl Into<String>,
) -> Result<(), FlowError> {
    if condition {
        Ok(())
    } else {
        Err(FlowError::new(step, message.into()))
    }
}

/// Runs one call of `step`, bounded by [`STEP_TIMEOUT`].
pub(crate) async fn call<T, E: Into<BoxError>>(
    step: &str,
    future: impl Future<Output = Result<T, E>>,
) -> Result<T, FlowError> {
    match tokio::time::timeout(STEP_TIMEOUT, future).await {
        Ok(result) => result.at(step),
        Err(_) => Err(FlowError::new(
            step,
            format!("no answer within {} s", STEP_TIMEOUT.as_secs()),
        )),
    }
}

/// Hands `bytes` to `progress` as `name` and reports `step` as done: "N bytes{detail} ->
/// where it went".
pub(crate) fn keep(
    progress: &mut dyn Progress,
    step: &str,
    name: &str,
    bytes: &[u8],
    detail: &str,
) -> Result<(), FlowError> {
    let place = progress.artifact(name, bytes).at(step)?;
    progress.step(step, &format!("{} bytes{detail} -> {place}", bytes.len()));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_step_names_itself_and_keeps_its_cause() {
        let error = Err::<(), _>("the receipt is not a PDF")
            .at("altinn: fetch archived receipt")
            .unwrap_err();
        assert_eq!(error.step(), "altinn: fetch archived receipt");
        assert_eq!(error.message(), "the receipt is not a PDF");
        assert_eq!(
            error.to_string(),
            "step \"altinn: fetch archived receipt\" failed"
        );
        assert_eq!(
            error.source().map(ToString::to_string).as_deref(),
            Some("the receipt is not a PDF")
        );
        assert!(check(true, "s", "unused").is_ok());
        assert_eq!(check(false, "s", "no").unwrap_err().message(), "no");
    }

    #[test]
    fn keep_reports_size_and_place() {
        #[derive(Default)]
        struct Recorder(Vec<(String, String)>);
        impl Progress for Recorder {
            fn step(&mut self, step: &str, result: &str) {
                self.0.push((step.to_owned(), result.to_owned()));
            }
        }
        let mut recorder = Recorder::default();
        keep(&mut recorder, "download", "a.pdf", b"%PDF-1.7", ", 1 page").unwrap();
        assert_eq!(
            recorder.0,
            [(
                "download".to_owned(),
                "8 bytes, 1 page -> a.pdf (not stored)".to_owned()
            )]
        );
    }
}
