//! Validated list of installed frontend plugins and lookups the shell needs.

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;

use leptos::prelude::{provide_context, use_context};

use portal_types::{is_valid_plugin_id, Entity, PLUGIN_ID_PATTERN};

use crate::extension::{
    EntityCardExtension, EntityContentExtension, Extension, HeaderItemExtension, NavItemExtension,
    PageExtension,
};
use crate::routing::page_matches;
use crate::FrontendPlugin;

/// One plugin after validation: its id and extensions, in declaration order.
#[derive(Clone)]
pub struct RegisteredPlugin {
    /// Plugin id.
    pub id: &'static str,
    /// Its extensions.
    pub extensions: Vec<Extension>,
}

/// A problem found by [`PluginRegistry::build`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistryError {
    /// A plugin id does not match the id pattern.
    InvalidPluginId(String),
    /// Two plugins share an id.
    DuplicatePlugin(String),
    /// Two extensions share a derived id (e.g. a plugin declares two pages).
    DuplicateExtension(String),
    /// An entity content/card id does not match the id pattern.
    InvalidExtensionId(String),
    /// A page or nav path does not start with `/`, or two pages share a path.
    InvalidPath {
        /// The extension id.
        extension: String,
        /// What is wrong.
        reason: String,
    },
    /// An entity filter does not parse.
    InvalidFilter {
        /// The extension id.
        extension: String,
        /// The parse error.
        reason: String,
    },
}

impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidPluginId(id) => {
                write!(f, "plugin id \"{id}\" does not match {PLUGIN_ID_PATTERN}")
            }
            Self::DuplicatePlugin(id) => write!(f, "plugin \"{id}\" is registered twice"),
            Self::DuplicateExtension(id) => write!(f, "extension \"{id}\" is declared twice"),
            Self::InvalidExtensionId(id) => {
                write!(
                    f,
                    "extension id \"{id}\" does not match {PLUGIN_ID_PATTERN}"
                )
            }
            Self::InvalidPath { extension, reason } => write!(f, "{extension}: {reason}"),
            Self::InvalidFilter { extension, reason } => write!(f, "{extension}: {reason}"),
        }
    }
}

impl std::error::Error for RegistryError {}

/// The validated plugin list, in registration order (= sidebar order).
#[derive(Clone, Default)]
pub struct PluginRegistry {
    plugins: Vec<RegisteredPlugin>,
}

impl fmt::Debug for PluginRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.plugins.iter().map(|p| {
                let ids: Vec<String> = p.extensions.iter().map(|e| e.id(p.id)).collect();
                (p.id, ids)
            }))
            .finish()
    }
}

impl PluginRegistry {
    /// Validate `plugins`: ids must match the plugin id pattern, plugin ids and derived
    /// extension ids must be unique, paths must start with `/` and page paths must be
    /// unique, entity filters must parse. Returns every error at once.
    pub fn build(plugins: Vec<Box<dyn FrontendPlugin>>) -> Result<Self, Vec<RegistryError>> {
        Self::from_parts(
            plugins
                .iter()
                .map(|p| (p.id(), p.extensions()))
                .collect::<Vec<_>>(),
        )
    }

