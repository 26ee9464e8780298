//! Sign-in resolvers: map an OIDC profile to a catalog User entity ref.

use crate::config::OidcConfig;
use crate::oidc::OidcProfile;
use crate::service::AuthService;

/// Resolve with the provider's resolvers in order (default: email → profile email, then
/// email local part → User name). Fails when no User entity matches.
pub async fn resolve(
    service: &AuthService,
    cfg: &OidcConfig,
    profile: &OidcProfile,
) -> Result<String, String> {
    let resolvers: Vec<String> = cfg
        .sign_in
        .as_ref()
        .map(|s| s.resolvers.iter().map(|r| r.resolver.clone()).collect())
        .filter(|v: &Vec<String>| !v.is_empty())
        .unwrap_or_else(|| {
            vec![
                "emailMatchingUserEntityProfileEmail".into(),
                "emailLocalPartMatchingUserEntityName".into(),
            ]
        });
    let email = profile
        .email
        .clone()
        .ok_or("the identity provider did not return an email address")?;
    let Some(directory) = service.directory.get() else {
        return Err("the catalog is not available to resolve users".into());
    };
    for r in &resolvers {
        match r.as_str() {
            "emailMatchingUserEntityProfileEmail" => {
                if let Some(u) = directory.find_by_email(&email).await {
                    return Ok(u.entity_ref);
                }
            }
            "emailLocalPartMatchingUserEntityName" => {
                let local = email
                    .split('@')
                    .next()
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                if let Some(u) = directory
                    .find_by_ref(&format!("user:default/{local}"))
                    .await
                {
                    return Ok(u.entity_ref);
                }
            }
            other => return Err(format!("unknown sign-in resolver `{other}`")),
        }
    }
    Err(format!(
        "no User entity in the catalog matches {email}; ask an administrator to add you"
    ))
}
