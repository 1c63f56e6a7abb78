//! Builds the PWA into `pwa/dist` for release builds, so that
//! `cargo build --release` (and the README's run command) yields one binary
//! that serves everything. Debug builds read `pwa/dist` from disk at run time
//! (rust-embed), so they only need the folder to exist; the test script
//! builds the app itself.
//!
//! `SIJIL_SKIP_PWA_BUILD=1` skips the npm steps (for packagers who build the
//! app separately); `SIJIL_BUILD_PWA=1` forces them in debug builds.

use std::path::Path;
use std::process::Command;

fn main() {
    let pwa = Path::new(env!("CARGO_MANIFEST_DIR")).join("../pwa");
    for watched in [
        "src",
        "public",
        "index.html",
        "package.json",
        "package-lock.json",
        "vite.config.ts",
        "tsconfig.json",
    ] {
        println!("cargo:rerun-if-changed={}", pwa.join(watched).display());
    }
    // `sqlx::migrate!` embeds the migrations at compile time but does not
    // tell cargo to watch them: without this a new migration file leaves
    // the binary as it was, and it then refuses a database migrated by a
    // newer build ("migration N was previously applied but is missing").
    println!(
        "cargo:rerun-if-changed={}",
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../migrations")
            .display()
    );
    println!("cargo:rerun-if-env-changed=SIJIL_SKIP_PWA_BUILD");
    println!("cargo:rerun-if-env-changed=SIJIL_BUILD_PWA");

    let release = std::env::var("PROFILE").as_deref() == Ok("release");
    let forced = std::env::var("SIJIL_BUILD_PWA").is_ok_and(|v| v == "1");
    let skipped = std::env::var("SIJIL_SKIP_PWA_BUILD").is_ok_and(|v| v == "1");
    if (release || forced) && !skipped {
        if !pwa.join("node_modules").exists() {
            npm(&pwa, &["ci", "--no-audit", "--no-fund"]);
        }
        npm(&pwa, &["run", "build"]);
    }
    let dist = pwa.join("dist");
    if !dist.exists() {
        std::fs::create_dir_all(&dist).expect("create pwa/dist");
    }
}

fn npm(dir: &Path, args: &[&str]) {
    let status = Command::new("npm")
        .args(args)
        .current_dir(dir)
        .status()
        .unwrap_or_else(|e| panic!("could not run npm (is Node.js installed?): {e}"));
    assert!(
        status.success(),
        "npm {} failed in {}",
        args.join(" "),
        dir.display()
    );
}
