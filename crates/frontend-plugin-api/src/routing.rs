//! Path helpers for pages that own a path prefix.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// Whether the page mounted at `page_path` owns `pathname`: `/` owns only `/`; any other
/// path owns itself and everything below it (`/catalog` owns `/catalog/a/b`, not
/// `/catalogue`).
pub fn page_matches(page_path: &str, pathname: &str) -> bool {
    let page = page_path.trim_end_matches('/');
    let path = pathname.trim_end_matches('/');
    if page.is_empty() {
        return path.is_empty();
    }
    path == page || path.strip_prefix(page).is_some_and(|r| r.starts_with('/'))
}

/// The mount path of the page being rendered, provided by the shell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageBase(pub &'static str);

/// Provide the mount path of the page rendered below (called by the shell).
pub fn provide_page_base(path: &'static str) {
    provide_context(PageBase(path));
}

/// The mount path of the current page (`/` outside of a page).
pub fn use_page_base() -> &'static str {
    use_context::<PageBase>().map(|b| b.0).unwrap_or("/")
}

/// The current location below the page's mount path, always starting with `/`:
/// on page `/catalog`, `/catalog/default/component/x` gives `/default/component/x` and
/// `/catalog` gives `/`.
pub fn use_subpath() -> Memo<String> {
    let base = use_page_base().trim_end_matches('/');
    let location = use_location();
    Memo::new(move |_| {
        let path = location.pathname.get();
        let rest = path.strip_prefix(base).unwrap_or(&path);
        if rest.starts_with('/') {
            rest.to_string()
        } else {
            format!("/{rest}")
        }
    })
}

#[cfg(test)]
mod tests {
    use super::page_matches;

    #[test]
    fn should_match_root_exactly_and_others_by_segment_prefix() {
        assert!(page_matches("/", "/"));
        assert!(page_matches("/", ""));
        assert!(!page_matches("/", "/x"));
        assert!(page_matches("/catalog", "/catalog"));
        assert!(page_matches("/catalog/", "/catalog/a/b"));
        assert!(!page_matches("/catalog", "/catalogue"));
        assert!(!page_matches("/catalog", "/"));
    }
}
