//! Reading location targets (`file` and `url`) with a size limit and a timeout, and
//! resolving relative targets against the location that mentions them.

use std::path::{Component, Path, PathBuf};
use std::time::Duration;

/// Why a read failed: `name` is the Backstage error name (`NotFoundError`, `InputError`,
/// `Error`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    /// Error name.
    pub name: &'static str,
    /// Message.
    pub message: String,
}

impl ReadError {
    fn new(name: &'static str, message: impl Into<String>) -> Self {
        Self {
            name,
            message: message.into(),
        }
    }
}

/// Reads `file` and `url` targets.
#[derive(Clone)]
pub struct Reader {
    http: reqwest::Client,
    max_bytes: u64,
    timeout: Duration,
}

impl Reader {
    /// A reader with a size limit (bytes) and a URL timeout.
    pub fn new(http: reqwest::Client, max_bytes: u64, timeout: Duration) -> Self {
        Self {
            http,
            max_bytes,
            timeout,
        }
    }

    /// Read a target completely.
    pub async fn read(&self, location_type: &str, target: &str) -> Result<Vec<u8>, ReadError> {
        match location_type {
            "file" => self.read_file(target).await,
            "url" => self.read_url(target).await,
            other => Err(ReadError::new(
                "InputError",
                format!("Unsupported location type '{other}' for target {target}"),
            )),
        }
    }

    async fn read_file(&self, target: &str) -> Result<Vec<u8>, ReadError> {
        let meta = tokio::fs::metadata(target).await.map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                ReadError::new("NotFoundError", format!("file {target} does not exist"))
            } else {
                ReadError::new("Error", format!("Unable to read file {target}: {e}"))
            }
        })?;
        if !meta.is_file() {
            return Err(ReadError::new(
                "InputError",
                format!("{target} is not a file"),
            ));
        }
        if meta.len() > self.max_bytes {
            return Err(self.too_large(target, meta.len()));
        }
        tokio::fs::read(target)
            .await
            .map_err(|e| ReadError::new("Error", format!("Unable to read file {target}: {e}")))
    }

    fn too_large(&self, target: &str, len: u64) -> ReadError {
        ReadError::new(
            "InputError",
            format!(
                "{target} is {len} bytes, more than the limit of {} bytes",
                self.max_bytes
            ),
        )
    }

    async fn read_url(&self, target: &str) -> Result<Vec<u8>, ReadError> {
        let url = url::Url::parse(target)
            .map_err(|e| ReadError::new("InputError", format!("Invalid URL {target}: {e}")))?;
        if url.scheme() != "http" && url.scheme() != "https" {
            return Err(ReadError::new(
                "InputError",
                format!("Unsupported URL scheme in {target}"),
            ));
        }
        let fut =
            async {
                let resp = self.http.get(url).send().await.map_err(|e| {
                    ReadError::new("Error", format!("Unable to read url {target}: {e}"))
                })?;
                let status = resp.status();
                if status == reqwest::StatusCode::NOT_FOUND {
                    return Err(ReadError::new(
                        "NotFoundError",
                        format!("Unable to read url {target}: 404 Not Found"),
                    ));
                }
                if !status.is_success() {
                    return Err(ReadError::new(
                        "Error",
                        format!("Unable to read url {target}: HTTP {status}"),
                    ));
                }
                if let Some(len) = resp.content_length() {
                    if len > self.max_bytes {
                        return Err(self.too_large(target, len));
                    }
                }
                let mut resp = resp;
                let mut body = Vec::new();
                while let Some(chunk) = resp.chunk().await.map_err(|e| {
                    ReadError::new("Error", format!("Unable to read url {target}: {e}"))
                })? {
                    body.extend_from_slice(&chunk);
                    if body.len() as u64 > self.max_bytes {
                        return Err(self.too_large(target, body.len() as u64));
                    }
                }
                Ok(body)
            };
        tokio::time::timeout(self.timeout, fut)
            .await
            .unwrap_or_else(|_| {
                Err(ReadError::new(
                    "Error",
                    format!(
                        "Unable to read url {target}: timed out after {:?}",
                        self.timeout
                    ),
                ))
            })
    }
}

/// Split a location ref `type:target`.
pub fn split_location_ref(s: &str) -> Option<(&str, &str)> {
    let (t, target) = s.split_once(':')?;
    (!t.is_empty() && !target.is_empty()).then_some((t, target))
}

/// Resolve `target` relative to the location `base_type:base_target`.
pub fn resolve_target(base_type: &str, base_target: &str, target: &str) -> Result<String, String> {
    match base_type {
        "file" => {
            let p = Path::new(target);
            let joined = if p.is_absolute() {
                p.to_path_buf()
            } else {
                Path::new(base_target)
                    .parent()
                    .unwrap_or(Path::new("/"))
                    .join(p)
            };
            Ok(normalize(&joined).to_string_lossy().into_owned())
        }
        "url" => {
            if let Ok(u) = url::Url::parse(target) {
                return Ok(u.to_string());
            }
            let base = url::Url::parse(base_target)
                .map_err(|e| format!("invalid base URL {base_target}: {e}"))?;
            base.join(target)
                .map(|u| u.to_string())
                .map_err(|e| format!("cannot resolve {target} against {base_target}: {e}"))
        }
        other => Err(format!("unsupported location type '{other}'")),
    }
}

/// Lexically normalise a path (`.` and `..`).
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_resolve_relative_targets() {
        assert_eq!(
            resolve_target("file", "/a/b/all.yaml", "./x/c.yaml").unwrap(),
            "/a/b/x/c.yaml"
        );
        assert_eq!(
            resolve_target("file", "/a/b/all.yaml", "../c.yaml").unwrap(),
            "/a/c.yaml"
        );
        assert_eq!(
            resolve_target("file", "/a/b/all.yaml", "/abs.yaml").unwrap(),
            "/abs.yaml"
        );
        assert_eq!(
            resolve_target("url", "https://h/r/blob/main/all.yaml", "./apis/x.yaml").unwrap(),
            "https://h/r/blob/main/apis/x.yaml"
        );
        assert_eq!(
            split_location_ref("url:https://x"),
            Some(("url", "https://x"))
        );
        assert!(resolve_target("git", "x", "y").is_err());
    }

    #[tokio::test]
    async fn should_enforce_size_limit_and_report_missing_files() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("big.yaml");
        std::fs::write(&f, vec![b'a'; 100]).unwrap();
        let r = Reader::new(reqwest::Client::new(), 10, Duration::from_secs(1));
        let err = r.read("file", f.to_str().unwrap()).await.unwrap_err();
        assert!(err.message.contains("limit"), "{err:?}");
        let err = r.read("file", "/nonexistent/x.yaml").await.unwrap_err();
        assert_eq!(err.name, "NotFoundError");
        let err = r
            .read("url", "http://127.0.0.1:1/x.yaml")
            .await
            .unwrap_err();
        assert_eq!(err.name, "Error");
    }
}
