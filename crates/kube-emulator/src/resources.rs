//! The resource types the emulator serves: built-in core kinds plus one entry per served version of
//! every CustomResourceDefinition in the store.

use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Group + resource (plural): the storage identity of a kind, shared by all its versions.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GroupResource {
    /// API group (`""` for core).
    pub group: String,
    /// Plural resource name.
    pub plural: String,
}

/// One servable resource (a kind at one group/version).
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceType {
    /// API group (`""` for core).
    pub group: String,
    /// API version (`v1`, `v1alpha1`).
    pub version: String,
    /// Kind.
    pub kind: String,
    /// Plural resource name.
    pub plural: String,
    /// Singular resource name.
    pub singular: String,
    /// Short names (`ns`, `tc`).
    pub short_names: Vec<String>,
    /// Categories (`all`, `butler`).
    pub categories: Vec<String>,
    /// Namespaced or cluster-scoped.
    pub namespaced: bool,
    /// Whether `/status` is a separate subresource.
    pub status_subresource: bool,
    /// CRD `additionalPrinterColumns` (empty for built-ins, which have their own columns).
    pub printer_columns: Vec<Value>,
    /// CRD `openAPIV3Schema` used for validation, defaulting and pruning.
    pub schema: Option<Value>,
    /// CRD `selectableFields` json paths (without the leading dot).
    pub selectable_fields: Vec<String>,
    /// True for a kind defined by a CustomResourceDefinition.
    pub custom: bool,
    /// Only `create` is allowed (review kinds).
    pub create_only: bool,
}

impl ResourceType {
    /// `group/version`, or `version` for core.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// Storage identity.
    pub fn gr(&self) -> GroupResource {
        GroupResource {
            group: self.group.clone(),
            plural: self.plural.clone(),
        }
    }

    /// `<Kind>List`.
    pub fn list_kind(&self) -> String {
        format!("{}List", self.kind)
    }

    /// Verbs for discovery.
    pub fn verbs(&self) -> Vec<&'static str> {
        if self.create_only {
            vec!["create"]
        } else {
            vec![
                "create",
                "delete",
                "deletecollection",
                "get",
                "list",
                "patch",
                "update",
                "watch",
            ]
        }
    }

    /// Whether `generation` is bumped on spec changes (CRDs and a few built-ins).
    pub fn tracks_generation(&self) -> bool {
        self.custom || self.plural == "customresourcedefinitions"
    }

    /// The discovery `APIResource` entries (the resource and its subresources).
    pub fn api_resources(&self) -> Vec<Value> {
        let mut out = vec![json!({
            "name": self.plural,
            "singularName": self.singular,
            "namespaced": self.namespaced,
            "kind": self.kind,
            "verbs": self.verbs(),
        })];
        if !self.short_names.is_empty() {
            out[0]["shortNames"] = json!(self.short_names);
        }
        if !self.categories.is_empty() {
            out[0]["categories"] = json!(self.categories);
        }
        if self.status_subresource {
            out.push(json!({
                "name": format!("{}/status", self.plural),
                "singularName": "",
                "namespaced": self.namespaced,
                "kind": self.kind,
                "verbs": ["get", "patch", "update"],
            }));
        }
        if self.group.is_empty() && self.plural == "pods" {
            out.push(json!({"name": "pods/exec", "singularName": "", "namespaced": true, "kind": "PodExecOptions", "verbs": ["create", "get"]}));
            out.push(json!({"name": "pods/log", "singularName": "", "namespaced": true, "kind": "Pod", "verbs": ["get"]}));
        }
        out
    }
}

fn builtin(
    group: &str,
    version: &str,
    kind: &str,
    plural: &str,
    short: &[&str],
    namespaced: bool,
    status: bool,
) -> ResourceType {
    ResourceType {
        group: group.into(),
        version: version.into(),
        kind: kind.into(),
        plural: plural.into(),
        singular: kind.to_lowercase(),
        short_names: short.iter().map(|s| s.to_string()).collect(),
        categories: if ["pods", "services"].contains(&plural) {
            vec!["all".into()]
        } else {
            vec![]
        },
        namespaced,
        status_subresource: status,
        printer_columns: vec![],
        schema: None,
        selectable_fields: vec![],
        custom: false,
        create_only: false,
    }
}

