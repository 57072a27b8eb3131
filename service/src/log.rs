//! One readable place for every line the stack and its children print.
//!
//! Each line reads `+SSS.mmm source | text`: seconds since the log was created, then who spoke
//! (`stack`, `prosody`, `agent`, `rest`...). Lines go to stderr, and also to a file when one is
//! given. Library logs write through `eprintln!`, so `cargo test` captures them and shows them for
//! failing tests only; the binary's log writes to the stderr stream directly and ignores a closed
//! stream (a parent that stopped reading must not crash the stack mid-shutdown).

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Instant;

/// A cheap, cloneable handle to the log sink.
#[derive(Clone)]
pub struct Log {
    inner: Arc<Inner>,
}

struct Inner {
    start: Instant,
    file: Option<Mutex<File>>,
    // true: write to the stderr stream directly, ignoring errors; false: `eprintln!`.
    direct: bool,
}

/// Called with every line a child prints, before it is logged (e.g. to spot a startup failure);
/// returns false to leave the line out of the log (known noise).
pub type LineObserver = Arc<dyn Fn(&str) -> bool + Send + Sync>;

impl Log {
    /// A log that writes to stderr only (captured by `cargo test`).
    pub fn stderr() -> Log {
        Log { inner: Arc::new(Inner { start: Instant::now(), file: None, direct: false }) }
    }

    /// A log that writes to stderr (captured by `cargo test`) and appends to `path`.
    pub fn with_file(path: &Path) -> std::io::Result<Log> {
        let file = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
        Ok(Log { inner: Arc::new(Inner { start: Instant::now(), file: Some(Mutex::new(file)), direct: false }) })
    }

    /// The binary's log: the stderr stream directly (errors ignored), and `path` when given.
    pub fn for_process(path: Option<&Path>) -> std::io::Result<Log> {
        let file = match path {
            Some(path) => Some(Mutex::new(std::fs::OpenOptions::new().create(true).append(true).open(path)?)),
            None => None,
        };
        Ok(Log { inner: Arc::new(Inner { start: Instant::now(), file, direct: true }) })
    }

    /// Writes one line attributed to `source`.
    pub fn line(&self, source: &str, text: &str) {
        let elapsed = self.inner.start.elapsed();
        let line = format!("+{:>3}.{:03} {source:>8} | {text}", elapsed.as_secs(), elapsed.subsec_millis());
        if self.inner.direct {
            let _ = writeln!(std::io::stderr().lock(), "{line}");
        } else {
            eprintln!("{line}");
        }
        if let Some(file) = &self.inner.file {
            // A poisoned lock only means another thread panicked mid-write: keep logging.
            let mut file = file.lock().unwrap_or_else(|e| e.into_inner());
            let _ = writeln!(file, "{line}");
        }
    }

    /// Spawns a thread that logs every line read from `reader` (a child's stdout or stderr) as
    /// `source`, skipping blank lines, until the stream closes.
    pub fn forward(
        &self,
        source: &str,
        reader: impl Read + Send + 'static,
        observer: Option<LineObserver>,
    ) -> JoinHandle<()> {
        let log = self.clone();
        let source = source.to_owned();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(reader);
            let mut buf = Vec::new();
            loop {
                buf.clear();
                match reader.read_until(b'\n', &mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
                let text = String::from_utf8_lossy(&buf);
                let text = text.trim_end();
                let keep = observer.as_ref().is_none_or(|observe| observe(text));
                if keep && !text.trim().is_empty() {
                    log.line(&source, text);
                }
            }
        })
    }
}
