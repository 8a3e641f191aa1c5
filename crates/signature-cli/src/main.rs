//! The `signering` command; everything lives in the `signature_cli` library.

fn main() -> std::process::ExitCode {
    signature_cli::run(std::env::args_os())
}