    /// [`Self::build`] from `(id, extensions)` pairs.
    pub fn from_parts(
        plugins: Vec<(&'static str, Vec<Extension>)>,
    ) -> Result<Self, Vec<RegistryError>> {
        let mut errors = Vec::new();
        let mut plugin_ids = HashSet::new();
        let mut extension_ids = HashSet::new();
        let mut page_paths = HashSet::new();
        for (id, extensions) in &plugins {
            if !is_valid_plugin_id(id) {
                errors.push(RegistryError::InvalidPluginId(id.to_string()));
            }
            if !plugin_ids.insert(*id) {
                errors.push(RegistryError::DuplicatePlugin(id.to_string()));
                continue;
            }
            for ext in extensions {
                let ext_id = ext.id(id);
                if !extension_ids.insert(ext_id.clone()) {
                    errors.push(RegistryError::DuplicateExtension(ext_id.clone()));
                }
                let bad_path = |reason: String| RegistryError::InvalidPath {
                    extension: ext_id.clone(),
                    reason,
                };
                match ext {
                    Extension::Page(p) => {
                        if !p.path.starts_with('/') {
                            errors.push(bad_path(format!(
                                "page path \"{}\" must start with /",
                                p.path
                            )));
                        } else if !page_paths.insert(normalize(p.path)) {
                            errors.push(bad_path(format!(
                                "page path \"{}\" is already taken",
                                p.path
                            )));
                        }
                    }
                    Extension::NavItem(n) => {
                        if !n.to.starts_with('/') {
                            errors.push(bad_path(format!(
                                "nav item target \"{}\" must start with /",
                                n.to
                            )));
                        }
                    }
                    Extension::EntityContent(EntityContentExtension { id, filter, .. })
                    | Extension::EntityCard(EntityCardExtension { id, filter, .. }) => {
                        if !is_valid_plugin_id(id) {
                            errors.push(RegistryError::InvalidExtensionId(ext_id.clone()));
                        }
                        if let Some(e) = filter.error() {
                            errors.push(RegistryError::InvalidFilter {
                                extension: ext_id.clone(),
                                reason: e.to_string(),
                            });
                        }
                    }
                    Extension::HeaderItem(h) => {
                        if !is_valid_plugin_id(h.id) {
                            errors.push(RegistryError::InvalidExtensionId(ext_id.clone()));
                        }
                    }
                }
            }
        }
        if errors.is_empty() {
            Ok(Self {
                plugins: plugins
                    .into_iter()
                    .map(|(id, extensions)| RegisteredPlugin { id, extensions })
                    .collect(),
            })
        } else {
            Err(errors)
        }
    }

    /// Every plugin, in registration order.
    pub fn plugins(&self) -> &[RegisteredPlugin] {
        &self.plugins
    }

    /// `(plugin id, page)` for every page, in registration order.
    pub fn pages(&self) -> impl Iterator<Item = (&'static str, &PageExtension)> + '_ {
        self.each(|e| match e {
            Extension::Page(p) => Some(p),
            _ => None,
        })
    }

    /// `(plugin id, nav item)` for every sidebar entry, in registration order.
    pub fn nav_items(&self) -> impl Iterator<Item = (&'static str, &NavItemExtension)> + '_ {
        self.each(|e| match e {
            Extension::NavItem(n) => Some(n),
            _ => None,
        })
    }

    /// `(plugin id, header item)` for every header item, in registration order.
    pub fn header_items(&self) -> impl Iterator<Item = (&'static str, &HeaderItemExtension)> + '_ {
        self.each(|e| match e {
            Extension::HeaderItem(h) => Some(h),
            _ => None,
        })
    }

    /// `(plugin id, tab)` for every entity tab whose filter matches `entity`.
    pub fn entity_contents<'a>(
        &'a self,
        entity: &'a Entity,
    ) -> impl Iterator<Item = (&'static str, &'a EntityContentExtension)> + 'a {
        self.each(|e| match e {
            Extension::EntityContent(c) => Some(c),
            _ => None,
        })
        .filter(move |(_, c)| c.filter.matches(entity))
    }

    /// `(plugin id, card)` for every entity card whose filter matches `entity`.
    pub fn entity_cards<'a>(
        &'a self,
        entity: &'a Entity,
    ) -> impl Iterator<Item = (&'static str, &'a EntityCardExtension)> + 'a {
        self.each(|e| match e {
            Extension::EntityCard(c) => Some(c),
            _ => None,
        })
        .filter(move |(_, c)| c.filter.matches(entity))
    }

    /// Index into [`Self::pages`] order of the page owning `pathname`: the page whose path
    /// is the longest matching prefix (`/` matches only `/`).
    pub fn page_index_for(&self, pathname: &str) -> Option<usize> {
        self.pages()
            .enumerate()
            .filter(|(_, (_, p))| page_matches(p.path, pathname))
            .max_by_key(|(_, (_, p))| normalize(p.path).len())
            .map(|(i, _)| i)
    }

    /// `(plugin id, page)` owning `pathname`, see [`Self::page_index_for`].
    pub fn page_for(&self, pathname: &str) -> Option<(&'static str, &PageExtension)> {
        let i = self.page_index_for(pathname)?;
        self.pages().nth(i)
    }

    fn each<'a, T: 'a>(
        &'a self,
        pick: fn(&'a Extension) -> Option<&'a T>,
    ) -> impl Iterator<Item = (&'static str, &'a T)> + 'a {
        self.plugins.iter().flat_map(move |p| {
            p.extensions
                .iter()
                .filter_map(move |e| pick(e).map(|x| (p.id, x)))
        })
    }
}

/// Provide the registry to the component tree (the shell does this once).
pub fn provide_plugin_registry(registry: Arc<PluginRegistry>) {
    provide_context(registry);
}

/// The shell's plugin registry (empty outside the shell). Entity pages use it to find
/// the tabs and cards of other plugins: `use_plugin_registry().entity_contents(&entity)`;
/// wrap each extension view in `portal_ui::ExtensionBoundary`.
pub fn use_plugin_registry() -> Arc<PluginRegistry> {
    use_context::<Arc<PluginRegistry>>().unwrap_or_default()
}

