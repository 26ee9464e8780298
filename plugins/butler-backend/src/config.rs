//! The `butler` configuration section and how it becomes a [`kube::Config`].
//!
//! ```yaml
//! butler:
//!   kubernetes:                 # explicit API server …
//!     url: https://mgmt.example:6443
//!     token: ${BUTLER_K8S_TOKEN}
//!     caData: LS0tLS1CRUdJTi…   # base64 PEM, optional
//!     insecureSkipTlsVerify: false
//!   # … or a kubeconfig file (context optional):
//!   # kubernetes: {kubeconfig: /etc/butler/kubeconfig, context: mgmt}
//!   # … or only a context of $KUBECONFIG / ~/.kube/config:
//!   # kubernetes: {context: mgmt}
//! ```
//!
//! Without a `kubernetes` section: `--demo` starts the in-process emulator; otherwise
//! `$KUBECONFIG` / `~/.kube/config` when present, else the in-cluster service account,
//! else Kubernetes is not configured (the portal runs without it).

use backend_plugin_api::PluginError;
use kube::config::{KubeConfigOptions, Kubeconfig};
use serde::Deserialize;
use std::path::PathBuf;

/// `butler:`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ButlerConfig {
    /// Connection to the management cluster.
    #[serde(default)]
    pub kubernetes: Option<KubernetesConfig>,
}

/// `butler.kubernetes`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct KubernetesConfig {
    /// API server URL.
    #[serde(default)]
    pub url: Option<String>,
    /// Bearer token of the portal's service account.
    #[serde(default)]
    pub token: Option<String>,
    /// Base64-encoded PEM bundle of the API server's CA.
    #[serde(default)]
    pub ca_data: Option<String>,
    /// Skip TLS verification (development only).
    #[serde(default)]
    pub insecure_skip_tls_verify: bool,
    /// Kubeconfig file.
    #[serde(default)]
    pub kubeconfig: Option<PathBuf>,
    /// Kubeconfig context (default: the current context).
    #[serde(default)]
    pub context: Option<String>,
}

/// Where the connection comes from.
pub enum Source {
    /// A ready client configuration; the string describes its origin for logs.
    Config(Box<kube::Config>, String),
    /// Start the in-process demo emulator.
    Emulator,
    /// Nothing configured (reason).
    None(String),
}

/// Resolve the configuration (see the module docs for the order).
pub async fn resolve(cfg: &ButlerConfig, demo: bool) -> Result<Source, PluginError> {
    let bad = |m: String| PluginError::Config(format!("butler.kubernetes: {m}"));
    if let Some(k) = &cfg.kubernetes {
        if let Some(url) = &k.url {
            if k.kubeconfig.is_some() || k.context.is_some() {
                return Err(bad(
                    "give either `url` (with token/caData) or `kubeconfig`/`context`, not both"
                        .into(),
                ));
            }
            let config = explicit_config(url, k).await.map_err(bad)?;
            return Ok(Source::Config(Box::new(config), format!("url {url}")));
        }
        if k.token.is_some() || k.ca_data.is_some() || k.insecure_skip_tls_verify {
            return Err(bad(
                "`token`, `caData` and `insecureSkipTlsVerify` need `url`".into(),
            ));
        }
        let options = KubeConfigOptions {
            context: k.context.clone(),
            ..Default::default()
        };
        let (kubeconfig, origin) = match &k.kubeconfig {
            Some(path) => (
                Kubeconfig::read_from(path)
                    .map_err(|e| bad(format!("cannot read {}: {e}", path.display())))?,
                path.display().to_string(),
            ),
            None => (
                Kubeconfig::read().map_err(|e| bad(format!("cannot read the kubeconfig: {e}")))?,
                "$KUBECONFIG or ~/.kube/config".to_string(),
            ),
        };
        let config = kube::Config::from_custom_kubeconfig(kubeconfig, &options)
            .await
            .map_err(|e| bad(format!("{origin}: {e}")))?;
        let ctx = k.context.as_deref().unwrap_or("current context");
        return Ok(Source::Config(
            Box::new(config),
            format!("kubeconfig {origin} ({ctx})"),
        ));
    }
    if demo {
        return Ok(Source::Emulator);
    }
    let env_kubeconfig = std::env::var_os("KUBECONFIG").filter(|v| !v.is_empty());
    let home_kubeconfig = std::env::var_os("HOME")
        .map(|h| PathBuf::from(h).join(".kube/config"))
        .filter(|p| p.is_file());
    if env_kubeconfig.is_some() || home_kubeconfig.is_some() {
        match kube::Config::from_kubeconfig(&KubeConfigOptions::default()).await {
            Ok(c) => {
                return Ok(Source::Config(
                    Box::new(c),
                    "kubeconfig $KUBECONFIG or ~/.kube/config (current context)".into(),
                ))
            }
            Err(e) => {
                return Ok(Source::None(format!("the kubeconfig cannot be used: {e}")));
            }
        }
    }
    if std::env::var_os("KUBERNETES_SERVICE_HOST").is_some() {
        return match kube::Config::incluster() {
            Ok(c) => Ok(Source::Config(
                Box::new(c),
                "in-cluster service account".into(),
            )),
            Err(e) => Ok(Source::None(format!(
                "in-cluster configuration failed: {e}"
            ))),
        };
    }
    Ok(Source::None(
        "no `butler.kubernetes` configuration, no kubeconfig and not running in a cluster".into(),
    ))
}

