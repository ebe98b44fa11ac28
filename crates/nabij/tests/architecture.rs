//! The layering holds: pages, API and the command line reach the data only through
//! `nabij-app`. Neither `web` nor the binary may depend on `nabij-store` outside their tests.

use std::path::Path;

/// The crates named in the `[dependencies]` table of a manifest (not dev-dependencies).
fn dependencies(manifest: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(manifest).unwrap();
    let mut in_deps = false;
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_deps = line == "[dependencies]" || line.starts_with("[dependencies.");
            if let Some(name) = line.strip_prefix("[dependencies.") {
                out.push(name.trim_end_matches(']').to_owned());
            }
            continue;
        }
        if in_deps && let Some((name, _)) = line.split_once('=') {
            out.push(name.trim().trim_end_matches(".workspace").to_owned());
        }
    }
    out
}

fn sources_mention(dir: &Path, needle: &str) -> Vec<String> {
    let mut hits = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            hits.extend(sources_mention(&path, needle));
        } else if path.extension().is_some_and(|e| e == "rs")
            && std::fs::read_to_string(&path).unwrap().contains(needle)
        {
            hits.push(path.display().to_string());
        }
    }
    hits
}

#[test]
fn web_and_the_binary_reach_the_data_only_through_the_app() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    for krate in ["web", "nabij"] {
        let deps = dependencies(&crates.join(krate).join("Cargo.toml"));
        assert!(
            deps.iter().any(|d| d == "nabij-app"),
            "{krate} goes through nabij-app: {deps:?}"
        );
        assert!(
            !deps.iter().any(|d| d == "nabij-store"),
            "{krate} must not depend on nabij-store: {deps:?}"
        );
        let hits = sources_mention(&crates.join(krate).join("src"), "nabij_store");
        assert!(hits.is_empty(), "{krate} names the store in {hits:?}");
    }
    // The app is the one crate between them and the store.
    let app = dependencies(&crates.join("app").join("Cargo.toml"));
    assert!(app.iter().any(|d| d == "nabij-store"));
    assert!(!app.iter().any(|d| d == "nabij-web" || d == "axum"));
}

/// Mail goes to an SMTP relay in plain SMTP (ADR 0007): no TLS stack is built in for it.
#[test]
fn no_tls_stack_is_built_in() {
    let lock = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("Cargo.lock");
    let text = std::fs::read_to_string(lock).unwrap();
    for name in ["rustls", "native-tls", "openssl", "boring"] {
        assert!(
            !text.lines().any(|l| l
                .strip_prefix("name = \"")
                .is_some_and(|n| n.starts_with(name))),
            "Cargo.lock holds {name}"
        );
    }
    assert!(text.contains("name = \"lettre\""));
}