fn normalize(path: &str) -> &str {
    match path.trim_end_matches('/') {
        "" => "/",
        p => p,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::EntityFilter;
    use leptos::prelude::{AnyView, IntoAny};

    fn view() -> AnyView {
        ().into_any()
    }

    fn page(path: &'static str) -> Extension {
        Extension::Page(PageExtension {
            path,
            title: "t",
            view,
        })
    }

    fn nav(to: &'static str) -> Extension {
        Extension::NavItem(NavItemExtension {
            title: "t",
            icon: "home",
            to,
        })
    }

    fn content(id: &'static str, filter: &str) -> Extension {
        Extension::EntityContent(EntityContentExtension {
            id,
            title: "t",
            path: id,
            filter: EntityFilter::new(filter),
            view: |_| ().into_any(),
        })
    }

    #[test]
    fn should_derive_extension_ids() {
        assert_eq!(page("/").id("home"), "page:home");
        assert_eq!(nav("/").id("home"), "nav-item:home");
        assert_eq!(
            content("k8s", "kind=resource").id("butler"),
            "entity-content:butler/k8s"
        );
        let card = Extension::EntityCard(EntityCardExtension {
            id: "about",
            filter: EntityFilter::all(),
            view: |_| ().into_any(),
        });
        assert_eq!(card.id("catalog"), "entity-card:catalog/about");
    }

    #[test]
    fn should_accept_a_valid_list_in_order() {
        let reg = PluginRegistry::from_parts(vec![
            ("home", vec![page("/"), nav("/")]),
            ("catalog", vec![page("/catalog"), nav("/catalog")]),
            ("butler", vec![content("cluster", "kind=resource")]),
        ])
        .unwrap();
        let ids: Vec<_> = reg.nav_items().map(|(id, _)| id).collect();
        assert_eq!(ids, ["home", "catalog"]);
    }

    #[test]
    fn should_return_every_error_at_once() {
        let errors = PluginRegistry::from_parts(vec![
            ("Bad_Id", vec![]),
            ("home", vec![page("/"), page("/other")]),
            ("home", vec![]),
            ("a", vec![page("/"), nav("relative")]),
            (
                "b",
                vec![
                    content("x", "kind"),
                    content("x", "kind=a"),
                    content("Y", "kind=a"),
                ],
            ),
        ])
        .unwrap_err();
        assert!(errors.contains(&RegistryError::InvalidPluginId("Bad_Id".into())));
        assert!(errors.contains(&RegistryError::DuplicateExtension("page:home".into())));
        assert!(errors.contains(&RegistryError::DuplicatePlugin("home".into())));
        assert!(errors.iter().any(
            |e| matches!(e, RegistryError::InvalidPath { extension, .. } if extension == "page:a")
        ));
        assert!(errors
            .iter()
            .any(|e| matches!(e, RegistryError::InvalidPath { extension, .. } if extension == "nav-item:a")));
        assert!(errors.contains(&RegistryError::DuplicateExtension(
            "entity-content:b/x".into()
        )));
        assert!(errors.contains(&RegistryError::InvalidExtensionId(
            "entity-content:b/Y".into()
        )));
        assert!(errors
            .iter()
            .any(|e| matches!(e, RegistryError::InvalidFilter { extension, .. } if extension == "entity-content:b/x")));
        assert_eq!(errors.len(), 8, "{errors:?}");
        assert!(errors.iter().all(|e| !e.to_string().is_empty()));
    }

    #[test]
    fn should_dispatch_to_longest_prefix_and_root_exactly() {
        let reg = PluginRegistry::from_parts(vec![
            ("home", vec![page("/")]),
            ("catalog", vec![page("/catalog")]),
            ("catalog-import", vec![page("/catalog/import")]),
        ])
        .unwrap();
        let owner = |p: &str| reg.page_for(p).map(|(id, _)| id);
        assert_eq!(owner("/"), Some("home"));
        assert_eq!(owner(""), Some("home"));
        assert_eq!(owner("/catalog"), Some("catalog"));
        assert_eq!(owner("/catalog/"), Some("catalog"));
        assert_eq!(owner("/catalog/default/component/x"), Some("catalog"));
        assert_eq!(owner("/catalog/import/new"), Some("catalog-import"));
        assert_eq!(owner("/catalogue"), None);
        assert_eq!(owner("/some/client/route"), None);
    }

    #[test]
    fn should_filter_entity_extensions() {
        let reg = PluginRegistry::from_parts(vec![(
            "butler",
            vec![
                content("cluster", "kind=resource,spec.type=kubernetes-cluster"),
                content("all", ""),
            ],
        )])
        .unwrap();
        let e: Entity = serde_json::from_value(serde_json::json!({
            "apiVersion": "v1", "kind": "Component", "metadata": {"name": "x"}
        }))
        .unwrap();
        let ids: Vec<_> = reg.entity_contents(&e).map(|(_, c)| c.id).collect();
        assert_eq!(ids, ["all"]);
    }
}
