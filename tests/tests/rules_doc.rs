//! `docs/rules.md` maps every rule to the function that enforces it and the test that proves
//! it. This test keeps that table honest: every function it names exists in the module it
//! names, and every test it names is a test somewhere in the workspace.

use std::fs;
use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the e2e crate sits in the workspace")
        .to_path_buf()
}

/// The directory of a crate of the workspace, by its Rust name.
fn crate_dir(name: &str) -> Option<&'static str> {
    Some(match name {
        "bridge_domain" => "shared/domain",
        "bridge_platform" => "shared/platform",
        "bridge_procore" => "shared/procore",
        "bridge_maestro" => "shared/maestro",
        "bridge_workers" => "services/workers",
        "bridge_poller" => "services/poller",
        "bridge_ingress" => "services/ingress",
        "bridge_sandbox" => "services/sandbox",
        "bridge" => "services/bridge",
        _ => return None,
    })
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "target") {
                rust_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Whether `text` defines a function called `name`.
fn defines_fn(text: &str, name: &str) -> bool {
    text.match_indices(&format!("fn {name}")).any(|(at, m)| {
        let next = text[at + m.len()..].chars().next();
        matches!(next, Some('(' | '<'))
    })
}

fn defines_type(text: &str, name: &str) -> bool {
    ["struct", "enum", "trait", "type"].iter().any(|kw| {
        text.match_indices(&format!("{kw} {name}")).any(|(at, m)| {
            let next = text[at + m.len()..].chars().next();
            matches!(next, Some(' ' | '<' | '(' | ';' | '{' | ':'))
        })
    })
}

/// The source files a module path can live in: `src/a/b.rs`, `src/a/b/mod.rs` and the
/// files below `src/a/b/`.
fn module_files(src: &Path, modules: &[&str]) -> Vec<PathBuf> {
    if modules.is_empty() {
        let mut all = Vec::new();
        rust_files(src, &mut all);
        return all;
    }
    let joined: PathBuf = modules.iter().collect();
    let mut files = vec![src.join(&joined).with_extension("rs")];
    rust_files(&src.join(&joined), &mut files);
    files.retain(|f| f.exists());
    files
}

/// Checks `bridge_x::module::[Type::]function`; an error says what is missing.
fn check_function(root: &Path, path: &str) -> Result<(), String> {
    let segments: Vec<&str> = path.split("::").collect();
    let (krate, rest) = segments.split_first().ok_or("empty path")?;
    let dir = crate_dir(krate).ok_or_else(|| format!("`{krate}` is not a workspace crate"))?;
    let (function, parents) = rest.split_last().ok_or("no function named")?;
    let modules: Vec<&str> = parents
        .iter()
        .copied()
        .take_while(|s| s.starts_with(|c: char| c.is_ascii_lowercase()))
        .collect();
    let types = &parents[modules.len()..];
    let files = module_files(&root.join(dir).join("src"), &modules);
    if files.is_empty() {
        return Err(format!("no module {} in {dir}/src", modules.join("::")));
    }
    let texts: Vec<String> = files
        .iter()
        .filter_map(|f| fs::read_to_string(f).ok())
        .collect();
    for ty in types {
        if !texts.iter().any(|t| defines_type(t, ty)) {
            return Err(format!("no type {ty} in that module"));
        }
    }
    if texts.iter().any(|t| defines_fn(t, function)) {
        Ok(())
    } else {
        Err(format!("no fn {function} in that module"))
    }
}

/// Every function marked as a test in the workspace.
fn test_names(root: &Path) -> Vec<String> {
    let mut files = Vec::new();
    for dir in ["shared", "services", "tests"] {
        rust_files(&root.join(dir), &mut files);
    }
    let mut names = Vec::new();
    for file in files {
        let Ok(text) = fs::read_to_string(&file) else {
            continue;
        };
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let line = line.trim_start();
            let Some(rest) = line
                .strip_prefix("async fn ")
                .or_else(|| line.strip_prefix("fn "))
            else {
                continue;
            };
            let marked = lines[i.saturating_sub(3)..i]
                .iter()
                .any(|l| l.trim_start().starts_with("#[") && l.contains("test"));
            if marked && let Some(name) = rest.split(['(', '<']).next() {
                names.push(name.to_owned());
            }
        }
    }
    names
}

/// The rows of the rules table: (rule, function, test).
fn rows(doc: &str) -> Vec<(String, String, String)> {
    doc.lines()
        .filter(|l| l.starts_with('|'))
        .map(|l| {
            l.trim_matches('|')
                .split('|')
                .map(|c| c.trim().trim_matches('`').to_owned())
                .collect::<Vec<_>>()
        })
        .filter(|cells| cells.len() == 3 && cells[1].starts_with("bridge"))
        .map(|c| (c[0].clone(), c[1].clone(), c[2].clone()))
        .collect()
}

#[test]
fn every_rule_names_a_function_and_a_test_that_exist() {
    let root = workspace();
    let doc = fs::read_to_string(root.join("docs/rules.md")).expect("docs/rules.md exists");
    let rows = rows(&doc);
    assert!(
        rows.len() >= 30,
        "docs/rules.md holds only {} rule rows",
        rows.len()
    );
    let tests = test_names(&root);
    let mut problems = Vec::new();
    for (rule, function, test) in &rows {
        if let Err(e) = check_function(&root, function) {
            problems.push(format!("{rule}: `{function}`: {e}"));
        }
        if !tests.iter().any(|t| t == test) {
            problems.push(format!("{rule}: no test named `{test}`"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_checker_refuses_names_that_do_not_exist() {
    let root = workspace();
    assert!(check_function(&root, "bridge_domain::resources::routes").is_ok());
    assert!(check_function(&root, "bridge_domain::resources::no_such_fn").is_err());
    assert!(check_function(&root, "bridge_domain::no_such_module::routes").is_err());
    assert!(check_function(&root, "bridge_nowhere::x::routes").is_err());
    let tests = test_names(&root);
    assert!(
        tests
            .iter()
            .any(|t| t == "the_checker_refuses_names_that_do_not_exist")
    );
    assert!(!tests.iter().any(|t| t == "check_function"));
}
