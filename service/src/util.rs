//! Small helpers shared by the stack's parts: fresh temp dirs, free ports, random names, and
//! waiting on a condition with a deadline.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A directory created fresh under the system temp dir and removed (with everything in it) on drop.
#[derive(Debug)]
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    /// Creates `<temp>/<prefix><random hex>`; the random part makes parallel runs independent.
    pub fn new(prefix: &str) -> std::io::Result<TempDir> {
        let path = std::env::temp_dir().join(format!("{prefix}{}", random_hex(6)));
        std::fs::create_dir_all(&path)?;
        Ok(TempDir { path })
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// `n` random bytes from the OS, as lowercase hex.
pub fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    if getrandom::fill(&mut bytes).is_err() {
        // The OS source cannot fail on Linux in practice; fall back to the clock rather than panic.
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = (nanos.as_nanos() >> ((i % 16) * 8)) as u8 ^ (std::process::id() as u8);
        }
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A TCP port on 127.0.0.1 that is free right now (the kernel picks it; nobody holds it after).
pub fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind(("127.0.0.1", 0))?.local_addr()?.port())
}

/// Polls `condition` every `interval` until it holds (true) or `timeout` passes (false).
pub fn wait_until(timeout: Duration, interval: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if condition() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(interval);
    }
}

/// The repository root: the parent of this crate's manifest dir (`service/..`).
pub fn repo_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_dir_is_removed_on_drop() {
        let dir = TempDir::new("exochat-util-test-").unwrap();
        let path = dir.path().to_path_buf();
        std::fs::write(path.join("f"), "x").unwrap();
        assert!(path.exists());
        drop(dir);
        assert!(!path.exists());
    }

    #[test]
    fn random_hex_has_the_asked_length_and_varies() {
        assert_eq!(random_hex(4).len(), 8);
        assert_ne!(random_hex(8), random_hex(8));
    }

    #[test]
    fn wait_until_times_out_and_succeeds() {
        assert!(!wait_until(Duration::from_millis(30), Duration::from_millis(5), || false));
        let mut n = 0;
        assert!(wait_until(Duration::from_secs(1), Duration::from_millis(1), || {
            n += 1;
            n > 3
        }));
    }
}
