//! `cargo xtask setup`: installs what is missing, idempotently, and prints what it did or skipped.
//! Traps measured on these machines are in `shared/notes/toolchain.md`: wasm-bindgen-cli must match
//! Cargo.lock exactly and is installed without `--locked`; `npx playwright install` cannot work, so
//! the browser is Debian's Chromium.

use crate::util::{check, cmd, locked_version, on_path, output, root, Result};

/// Debian packages the tests and the demo need (chromedriver comes with `chromium-driver`;
/// `fonts-lohit-deva` draws the widget's Hindi in Chromium and its screenshots).
const APT_PACKAGES: [&str; 5] = ["chromium", "chromium-driver", "prosody", "brotli", "fonts-lohit-deva"];
/// The second XMPP server (`exochat-service stack --xmpp ejabberd`, `tests/ejabberd_*`): 24.x or
/// newer, closer to what deployments run than bookworm's 23.01, and the project's template needs
/// its `mod_muc_occupantid`. On bookworm it comes from bookworm-backports.
const EJABBERD_MIN_MAJOR: u32 = 24;
/// The deb822 source added on bookworm when no backports suite is configured yet.
const BACKPORTS_SOURCE: &str = "/etc/apt/sources.list.d/bookworm-backports.sources";
const BACKPORTS_ENTRY: &str = "Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
";
const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Runs every step.
pub fn run_all() -> Result<()> {
    apt()?;
    ejabberd()?;
    wasm_target()?;
    wasm_bindgen_cli()?;
    npm()?;
    venv()
}

/// The `setup` command.
pub fn run() -> Result<()> {
    run_all()?;
    println!("setup: done");
    Ok(())
}

fn apt() -> Result<()> {
    let missing: Vec<&str> = APT_PACKAGES
        .into_iter()
        .filter(|p| {
            let status = output(&mut cmd("dpkg-query", &["-W", "-f=${Status}", p])).unwrap_or_default();
            !status.contains("install ok installed")
        })
        .collect();
    if missing.is_empty() {
        println!("setup: apt packages present ({})", APT_PACKAGES.join(", "));
        return Ok(());
    }
    println!("setup: installing apt packages: {}", missing.join(" "));
    check(cmd("apt-get", &["update", "-q"]).env("DEBIAN_FRONTEND", "noninteractive"))?;
    let mut install = cmd("apt-get", &["install", "-y", "-q", "--no-install-recommends"]);
    install.args(&missing).env("DEBIAN_FRONTEND", "noninteractive");
    check(&mut install)
}

/// ejabberd 24.x: from bookworm-backports on bookworm (the suite is added if missing), from the
/// release itself elsewhere.
fn ejabberd() -> Result<()> {
    let query = output(&mut cmd("dpkg-query", &["-W", "-f=${Status}\t${Version}", "ejabberd"])).unwrap_or_default();
    if let Some((status, version)) = query.split_once('\t') {
        let major: u32 = version.split('.').next().and_then(|m| m.parse().ok()).unwrap_or(0);
        if status.contains("install ok installed") && major >= EJABBERD_MIN_MAJOR {
            println!("setup: ejabberd {version} present");
            return Ok(());
        }
    }
    let os = std::fs::read_to_string("/etc/os-release").unwrap_or_default();
    let bookworm = os.lines().any(|l| l.trim() == "VERSION_CODENAME=bookworm");
    let mut install = cmd("apt-get", &["install", "-y", "-q", "--no-install-recommends"]);
    if bookworm {
        if !backports_configured() {
            println!("setup: adding the bookworm-backports suite ({BACKPORTS_SOURCE})");
            std::fs::write(BACKPORTS_SOURCE, BACKPORTS_ENTRY).map_err(|e| format!("cannot write {BACKPORTS_SOURCE}: {e}"))?;
        }
        install.args(["-t", "bookworm-backports"]);
    }
    println!("setup: installing ejabberd {EJABBERD_MIN_MAJOR}.x{}", if bookworm { " from bookworm-backports" } else { "" });
    check(cmd("apt-get", &["update", "-q"]).env("DEBIAN_FRONTEND", "noninteractive"))?;
    check(install.arg("ejabberd").env("DEBIAN_FRONTEND", "noninteractive"))
}

