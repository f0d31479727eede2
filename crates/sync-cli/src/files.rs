//! The sync state as one JSON file per key in a directory. A file is replaced by a rename, so a kill leaves the
//! old value or the new one, never half of either.

use std::path::{Path, PathBuf};

use bms_itglue_sync_runner::{StateStore, StoreError};

pub struct JsonFiles {
    dir: PathBuf,
}

impl JsonFiles {
    pub fn new(dir: impl Into<PathBuf>) -> Result<Self, StoreError> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir).map_err(|e| StoreError(format!("{}: {e}", dir.display())))?;
        Ok(JsonFiles { dir })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, key: &str) -> PathBuf {
        // Keys are the runner's own constants; anything else is kept inside the directory all the same.
        let name: String = key.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
        self.dir.join(format!("{name}.json"))
    }
}

impl StateStore for JsonFiles {
    async fn load(&self, key: &str) -> Result<Option<String>, StoreError> {
        match std::fs::read_to_string(self.path(key)) {
            Ok(text) => Ok(Some(text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StoreError(format!("{key}: {e}"))),
        }
    }

    async fn save(&self, key: &str, value: &str) -> Result<(), StoreError> {
        let path = self.path(key);
        let temporary = path.with_extension("json.tmp");
        std::fs::write(&temporary, value).map_err(|e| StoreError(format!("{key}: {e}")))?;
        std::fs::rename(&temporary, &path).map_err(|e| StoreError(format!("{key}: {e}")))
    }
}
