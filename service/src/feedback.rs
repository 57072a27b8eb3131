//! The feedback store: every accepted `chat-feedback` submission, one JSON object per line in a
//! file under the stack's data dir, readable back (tests, `GET .../chat-feedback`).

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde_json::Value;

/// An append-only JSON-lines file.
#[derive(Debug)]
pub struct FeedbackStore {
    path: PathBuf,
    // Serialises appends from the server's worker threads so lines never interleave.
    lock: Mutex<()>,
}

impl FeedbackStore {
    /// A store writing to `path` (created on first append).
    pub fn new(path: &Path) -> FeedbackStore {
        FeedbackStore { path: path.to_path_buf(), lock: Mutex::new(()) }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one record.
    pub fn append(&self, record: &Value) -> std::io::Result<()> {
        let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let mut file = OpenOptions::new().create(true).append(true).open(&self.path)?;
        writeln!(file, "{record}")
    }

    /// Every record, oldest first (none when nothing was stored yet).
    pub fn all(&self) -> std::io::Result<Vec<Value>> {
        let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::TempDir;
    use serde_json::json;

    #[test]
    fn appends_and_reads_back_in_order() {
        let dir = TempDir::new("exochat-feedback-test-").unwrap();
        let store = FeedbackStore::new(&dir.path().join("feedback.jsonl"));
        assert!(store.all().unwrap().is_empty());
        store.append(&json!({"n": 1})).unwrap();
        store.append(&json!({"n": 2, "text": "line\nbreak"})).unwrap();
        assert_eq!(store.all().unwrap(), vec![json!({"n": 1}), json!({"n": 2, "text": "line\nbreak"})]);
    }
}
