//! The `nabij` command as an administrator uses it.

use std::process::Command;

fn nabij(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_nabij"))
        .args(args)
        .current_dir(dir)
        .env_remove("NABIJ_CONFIG")
        .env(
            "NABIJ_DATABASE_URL",
            format!("sqlite:{}", dir.join("cli.db").display()),
        )
        .env("NABIJ_LOG", "warn")
        .output()
        .unwrap()
}

#[test]
fn default_config_prints_every_setting() {
    let dir = tempfile::tempdir().unwrap();
    let out = nabij(dir.path(), &["default-config"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for key in [
        "[database]",
        "url = \"sqlite:nabij.db\"",
        "max_connections",
        "[server]",
        "listen",
        "[log]",
        "[auth]",
        "idle_minutes = 30",
        "[retention]",
        "access_log_years = 5",
    ] {
        assert!(text.contains(key), "{key}");
    }
}

#[tokio::test]
async fn geography_import_is_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "gwb_code_10;regio;lat;lon\nGM0356;Nieuwegein;52,03;5,08\nBU03560101;Centrum;52.03;oost\nBU0356;Kort;52.0;5.0\n").unwrap();
    let out = nabij(dir.path(), &["import", "geography", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("regel 3, kolom lon: 'oost' is geen getal"),
        "{err}"
    );
    assert!(err.contains("regel 4, kolom gwb_code_10"), "{err}");
    assert!(err.contains("niets geïmporteerd: 2 fout(en)"), "{err}");

    let good = dir.path().join("good.csv");
    std::fs::write(&good, "gwb_code_10;regio;lat;lon;regio_naam\nGM0356;Nieuwegein;52,03;5,08;Lekstroom\nWK035601;Wijk 01;52.03;5.08;\nBU03560101;Centrum;52.03;5.081;\nBU03560102;Batau;52.04;5.07;\n").unwrap();
    let out = nabij(dir.path(), &["import", "geography", good.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("gemeenten 1 nieuw, 0 bijgewerkt; buurten 2 nieuw, 0 bijgewerkt")
    );
    // Importing again updates in place.
    let out = nabij(dir.path(), &["import", "geography", good.to_str().unwrap()]);
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("gemeenten 0 nieuw, 1 bijgewerkt; buurten 0 nieuw, 2 bijgewerkt")
    );

    // A neighbourhood of a municipality that exists nowhere: nothing is written.
    let orphan = dir.path().join("orphan.csv");
    std::fs::write(&orphan, "gwb_code_10,regio,lat,lon\nGM0307,Amersfoort,52.15,5.38\nBU05460101,Binnenstad,52.15,4.49\n").unwrap();
    let out = nabij(
        dir.path(),
        &["import", "geography", orphan.to_str().unwrap()],
    );
    assert!(!out.status.success());
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("regel 3: gemeente GM0546")
    );
    let db = nabij_store::Db::connect(&nabij_store::DbOptions::new(format!(
        "sqlite:{}",
        dir.path().join("cli.db").display()
    )))
    .await
    .unwrap();
    let names: Vec<String> = db
        .municipalities()
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.name)
        .collect();
    assert_eq!(
        names,
        ["Nieuwegein"],
        "Amersfoort was rolled back with the bad row"
    );
    assert_eq!(
        db.municipalities().await.unwrap()[0].region_name.as_deref(),
        Some("Lekstroom")
    );
}

#[test]
fn migrate_creates_the_database_and_a_bad_url_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let out = nabij(dir.path(), &["migrate"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8(out.stdout).unwrap().contains("0001_core"));
    assert!(dir.path().join("cli.db").exists());
    let out = Command::new(env!("CARGO_BIN_EXE_nabij"))
        .args(["migrate"])
        .env("NABIJ_DATABASE_URL", "mysql://x@y/z")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("unsupported database URL")
    );
}

#[test]
fn the_first_administrator_the_access_log_check_and_retention() {
    let dir = tempfile::tempdir().unwrap();
    // A fresh installation: the first administrator, with a temporary password.
    let out = nabij(
        dir.path(),
        &[
            "user",
            "add",
            "tom",
            "--name",
            "Tom Bakker",
            "--role",
            "admin",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("Gebruiker tom aangemaakt. Tijdelijk wachtwoord: "),
        "{text}"
    );
    let out = nabij(
        dir.path(),
        &["user", "add", "tom", "--name", "Tom", "--role", "admin"],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("bestaat al"));
    let out = nabij(
        dir.path(),
        &["user", "add", "x", "--name", "X", "--role", "baas"],
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("onbekende rol baas"));

    // The access log of a fresh database is in order.
    let out = nabij(dir.path(), &["audit", "verify"]);
    assert!(out.status.success());
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("Toegangslog in orde")
    );

    // Retention: a dry run changes nothing and says so; a run reports what it did.
    let out = nabij(dir.path(), &["retention", "run", "--dry-run"]);
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .starts_with("Proef: 0 dossier(s)")
    );
    let out = nabij(dir.path(), &["retention", "run"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("0 dossier(s) geanonimiseerd")
    );
}

