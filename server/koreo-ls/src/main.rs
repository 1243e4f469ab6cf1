//! `koreo-ls`: the Koreo language server (LSP over stdio) and the `--check` CLI.

mod check;
mod lsp;
mod preview_cli;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Language tooling for Koreo: an LSP server over stdio (the default) and a headless checker.
#[derive(Debug, Parser)]
#[command(
    name = "koreo-ls",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
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

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Evaluate a Koreo (CEL) expression with the Koreo dialect and print JSON
    /// (`{"value": ...}` or `{"error": ...}`).
    Eval(EvalArgs),
    /// Print what the controller would produce for the Koreo resource at FILE[:LINE]
    /// (the editor's preview), or with --graph the workflow graph.
    Preview(PreviewArgs),
}

#[derive(Debug, Args)]
struct PreviewArgs {
    /// FILE or FILE:LINE (1-based).
    #[arg(value_name = "FILE[:LINE]")]
    target: String,

    /// A folder whose Koreo files are loaded too (repeatable; default: the current directory).
    #[arg(long = "root", value_name = "DIR")]
    roots: Vec<PathBuf>,

    /// Print the workflow graph instead (mermaid or dot).
    #[arg(long, value_name = "FORMAT", num_args = 0..=1, default_missing_value = "mermaid", value_parser = ["mermaid", "dot"])]
    graph: Option<String>,
}

#[derive(Debug, Args)]
struct EvalArgs {
    /// Variables as a JSON object, e.g. '{"inputs": {"name": "web"}}'.
    #[arg(long, conflicts_with_all = ["vars_file", "batch"])]
    vars: Option<String>,

    /// Read the variables from a JSON file.
    #[arg(long, value_name = "FILE", conflicts_with = "batch")]
    vars_file: Option<PathBuf>,

    /// Evaluate JSON lines `{"id", "expr", "vars"}` from FILE (`-` for stdin), one result line each.
    #[arg(long, value_name = "FILE", conflicts_with = "expr")]
    batch: Option<PathBuf>,

    /// The expression (a leading `=` is optional).
    #[arg(required_unless_present = "batch")]
    expr: Option<String>,
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
    /// JUnit XML of the FunctionTests (one testsuite per FunctionTest).
    Junit,
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
    match cli.command {
        Some(Command::Eval(args)) => ExitCode::from(eval(&args)),
        Some(Command::Preview(args)) => ExitCode::from(preview_cli::run(&preview_cli::Options {
            target: args.target,
            roots: args.roots,
            graph: args.graph,
        })),
        None => lsp::run(),
    }
}

/// `koreo-ls eval`: a thin call into the evaluator's CLI functions.
fn eval(args: &EvalArgs) -> u8 {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let code = match (&args.batch, &args.expr) {
        (Some(path), _) if path.as_os_str() == "-" => {
            koreo_cel::cli::run_batch(&mut std::io::stdin().lock(), &mut out)
        }
        (Some(path), _) => match std::fs::File::open(path) {
            Ok(f) => koreo_cel::cli::run_batch(&mut std::io::BufReader::new(f), &mut out),
            Err(e) => {
                eprintln!("error: {}: {e}", path.display());
                2
            }
        },
        (None, Some(expr)) => match &args.vars_file {
            Some(file) => koreo_cel::cli::run_eval_vars_file(expr, file, &mut out),
            None => koreo_cel::cli::run_eval(expr, args.vars.as_deref(), &mut out),
        },
        // clap requires EXPR without --batch.
        (None, None) => 2,
    };
    u8::try_from(code).unwrap_or(2)
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
