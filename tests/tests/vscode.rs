//! The VS Code extension: its own unit tests (node's test runner) and the end-to-end run in real
//! VS Code (code-server + Chromium, `tests/editors/vscode/run-e2e.js`) against the freshly built
//! `koreo-ls`. Both need the tools `.ci/install-editors.sh` installs, so they skip with a printed
//! reason unless `KOREO_E2E=1`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the repository")
        .to_path_buf()
}

fn e2e_enabled(test: &str) -> bool {
    if std::env::var("KOREO_E2E").as_deref() == Ok("1") {
        return true;
    }
    println!("skipped {test}: set KOREO_E2E=1 (after .ci/install-editors.sh) to run it");
    false
}

/// Runs `cmd`, echoing its output, and panics with `what` if it fails.
fn run(mut cmd: Command, what: &str) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot run {cmd:?}: {e}"));
    print!("{}", String::from_utf8_lossy(&out.stdout));
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{what} failed ({})", out.status);
}

fn extension_dir() -> PathBuf {
    let dir = repo_root().join("editors/vscode");
    assert!(
        dir.join("node_modules").is_dir(),
        "editors/vscode/node_modules is missing: run .ci/install-editors.sh"
    );
    dir
}

/// `target/<profile>/koreo-ls`, next to this test's `deps/` directory, rebuilt first so the test
/// never runs a stale server (a no-op when it is fresh).
fn koreo_ls() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("test executable lives in target/<profile>/deps");
    let mut build = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    build
        .current_dir(repo_root())
        .args(["build", "-p", "koreo-ls"]);
    if profile_dir.file_name().is_some_and(|p| p == "release") {
        build.arg("--release");
    }
    run(build, "cargo build -p koreo-ls");
    let bin = profile_dir.join(format!("koreo-ls{}", std::env::consts::EXE_SUFFIX));
    assert!(bin.is_file(), "{} was not built", bin.display());
    bin
}

#[test]
fn extension_unit_tests() {
    if !e2e_enabled("extension_unit_tests") {
        return;
    }
    let mut npm = Command::new("npm");
    npm.current_dir(extension_dir()).args(["test", "--silent"]);
    run(npm, "npm test in editors/vscode");
}

#[test]
fn vscode_end_to_end() {
    if !e2e_enabled("vscode_end_to_end") {
        return;
    }
    let root = repo_root();
    let server = koreo_ls();
    // Package from the current sources, so the test never installs a stale .vsix.
    let mut package = Command::new("npm");
    package
        .current_dir(extension_dir())
        .args(["run", "--silent", "package"]);
    run(package, "npm run package in editors/vscode");

    let driver_dir = root.join("tests/editors/vscode");
    assert!(
        driver_dir.join("node_modules/playwright-core").is_dir(),
        "tests/editors/vscode/node_modules is missing: run .ci/install-editors.sh"
    );
    let mut driver = Command::new("node");
    driver
        .current_dir(&driver_dir)
        .arg("run-e2e.js")
        .env("KOREO_LS", &server)
        .env("KOREO_VSIX", root.join("editors/vscode/koreo.vsix"))
        .env("ARTIFACTS", root.join("tests/artifacts/vscode"));
    run(
        driver,
        "the VS Code end-to-end run (screenshots and report.json in tests/artifacts/vscode)",
    );
}
