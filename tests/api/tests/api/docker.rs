//! The container image is not built on CI (no Docker engine there), so what
//! can go stale without one is checked here: every path the Dockerfile
//! copies from the repository exists, the image runs as a non-root user with
//! a health check, and the compose file's mounts exist.

use std::path::Path;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

#[test]
fn every_path_the_dockerfile_copies_exists() {
    let dockerfile = std::fs::read_to_string(Path::new(ROOT).join("docker/Dockerfile")).unwrap();
    let mut copied = 0;
    for line in dockerfile.lines().map(str::trim) {
        let Some(args) = line.strip_prefix("COPY ") else {
            continue;
        };
        // From an earlier stage, not from the repository.
        if args.starts_with("--from=") {
            continue;
        }
        let words: Vec<&str> = args
            .split_whitespace()
            .filter(|w| !w.starts_with("--"))
            .collect();
        let (_, sources) = words.split_last().expect("COPY has a destination");
        for source in sources {
            assert!(
                Path::new(ROOT).join(source).exists(),
                "docker/Dockerfile copies {source}, which is not in the repository"
            );
            copied += 1;
        }
    }
    assert!(
        copied >= 4,
        "the Dockerfile copies the workspace ({copied} paths seen)"
    );
    assert!(
        dockerfile.contains("\nUSER sijil\n"),
        "runs as a non-root user"
    );
    assert!(dockerfile.contains("\nHEALTHCHECK "), "has a health check");
}

#[test]
fn the_compose_stack_mounts_what_exists_and_trusts_one_proxy() {
    let compose = std::fs::read_to_string(Path::new(ROOT).join("docker/compose.yaml")).unwrap();
    for mount in compose
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- ./"))
    {
        let file = mount.split(':').next().unwrap();
        assert!(
            Path::new(ROOT).join("docker").join(file).exists(),
            "compose mounts ./{file}"
        );
    }
    assert!(compose.contains("SIJIL_SECURE_COOKIES: \"true\""));
    assert!(compose.contains("SIJIL_TRUSTED_PROXIES: \"1\""));
    let caddy = std::fs::read_to_string(Path::new(ROOT).join("docker/Caddyfile")).unwrap();
    assert!(caddy.contains("health_uri /healthz"));
    assert!(caddy.contains("reverse_proxy sijil-1:8080 sijil-2:8080"));
}
