//! Terminal niceties: colours and progress bars, both only for a person at a terminal.
//!
//! Colours are used when the stream is a terminal and `NO_COLOR` is unset or empty
//! (<https://no-color.org>); progress bars are drawn on standard error only when it is a
//! terminal and `--json` was not given, so scripts and logs never see control sequences.

use std::io::IsTerminal as _;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Whether `NO_COLOR` asks for no colours.
fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// Whether standard output may carry colours.
pub(crate) fn stdout_colors() -> bool {
    !no_color() && std::io::stdout().is_terminal()
}

/// Whether standard error may carry colours (also used for the log lines).
pub(crate) fn stderr_colors() -> bool {
    !no_color() && std::io::stderr().is_terminal()
}

/// A status word for people: green when it is good news, red when bad, yellow otherwise.
pub(crate) fn status_word(word: &str) -> String {
    if !stdout_colors() {
        return word.to_owned();
    }
    let code = match word {
        "COMPLETED_SUCCESSFULLY" | "SIGNED" | "created" | "ok" => "32",
        w if w.contains("FAIL") || w.contains("REJECT") || w == "failed" || w == "EXPIRED" => "31",
        _ => "33",
    };
    format!("\u{1b}[{code}m{word}\u{1b}[0m")
}

/// A progress bar of `len` steps on standard error, hidden unless stderr is a terminal and
/// the output is for people.
pub(crate) fn bar(len: u64, json: bool, what: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(len), draw_target(json));
    bar.set_style(
        ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_prefix(what.to_owned());
    bar
}

/// A byte counter for a download whose size is not known in advance.
pub(crate) fn bytes(json: bool, what: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(None, draw_target(json));
    bar.set_style(
        ProgressStyle::with_template("{spinner} {prefix} {bytes} ({bytes_per_sec})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_prefix(what.to_owned());
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

fn draw_target(json: bool) -> ProgressDrawTarget {
    if json || !std::io::stderr().is_terminal() {
        ProgressDrawTarget::hidden()
    } else {
        ProgressDrawTarget::stderr()
    }
}