/// A client configuration from `url` / `token` / `caData` / `insecureSkipTlsVerify`, built
/// through an in-memory kubeconfig so kube parses the CA bundle itself.
pub async fn explicit_config(url: &str, k: &KubernetesConfig) -> Result<kube::Config, String> {
    let mut cluster = serde_json::json!({ "server": url });
    if let Some(ca) = &k.ca_data {
        cluster["certificate-authority-data"] = ca.trim().into();
    }
    if k.insecure_skip_tls_verify {
        cluster["insecure-skip-tls-verify"] = true.into();
    }
    let mut user = serde_json::json!({});
    if let Some(t) = &k.token {
        user["token"] = t.clone().into();
    }
    // JSON is YAML.
    let doc = serde_json::json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "butler", "cluster": cluster}],
        "users": [{"name": "butler", "user": user}],
        "contexts": [{"name": "butler", "context": {"cluster": "butler", "user": "butler"}}],
        "current-context": "butler",
    });
    let kubeconfig = Kubeconfig::from_yaml(&doc.to_string()).map_err(|e| e.to_string())?;
    kube::Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(v: serde_json::Value) -> ButlerConfig {
        serde_json::from_value(v).unwrap()
    }

    #[tokio::test]
    async fn should_build_an_explicit_config_with_token() {
        let c = cfg(
            serde_json::json!({"kubernetes": {"url": "https://k8s.example:6443", "token": "abc", "insecureSkipTlsVerify": true}}),
        );
        let Source::Config(config, origin) = resolve(&c, false).await.unwrap() else {
            panic!("expected a config")
        };
        assert_eq!(config.cluster_url.to_string(), "https://k8s.example:6443/");
        assert!(config.accept_invalid_certs);
        assert!(config.auth_info.token.is_some());
        assert!(origin.contains("k8s.example"));
    }

    #[tokio::test]
    async fn should_reject_mixed_or_incomplete_sections() {
        let both = cfg(serde_json::json!({"kubernetes": {"url": "https://x", "kubeconfig": "/k"}}));
        assert!(resolve(&both, false).await.is_err());
        let token_only = cfg(serde_json::json!({"kubernetes": {"token": "t"}}));
        let err = resolve(&token_only, false).await.err().unwrap().to_string();
        assert!(err.contains("butler.kubernetes"), "{err}");
        assert!(serde_json::from_value::<ButlerConfig>(
            serde_json::json!({"kubernetes": {"urll": "x"}})
        )
        .is_err());
    }

    #[tokio::test]
    async fn should_read_a_kubeconfig_file_and_select_a_context() {
        let dir = std::env::temp_dir().join(format!("butler-kubeconfig-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("config");
        std::fs::write(
            &path,
            "apiVersion: v1\nkind: Config\nclusters:\n- name: a\n  cluster: {server: 'http://127.0.0.1:1111'}\n- name: b\n  cluster: {server: 'http://127.0.0.1:2222'}\ncontexts:\n- name: a\n  context: {cluster: a, user: u}\n- name: b\n  context: {cluster: b, user: u}\ncurrent-context: a\nusers:\n- name: u\n  user: {}\n",
        )
        .unwrap();
        let c = cfg(serde_json::json!({"kubernetes": {"kubeconfig": path, "context": "b"}}));
        let Source::Config(config, _) = resolve(&c, false).await.unwrap() else {
            panic!("expected a config")
        };
        assert_eq!(config.cluster_url.port_u16(), Some(2222));
        let c = cfg(serde_json::json!({"kubernetes": {"kubeconfig": path}}));
        let Source::Config(config, _) = resolve(&c, true).await.unwrap() else {
            panic!("expected a config")
        };
        assert_eq!(
            config.cluster_url.port_u16(),
            Some(1111),
            "explicit config wins over --demo"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn should_use_the_emulator_in_demo_mode_without_a_section() {
        assert!(matches!(
            resolve(&ButlerConfig::default(), true).await.unwrap(),
            Source::Emulator
        ));
    }
}
