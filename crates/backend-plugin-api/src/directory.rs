//! [`UserDirectoryExtensionPoint`]: how sign-in resolves a person to a catalog User
//! entity and its groups, without the auth plugin depending on the catalog plugin.
//! The catalog installs a [`UserDirectory`]; sign-in resolvers call it.

use async_trait::async_trait;
use std::sync::{Arc, RwLock};

/// A User entity as sign-in needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryUser {
    /// `user:<ns>/<name>`.
    pub entity_ref: String,
    /// Group refs the user is `memberOf`.
    pub member_of: Vec<String>,
    /// `spec.profile.displayName`.
    pub display_name: Option<String>,
    /// `spec.profile.email`.
    pub email: Option<String>,
    /// `spec.profile.picture`.
    pub picture: Option<String>,
}

/// Looks users up in the catalog.
#[async_trait]
pub trait UserDirectory: Send + Sync + 'static {
    /// The User whose `spec.profile.email` equals `email` (case-insensitive).
    async fn find_by_email(&self, email: &str) -> Option<DirectoryUser>;
    /// The User with this ref (e.g. `user:default/jdoe`).
    async fn find_by_ref(&self, entity_ref: &str) -> Option<DirectoryUser>;
}

/// Extension point holding the installed directory.
#[derive(Default)]
pub struct UserDirectoryExtensionPoint {
    directory: RwLock<Option<Arc<dyn UserDirectory>>>,
}

impl UserDirectoryExtensionPoint {
    /// Install the directory (the catalog does this).
    pub fn set(&self, directory: Arc<dyn UserDirectory>) {
        *self.directory.write().unwrap_or_else(|e| e.into_inner()) = Some(directory);
    }

    /// The installed directory, if any.
    pub fn get(&self) -> Option<Arc<dyn UserDirectory>> {
        self.directory
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}
