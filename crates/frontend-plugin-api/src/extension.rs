//! The closed set of things a frontend plugin can contribute.

use leptos::prelude::AnyView;
use portal_types::Entity;

use crate::filter::EntityFilter;

/// One contribution of a plugin to the shell. Ids are derived, see [`Extension::id`].
#[derive(Clone)]
pub enum Extension {
    /// A routed page; the page owns every path under [`PageExtension::path`].
    Page(PageExtension),
    /// A sidebar entry.
    NavItem(NavItemExtension),
    /// A tab on catalog entity pages.
    EntityContent(EntityContentExtension),
    /// A card on the overview tab of catalog entity pages.
    EntityCard(EntityCardExtension),
    /// A small item in the header bar (badges, indicators), left of the theme toggle.
    HeaderItem(HeaderItemExtension),
}

/// A routed page.
#[derive(Clone)]
pub struct PageExtension {
    /// Mount path, e.g. `/catalog`. The page owns every path below it (read the rest with
    /// [`crate::use_subpath`]). `/` matches only the root itself.
    pub path: &'static str,
    /// Human title (used for the document title).
    pub title: &'static str,
    /// Renders the page.
    pub view: fn() -> AnyView,
}

/// A sidebar entry.
#[derive(Clone)]
pub struct NavItemExtension {
    /// Label.
    pub title: &'static str,
    /// An icon name known to `portal-ui` (`home`, `catalog`, `templates`, `cluster`,
    /// `settings`, `user`, `search`, …) or raw SVG path data (`M…`) for a 24×24 box.
    pub icon: &'static str,
    /// Target path, e.g. `/catalog`.
    pub to: &'static str,
}

/// A tab on catalog entity pages, shown when [`EntityContentExtension::filter`] matches.
#[derive(Clone)]
pub struct EntityContentExtension {
    /// Id, unique within the plugin (same syntax as plugin ids).
    pub id: &'static str,
    /// Tab label.
    pub title: &'static str,
    /// Sub-path of the tab below the entity page, e.g. `kubernetes`.
    pub path: &'static str,
    /// Which entities get this tab.
    pub filter: EntityFilter,
    /// Renders the tab body.
    pub view: fn(Entity) -> AnyView,
}

/// A card on entity overview pages, shown when [`EntityCardExtension::filter`] matches.
#[derive(Clone)]
pub struct EntityCardExtension {
    /// Id, unique within the plugin (same syntax as plugin ids).
    pub id: &'static str,
    /// Which entities get this card.
    pub filter: EntityFilter,
    /// Renders the card.
    pub view: fn(Entity) -> AnyView,
}

/// A small item in the header bar, e.g. the Butler plugin's "Demo cluster" badge.
#[derive(Clone)]
pub struct HeaderItemExtension {
    /// Id, unique within the plugin (same syntax as plugin ids).
    pub id: &'static str,
    /// Renders the item (keep it compact; render nothing when there is nothing to say).
    pub view: fn() -> AnyView,
}

impl Extension {
    /// The extension id for plugin `plugin`: `page:<plugin>`, `nav-item:<plugin>`,
    /// `entity-content:<plugin>/<id>` or `entity-card:<plugin>/<id>`.
    pub fn id(&self, plugin: &str) -> String {
        match self {
            Extension::Page(_) => format!("page:{plugin}"),
            Extension::NavItem(_) => format!("nav-item:{plugin}"),
            Extension::EntityContent(c) => format!("entity-content:{plugin}/{}", c.id),
            Extension::EntityCard(c) => format!("entity-card:{plugin}/{}", c.id),
            Extension::HeaderItem(h) => format!("header-item:{plugin}/{}", h.id),
        }
    }
}