/// Whether an apt source already names the bookworm-backports suite.
fn backports_configured() -> bool {
    let mut files = vec![std::path::PathBuf::from("/etc/apt/sources.list")];
    if let Ok(entries) = std::fs::read_dir("/etc/apt/sources.list.d") {
        files.extend(entries.flatten().map(|e| e.path()));
    }
    files.iter().any(|f| std::fs::read_to_string(f).is_ok_and(|text| {
        text.lines().any(|l| !l.trim_start().starts_with('#') && l.contains("bookworm-backports"))
    }))
}

fn wasm_target() -> Result<()> {
    let installed = output(&mut cmd("rustup", &["target", "list", "--installed"])).unwrap_or_default();
    if installed.lines().any(|l| l.trim() == WASM_TARGET) {
        println!("setup: rust target {WASM_TARGET} present");
        return Ok(());
    }
    println!("setup: adding rust target {WASM_TARGET}");
    check(&mut cmd("rustup", &["target", "add", WASM_TARGET]))
}

fn wasm_bindgen_cli() -> Result<()> {
    let want = locked_version("wasm-bindgen")?;
    let have = output(&mut cmd("wasm-bindgen", &["--version"])).unwrap_or_default();
    let runner = on_path("wasm-bindgen-test-runner");
    if have.split_whitespace().nth(1) == Some(want.as_str()) && runner {
        println!("setup: wasm-bindgen-cli {want} present");
        return Ok(());
    }
    println!("setup: installing wasm-bindgen-cli {want} (found: {})", if have.is_empty() { "none" } else { have.trim() });
    // No --locked: its lockfile pins a crate version the registry mirror lacks.
    check(&mut cmd("cargo", &["install", "wasm-bindgen-cli", "--version", &want]))
}

/// The npm tools (`node_modules/`: playwright-core, binaryen, terser, axe-core), installed with
/// `npm ci` unless they are up to date with `package-lock.json`. `build` calls it too.
pub fn npm() -> Result<()> {
    let root = root();
    let lock = root.join("package-lock.json");
    let installed = root.join("node_modules/.package-lock.json");
    let modified = |p: &std::path::Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    if let (Some(l), Some(i)) = (modified(&lock), modified(&installed)) {
        if i >= l {
            println!("setup: npm tools present (node_modules up to date with package-lock.json)");
            return Ok(());
        }
    }
    if lock.exists() {
        println!("setup: npm ci (playwright-core, binaryen, terser, axe-core) into node_modules/");
        check(&mut cmd("npm", &["ci", "--no-audit", "--no-fund"]))
    } else {
        println!("setup: npm install into node_modules/ (no package-lock.json yet)");
        check(&mut cmd("npm", &["install", "--no-audit", "--no-fund"]))
    }
}

/// The agent's Python environment, `.tools/venv`, when the agent lists its requirements.
fn venv() -> Result<()> {
    let root = root();
    let requirements = root.join("agent/requirements.txt");
    let Ok(wanted) = std::fs::read_to_string(&requirements) else {
        println!("setup: no agent/requirements.txt, no Python venv needed");
        return Ok(());
    };
    let venv = root.join(".tools/venv");
    let stamp = venv.join("requirements.installed");
    if venv.join("bin/python").exists() && std::fs::read_to_string(&stamp).ok().as_deref() == Some(wanted.as_str()) {
        println!("setup: Python venv .tools/venv up to date with agent/requirements.txt");
        return Ok(());
    }
    if !venv.join("bin/python").exists() {
        println!("setup: creating Python venv .tools/venv");
        check(&mut cmd("python3", &["-m", "venv", ".tools/venv"]))?;
    }
    println!("setup: pip install -r agent/requirements.txt into .tools/venv");
    let python = venv.join("bin/python");
    check(&mut cmd(&python.to_string_lossy(), &["-m", "pip", "install", "-q", "--disable-pip-version-check", "-r", "agent/requirements.txt"]))?;
    std::fs::write(&stamp, wanted).map_err(|e| format!("cannot write {}: {e}", stamp.display()))
}
