//! `koreo-ls`: the Koreo language server (LSP over stdio) and the `--check` CLI.

mod check;
mod lsp;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, ValueEnum};

/// Language tooling for Koreo: an LSP server over stdio (the default) and a headless checker.
#[derive(Debug, Parser)]
#[command(name = "koreo-ls", version, about)]
struct Cli {
    /// Run the language server over stdio (the default; accepted for editor clients that pass it).
    #[arg(long, conflicts_with = "check")]
    stdio: bool,

    /// Check the Koreo files under PATH (default `.`) and print diagnostics instead of serving.
    #[arg(long)]
    check: bool,

    /// Output format of --check.
    #[arg(long, value_enum, default_value_t = Format::Human, requires = "check")]
    format: Format,

    /// Do not run FunctionTests during --check.
    #[arg(long, requires = "check")]
    no_tests: bool,

    /// Files or folders to check (with --check).
    #[arg(value_name = "PATH", requires = "check")]
    paths: Vec<PathBuf>,
}

/// Output formats of `--check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// rustc-style snippets.
    Human,
    /// A stable JSON report (see the README).
    Json,
    /// SARIF 2.1.0 for code-scanning UIs.
    Sarif,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // Help and version are successes; anything else is a usage error (exit 2).
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    init_logging();
    if cli.check {
        let paths = if cli.paths.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            cli.paths
        };
        let opts = check::Options {
            format: cli.format,
            run_tests: !cli.no_tests,
        };
        return ExitCode::from(check::run(&paths, &opts));
    }
    let _ = cli.stdio;
    lsp::run()
}

/// Logs go to stderr (stdout is the LSP channel); `RUST_LOG` overrides the default level.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(std::io::stderr)
        .try_init();
}
