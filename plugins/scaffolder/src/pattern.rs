//! JSON Schema `pattern`s matched with the browser's `RegExp` (ECMA-262, what JSON Schema
//! patterns are written for), so the wizard agrees with the server's validator.

use js_sys::{Array, Function, Reflect, RegExp};
use plugin_scaffolder_common::schema::PatternMatcher;
use wasm_bindgen::{JsCast, JsValue};

/// A [`PatternMatcher`] over `RegExp` (unicode mode). Only usable in a browser.
pub struct JsRegex;

impl PatternMatcher for JsRegex {
    fn is_match(&self, pattern: &str, value: &str) -> Result<bool, String> {
        let ctor: Function = Reflect::get(&js_sys::global(), &JsValue::from_str("RegExp"))
            .map_err(|_| "RegExp is not available".to_string())?
            .dyn_into()
            .map_err(|_| "RegExp is not a function".to_string())?;
        let args = Array::of2(&JsValue::from_str(pattern), &JsValue::from_str("u"));
        let re = Reflect::construct(&ctor, &args).map_err(|e| {
            e.as_string()
                .unwrap_or_else(|| format!("invalid pattern {pattern}"))
        })?;
        Ok(re.unchecked_into::<RegExp>().test(value))
    }
}