#[test]
fn the_access_log_is_keyed_outside_the_database_and_checkpoints_are_witnessed() {
    let dir = tempfile::tempdir().unwrap();
    let out = nabij(
        dir.path(),
        &[
            "user",
            "add",
            "tom",
            "--name",
            "Tom Bakker",
            "--role",
            "admin",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The key was made beside the database, readable by its owner only.
    let key = dir.path().join("cli.db.audit-key");
    assert!(key.exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // A checkpoint for a witness, then more entries: the log still contains it.
    let out = nabij(dir.path(), &["audit", "checkpoint"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let checkpoint = String::from_utf8(out.stdout).unwrap();
    let witnessed: serde_json::Value = serde_json::from_str(checkpoint.trim()).unwrap();
    assert!(witnessed["seq"].as_i64().unwrap() >= 1);
    std::fs::write(dir.path().join("cp.json"), &checkpoint).unwrap();
    nabij(
        dir.path(),
        &[
            "user",
            "add",
            "ria",
            "--name",
            "Ria",
            "--role",
            "coordinator",
        ],
    );
    let out = nabij(dir.path(), &["audit", "verify", "--checkpoint", "cp.json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("controlepunt gevonden")
    );
    // A checkpoint the log does not contain is reported, and the check fails.
    let mut forged = witnessed.clone();
    forged["hash"] = serde_json::json!("0".repeat(64));
    std::fs::write(dir.path().join("forged.json"), forged.to_string()).unwrap();
    let out = nabij(
        dir.path(),
        &["audit", "verify", "--checkpoint", "forged.json"],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("toegangslog gebroken"));
    // Without its key the log is not opened with another one.
    std::fs::rename(&key, dir.path().join("elders.key")).unwrap();
    let out = nabij(dir.path(), &["audit", "verify"]);
    assert!(
        !out.status.success(),
        "a new key must not take over the log"
    );
}

/// Runs `nabij` in `dir` with the database at `url`.
fn nabij_on(dir: &std::path::Path, url: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_nabij"))
        .args(args)
        .current_dir(dir)
        .env_remove("NABIJ_CONFIG")
        .env_remove("NABIJ_AUDIT_KEY_FILE")
        .env("NABIJ_DATABASE_URL", url)
        .env("NABIJ_LOG", "warn")
        .output()
        .unwrap()
}

fn succeeded(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[tokio::test]
async fn the_demo_writes_to_postgresql_named_with_database_and_refuses_to_overwrite_data() {
    let Some(url) = nabij_store::testing::postgres_url_from_env().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // Another database in the environment: --database decides.
    let elsewhere = format!("sqlite:{}", dir.path().join("niet-deze.db").display());
    let args = ["demo", "--scale", "test", "--no-serve", "--database", &url];
    let text = succeeded(&nabij_on(dir.path(), &elsewhere, &args));
    assert!(text.contains("12 gemeenten"), "{text}");
    assert!(
        !dir.path().join("niet-deze.db").exists(),
        "no SQLite file written"
    );
    // The key is where `serve` and `audit verify` look for it, and the demo says so.
    assert!(
        text.contains("Sleutel van het toegangslog: nabij-audit.key"),
        "{text}"
    );
    assert!(dir.path().join("nabij-audit.key").exists());
    let text = succeeded(&nabij_on(dir.path(), &url, &["audit", "verify"]));
    assert!(text.contains("Toegangslog in orde"), "{text}");

    // A database with data is not written into…
    let out = nabij_on(dir.path(), &elsewhere, &args);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bevat al gegevens") && err.contains("--replace"),
        "{err}"
    );
    // …unless it is to be replaced.
    let mut replace = args.to_vec();
    replace.push("--replace");
    succeeded(&nabij_on(dir.path(), &elsewhere, &replace));
    let text = succeeded(&nabij_on(dir.path(), &url, &["audit", "verify"]));
    assert!(text.contains("Toegangslog in orde"), "{text}");
}

#[tokio::test]
async fn the_demo_writes_to_the_postgresql_database_of_the_environment() {
    let Some(url) = nabij_store::testing::postgres_url_from_env().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let text = succeeded(&nabij_on(
        dir.path(),
        &url,
        &["demo", "--scale", "test", "--no-serve"],
    ));
    assert!(text.contains("Demodatabase postgres://"), "{text}");
    assert!(
        !dir.path().join("nabij-demo.db").exists(),
        "no SQLite file written"
    );
    let text = succeeded(&nabij_on(dir.path(), &url, &["audit", "verify"]));
    assert!(text.contains("Toegangslog in orde"), "{text}");
}
