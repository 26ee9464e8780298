//! `catalog:register` (registers a location through the catalog API with the user's
//! token) and `catalog:write` (writes an entity as `catalog-info.yaml`).

use super::{example, workspace_path};
use crate::catalog::CatalogClient;
use backend_plugin_api::async_trait;
use backend_plugin_api::scaffolder::{ActionContext, ActionError, ActionExample, TemplateAction};
use serde_json::{json, Value};

/// `catalog:register`.
pub struct CatalogRegisterAction {
    /// The catalog API.
    pub catalog: CatalogClient,
}

/// `catalog:write`.
pub struct CatalogWriteAction;

/// `(location type, target)` of a catalog-info URL: `file:/abs/path` or `file:///abs`
/// become a `file` location, anything else a `url` location.
pub fn location_of(url: &str) -> (String, String) {
    match url.strip_prefix("file:") {
        Some(p) => {
            let p = if let Some(rest) = p.strip_prefix("//") {
                rest
            } else {
                p
            };
            ("file".into(), p.to_string())
        }
        None => ("url".into(), url.to_string()),
    }
}

fn entity_ref_of(entity: &Value) -> Option<String> {
    let kind = entity.get("kind")?.as_str()?;
    let name = entity.get("metadata")?.get("name")?.as_str()?;
    let ns = entity["metadata"]
        .get("namespace")
        .and_then(Value::as_str)
        .unwrap_or("default");
    Some(portal_types::EntityRef::new(kind, ns, name).to_string())
}

#[async_trait]
impl TemplateAction for CatalogRegisterAction {
    fn id(&self) -> &str {
        "catalog:register"
    }
    fn description(&self) -> &str {
        "Registers a catalog-info.yaml in the Software Catalog (as the user who runs the task)."
    }
    fn input_schema(&self) -> Value {
        json!({
            "type": "object",
            "oneOf": [{"required": ["catalogInfoUrl"]}, {"required": ["repoContentsUrl"]}],
            "properties": {
                "catalogInfoUrl": {"type": "string", "description": "URL (or file:/path) of the catalog-info.yaml."},
                "repoContentsUrl": {"type": "string", "description": "Contents URL of the repository (e.g. publish:file's repoContentsUrl)."},
                "catalogInfoPath": {"type": "string", "description": "Path of the file inside the repository (default /catalog-info.yaml)."},
                "optional": {"type": "boolean", "description": "Do not fail when the location cannot be registered."}
            }
        })
    }
    fn output_schema(&self) -> Value {
        json!({"type": "object", "properties": {
            "entityRef": {"type": "string"}, "catalogInfoUrl": {"type": "string"}
        }})
    }
    fn examples(&self) -> Vec<ActionExample> {
        vec![example(
            "Register what publish:file wrote",
            "\nsteps:\n  - id: register\n    action: catalog:register\n    input:\n      repoContentsUrl: ${{ steps.publish.output.repoContentsUrl }}\n      catalogInfoPath: /catalog-info.yaml\n",
        )]
    }
    async fn handler(&self, ctx: ActionContext) -> Result<Value, ActionError> {
        let url = match ctx.input_str("catalogInfoUrl") {
            Some(u) => u.to_string(),
            None => {
                let base = ctx.input_str("repoContentsUrl").ok_or_else(|| {
                    ActionError::new("catalogInfoUrl or repoContentsUrl is required")
                })?;
                let path = ctx
                    .input_str("catalogInfoPath")
                    .unwrap_or("/catalog-info.yaml");
                format!(
                    "{}/{}",
                    base.trim_end_matches('/'),
                    path.trim_start_matches('/')
                )
            }
        };
        let optional = ctx
            .input
            .get("optional")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let (ty, target) = location_of(&url);
        let token = ctx.user_token();
        ctx.logger.info(format!("Registering {url} in the catalog"));
        let preview = self.catalog.add_location(&ty, &target, true, token).await;
        let entity_ref = preview
            .as_ref()
            .ok()
            .and_then(|p| p.get("entities").and_then(Value::as_array).cloned())
            .unwrap_or_default()
            .iter()
            .filter(|e| {
                !e["kind"]
                    .as_str()
                    .is_some_and(|k| k.eq_ignore_ascii_case("location"))
            })
            .find_map(entity_ref_of);
        match self.catalog.add_location(&ty, &target, false, token).await {
            Ok(_) => {}
            Err(e) if e.status == 409 => ctx.logger.info("The location is already registered"),
            Err(e) if optional => {
                ctx.logger.warn(format!("Could not register {url}: {e}"));
                return Ok(json!({}));
            }
            Err(e) => return Err(ActionError::new(format!("Could not register {url}: {e}"))),
        }
        let mut out = json!({"catalogInfoUrl": url});
        if let Some(r) = entity_ref {
            ctx.logger.info(format!("Registered {r}"));
            out["entityRef"] = json!(r);
        }
        Ok(out)
    }
}

#[async_trait]
impl TemplateAction for CatalogWriteAction {
    fn id(&self) -> &str {
        "catalog:write"
    }
    fn description(&self) -> &str {
        "Writes a catalog entity as YAML into the workspace."
    }
    fn input_schema(&self) -> Value {
        json!({
            "type": "object", "required": ["entity"],
            "properties": {
                "filePath": {"type": "string", "description": "Defaults to catalog-info.yaml."},
                "entity": {"type": "object", "description": "The entity to write."}
            }
        })
    }
    fn examples(&self) -> Vec<ActionExample> {
        vec![example(
            "Write a Component",
            "\nsteps:\n  - id: write\n    action: catalog:write\n    input:\n      entity:\n        apiVersion: backstage.io/v1alpha1\n        kind: Component\n        metadata:\n          name: ${{ parameters.name }}\n        spec:\n          type: service\n          lifecycle: experimental\n          owner: ${{ parameters.owner }}\n",
        )]
    }
    fn supports_dry_run(&self) -> bool {
        true
    }
    async fn handler(&self, ctx: ActionContext) -> Result<Value, ActionError> {
        let path = workspace_path(
            &ctx,
            Some(ctx.input_str("filePath").unwrap_or("catalog-info.yaml")),
        )?;
        let yaml = serde_yaml_ng::to_string(&ctx.input["entity"])
            .map_err(|e| ActionError::new(format!("cannot write the entity as YAML: {e}")))?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, yaml)?;
        ctx.logger.info(format!(
            "Wrote {}",
            path.strip_prefix(&ctx.workspace).unwrap_or(&path).display()
        ));
        Ok(json!({}))
    }
}

#[cfg(test)]
mod tests {
    use super::location_of;

    #[test]
    fn should_map_urls_to_locations() {
        assert_eq!(
            location_of("file:/a/b.yaml"),
            ("file".into(), "/a/b.yaml".into())
        );
        assert_eq!(
            location_of("file:///a/b.yaml"),
            ("file".into(), "/a/b.yaml".into())
        );
        assert_eq!(
            location_of("https://x/y.yaml"),
            ("url".into(), "https://x/y.yaml".into())
        );
    }
}
