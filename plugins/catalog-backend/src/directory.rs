//! The catalog as the [`UserDirectory`] sign-in resolves people against, and as the
//! facts provider of the `catalog-entity` permission resource.

use crate::permissions::entity_facts;
use crate::store::entities::{self, EntityQuery};
use backend_plugin_api::directory::{DirectoryUser, UserDirectory};
use backend_plugin_api::permission::{ResourceFacts, ResourceFactsProvider};
use backend_plugin_api::{async_trait, Database};
use plugin_catalog_common::filter::parse_entity_filter;
use serde_json::Value;

/// Reads User entities from the final entities.
pub struct CatalogDirectory {
    db: Database,
}

impl CatalogDirectory {
    /// Over the catalog database.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

fn to_user(json: &str) -> Option<DirectoryUser> {
    let v: Value = serde_json::from_str(json).ok()?;
    if !v["kind"].as_str()?.eq_ignore_ascii_case("user") {
        return None;
    }
    let ns = v["metadata"]["namespace"].as_str().unwrap_or("default");
    let name = v["metadata"]["name"].as_str()?;
    let member_of = v["relations"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["type"] == "memberOf")
        .filter_map(|r| r["targetRef"].as_str().map(str::to_ascii_lowercase))
        .collect();
    let profile = &v["spec"]["profile"];
    let text = |k: &str| profile[k].as_str().map(str::to_string);
    Some(DirectoryUser {
        entity_ref: format!("user:{}/{}", ns, name).to_ascii_lowercase(),
        member_of,
        display_name: text("displayName"),
        email: text("email"),
        picture: text("picture"),
    })
}

#[async_trait]
impl UserDirectory for CatalogDirectory {
    async fn find_by_email(&self, email: &str) -> Option<DirectoryUser> {
        if email.contains(',') || email.contains('=') {
            return None;
        }
        let filter =
            parse_entity_filter(&[format!("kind=user,spec.profile.email={email}")]).ok()?;
        let q = EntityQuery {
            filter,
            ..Default::default()
        };
        let rows = entities::page(&self.db, &q, None, None, Some(2))
            .await
            .ok()?;
        // Ambiguous emails resolve to nobody rather than to an arbitrary person.
        if rows.len() != 1 {
            return None;
        }
        to_user(&rows[0].json)
    }

    async fn find_by_ref(&self, entity_ref: &str) -> Option<DirectoryUser> {
        let json = entities::by_ref(&self.db, &entity_ref.to_ascii_lowercase())
            .await
            .ok()??;
        to_user(&json)
    }
}

#[async_trait]
impl ResourceFactsProvider for CatalogDirectory {
    async fn facts(&self, resource_ref: &str) -> Option<ResourceFacts> {
        let r = plugin_catalog_common::EntityRef::parse(resource_ref, None, None).ok()?;
        let json = entities::by_ref(&self.db, &r.to_string()).await.ok()??;
        let v: Value = serde_json::from_str(&json).ok()?;
        Some(entity_facts(&v))
    }
}
