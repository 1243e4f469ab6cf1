//! koreo-ls in real headless Neovim: diagnostics appear in the buffer, hover names the
//! target, the quick fix for a typo applies and clears the error, completion offers reference
//! names and step labels, and go-to-definition jumps to the target file and line. Runs only with `KOREO_E2E=1` (CI installs Neovim with
//! `.ci/install-neovim.sh`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use koreo_e2e::{e2e_enabled, koreo_ls_binary, repo_root};
use serde_json::Value;

/// Copies the demo workspace into a fresh temporary folder.
fn demo_copy() -> PathBuf {
    let dst = std::env::temp_dir().join(format!("koreo-e2e-nvim-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dst);
    copy_dir(&repo_root().join("fixtures/web-service"), &dst);
    dst
}

fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for entry in std::fs::read_dir(src).unwrap() {
        let entry = entry.unwrap();
        let to = dst.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to);
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
}

#[test]
fn neovim_diagnostics_hover_fix_completion_and_definition() {
    if !e2e_enabled("neovim_diagnostics_hover_fix_completion_and_definition") {
        return;
    }
    let nvim = std::env::var("KOREO_NVIM").unwrap_or_else(|_| "nvim".into());
    if Command::new(&nvim)
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_err()
    {
        panic!("KOREO_E2E=1 but `{nvim}` is not runnable: run .ci/install-neovim.sh");
    }
    let ws = demo_copy();
    let workflow = ws.join("workflow.k.yaml");
    let text = std::fs::read_to_string(&workflow)
        .unwrap()
        .replace("name: web-config\n", "name: web-confg\n");
    std::fs::write(&workflow, &text).unwrap();
    let line_of = |needle: &str| {
        text.lines()
            .position(|l| l.trim() == needle)
            .unwrap_or_else(|| panic!("{needle:?} not in the fixture"))
    };
    let typo_line = line_of("name: web-confg");
    let ref_line = line_of("name: web-deployment");
    let service_line = line_of("name: web-service");
    // The service step's namespace input (the last `namespace:` line of the workflow).
    let ns_line = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim() == "namespace: =steps.config.namespace")
        .last()
        .unwrap()
        .0;
    let out = ws.join("nvim-result.json");
    let plan = serde_json::json!({
        "hover": [ref_line, 16],
        "fix": [typo_line, 16, "web-config"],
        "complete": [
            [service_line, "        name: web-ser", ["web-service"]],
            [ns_line, "        namespace: =steps.", ["config"]],
        ],
        "def": [ref_line, 16],
    });

    let status = Command::new(&nvim)
        .args([
            "--headless",
            "--clean",
            "-u",
            "NONE",
            "-i",
            "NONE",
            "-n",
            "-c",
        ])
        .arg(format!(
            "luafile {}",
            repo_root().join("tests/neovim/lsp_check.lua").display()
        ))
        .env("KOREO_LS", koreo_ls_binary())
        .env("KOREO_FILE", &workflow)
        .env("KOREO_ROOT", &ws)
        .env("KOREO_OUT", &out)
        .env("KOREO_PLAN", plan.to_string())
        .stdin(Stdio::null())
        .status()
        .expect("run nvim");
    let result: Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("driver wrote its result"))
            .expect("result is JSON");
    assert!(status.success(), "nvim driver failed: {result:#}");

    // Diagnostics: the typo, at the name, as an error.
    let diags = result["diagnostics"].as_array().unwrap();
    assert!(
        diags.iter().any(|d| d["lnum"] == typo_line
            && d["col"] == 14
            && d["severity"] == 1
            && d["message"]
                .as_str()
                .unwrap()
                .contains("Unknown ValueFunction 'web-confg'")),
        "{result:#}"
    );

    // Hover on a step's function name names its kind.
    let hover = result["hover"].as_str().unwrap();
    assert!(
        hover.contains("ResourceFunction") && hover.contains("web-deployment"),
        "{result:#}"
    );

    // The quick fix replaces the typo, and the error goes away.
    assert_eq!(
        result["fixed_line"], "        name: web-config",
        "{result:#}"
    );
    assert_eq!(result["fix_cleared"], true, "{result:#}");

    // Completion: a ResourceFunction name for the step, a step label inside CEL.
    let completions = result["completions"].as_array().unwrap();
    let labels = |i: usize| -> Vec<&str> {
        completions[i]["labels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap())
            .collect()
    };
    assert!(labels(0).contains(&"web-service"), "{result:#}");
    assert!(
        !labels(0).contains(&"web-config"),
        "a ValueFunction offered for a ResourceFunction ref: {result:#}"
    );
    assert_eq!(completions[0]["applied"], "        name: web-service");
    assert!(
        labels(1).contains(&"config") && labels(1).contains(&"config_map"),
        "{result:#}"
    );
    assert_eq!(
        completions[1]["applied"],
        "        namespace: =steps.config"
    );

    // Go to definition jumps to the ResourceFunction's name.
    let target = ws.join("functions/deployment.k.yaml");
    let target_line = std::fs::read_to_string(&target)
        .unwrap()
        .lines()
        .position(|l| l.trim() == "name: web-deployment")
        .unwrap();
    let jumped = &result["jumped_to"];
    assert_eq!(
        Path::new(jumped["file"].as_str().unwrap())
            .canonicalize()
            .unwrap(),
        target.canonicalize().unwrap(),
        "{result:#}"
    );
    assert_eq!(jumped["lnum"], target_line);
    assert_eq!(jumped["col"], 8);
    assert_eq!(result["stopped"], true);
    let _ = std::fs::remove_dir_all(&ws);
}