/// The built-in kinds.
pub fn builtins() -> Vec<ResourceType> {
    let mut review = builtin(
        "authorization.k8s.io",
        "v1",
        "SelfSubjectAccessReview",
        "selfsubjectaccessreviews",
        &[],
        false,
        false,
    );
    review.create_only = true;
    vec![
        builtin("", "v1", "Namespace", "namespaces", &["ns"], false, true),
        builtin("", "v1", "Node", "nodes", &["no"], false, true),
        builtin("", "v1", "Pod", "pods", &["po"], true, true),
        builtin("", "v1", "Service", "services", &["svc"], true, true),
        builtin("", "v1", "Secret", "secrets", &[], true, false),
        builtin("", "v1", "ConfigMap", "configmaps", &["cm"], true, false),
        builtin("", "v1", "Event", "events", &["ev"], true, false),
        builtin(
            "",
            "v1",
            "ServiceAccount",
            "serviceaccounts",
            &["sa"],
            true,
            false,
        ),
        builtin(
            "apiextensions.k8s.io",
            "v1",
            "CustomResourceDefinition",
            "customresourcedefinitions",
            &["crd", "crds"],
            false,
            true,
        ),
        review,
    ]
}

/// Resource types for each served version of a CRD object (`apiextensions.k8s.io/v1`).
pub fn from_crd(crd: &Value) -> Vec<ResourceType> {
    let spec = &crd["spec"];
    let group = spec["group"].as_str().unwrap_or_default();
    let names = &spec["names"];
    let kind = names["kind"].as_str().unwrap_or_default();
    let plural = names["plural"].as_str().unwrap_or_default();
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    for v in spec["versions"].as_array().into_iter().flatten() {
        if v["served"].as_bool() == Some(false) {
            continue;
        }
        out.push(ResourceType {
            group: group.into(),
            version: v["name"].as_str().unwrap_or_default().into(),
            kind: kind.into(),
            plural: plural.into(),
            singular: names["singular"]
                .as_str()
                .map(String::from)
                .unwrap_or_else(|| kind.to_lowercase()),
            short_names: strings(&names["shortNames"]),
            categories: strings(&names["categories"]),
            namespaced: spec["scope"].as_str() != Some("Cluster"),
            status_subresource: v["subresources"]["status"].is_object(),
            printer_columns: v["additionalPrinterColumns"]
                .as_array()
                .cloned()
                .unwrap_or_default(),
            schema: v["schema"]["openAPIV3Schema"]
                .as_object()
                .map(|o| Value::Object(o.clone())),
            selectable_fields: v["selectableFields"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|f| f["jsonPath"].as_str())
                .map(|p| p.trim_start_matches('.').to_string())
                .collect(),
            custom: true,
            create_only: false,
        });
    }
    out
}

/// All resource types, indexed for lookups.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    types: BTreeMap<(String, String, String), Arc<ResourceType>>,
    /// CRD name → the (group, version, plural) keys it registered.
    by_crd: BTreeMap<String, Vec<(String, String, String)>>,
}

impl Registry {
    /// A registry with the built-in kinds.
    pub fn new() -> Self {
        let mut r = Registry::default();
        for t in builtins() {
            r.insert(t);
        }
        r
    }

    fn insert(&mut self, t: ResourceType) -> (String, String, String) {
        let key = (t.group.clone(), t.version.clone(), t.plural.clone());
        self.types.insert(key.clone(), Arc::new(t));
        key
    }

    /// Register (or re-register) the kinds of a CRD object.
    pub fn register_crd(&mut self, crd: &Value) {
        let name = crd["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        self.unregister_crd(&name);
        let keys = from_crd(crd).into_iter().map(|t| self.insert(t)).collect();
        self.by_crd.insert(name, keys);
    }

    /// Remove the kinds of a CRD.
    pub fn unregister_crd(&mut self, name: &str) {
        for key in self.by_crd.remove(name).unwrap_or_default() {
            self.types.remove(&key);
        }
    }

    /// Look up a resource by group, version and plural.
    pub fn get(&self, group: &str, version: &str, plural: &str) -> Option<Arc<ResourceType>> {
        self.types
            .get(&(group.to_string(), version.to_string(), plural.to_string()))
            .cloned()
    }

    /// Any version of a group/resource (the first registered), for storage-level lookups.
    pub fn any_version(&self, group: &str, plural: &str) -> Option<Arc<ResourceType>> {
        self.types
            .values()
            .find(|t| t.group == group && t.plural == plural)
            .cloned()
    }

    /// Every resource type.
    pub fn all(&self) -> impl Iterator<Item = &Arc<ResourceType>> {
        self.types.values()
    }

    /// Groups with their versions (group order: core first, then by name).
    pub fn groups(&self) -> BTreeMap<String, Vec<String>> {
        let mut g: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for t in self.types.values() {
            let vs = g.entry(t.group.clone()).or_default();
            if !vs.contains(&t.version) {
                vs.push(t.version.clone());
            }
        }
        g
    }
}
