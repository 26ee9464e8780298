//! Typed extension points shared between plugins.
//!
//! An extension point is any `Default + Send + Sync` type (usually holding a
//! `Mutex<Vec<…>>` of contributions) defined in this crate or a `-node`-style crate. The
//! first plugin to ask for it creates it; everyone else gets the same `Arc`.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The set of extension points of one backend.
#[derive(Default)]
pub struct Extensions {
    map: Mutex<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>,
}

impl Extensions {
    /// Get the extension point of type `T`, creating it with `Default` on first use.
    pub fn get_or_default<T: Default + Send + Sync + 'static>(&self) -> Arc<T> {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        let entry = map
            .entry(TypeId::of::<T>())
            .or_insert_with(|| Arc::new(T::default()) as Arc<dyn Any + Send + Sync>)
            .clone();
        drop(map);
        entry
            .downcast::<T>()
            .unwrap_or_else(|_| unreachable!("extension map is keyed by TypeId"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Point(Mutex<Vec<u32>>);

    #[test]
    fn should_share_one_instance_per_type() {
        let ext = Extensions::default();
        ext.get_or_default::<Point>().0.lock().unwrap().push(1);
        ext.get_or_default::<Point>().0.lock().unwrap().push(2);
        assert_eq!(*ext.get_or_default::<Point>().0.lock().unwrap(), vec![1, 2]);
    }
}
