//! Decoding of the Kubernetes protobuf envelope for the few built-in kinds `kubectl` sends as
//! protobuf (`kubectl create namespace|configmap|secret`, `kubectl auth can-i`): the emulator
//! otherwise speaks JSON only (responses are always JSON, which clients accept).

use crate::error::{ApiError, ApiResult};
use base64::Engine;
use serde_json::{json, Map, Value};

/// How to map one protobuf field to JSON.
enum F {
    Str(&'static str),
    Bool(&'static str),
    RepStr(&'static str),
    MapStr(&'static str),
    MapBytes(&'static str),
    Msg(&'static str, &'static [(u64, F)]),
}

const META: &[(u64, F)] = &[
    (1, F::Str("name")),
    (2, F::Str("generateName")),
    (3, F::Str("namespace")),
    (6, F::Str("resourceVersion")),
    (11, F::MapStr("labels")),
    (12, F::MapStr("annotations")),
    (14, F::RepStr("finalizers")),
];
const NAMESPACE: &[(u64, F)] = &[
    (1, F::Msg("metadata", META)),
    (2, F::Msg("spec", &[(1, F::RepStr("finalizers"))])),
];
const CONFIGMAP: &[(u64, F)] = &[
    (1, F::Msg("metadata", META)),
    (2, F::MapStr("data")),
    (3, F::MapBytes("binaryData")),
    (4, F::Bool("immutable")),
];
const SECRET: &[(u64, F)] = &[
    (1, F::Msg("metadata", META)),
    (2, F::MapBytes("data")),
    (3, F::Str("type")),
    (4, F::MapStr("stringData")),
    (5, F::Bool("immutable")),
];
const SERVICEACCOUNT: &[(u64, F)] = &[(1, F::Msg("metadata", META))];
const RESOURCE_ATTRIBUTES: &[(u64, F)] = &[
    (1, F::Str("namespace")),
    (2, F::Str("verb")),
    (3, F::Str("group")),
    (4, F::Str("version")),
    (5, F::Str("resource")),
    (6, F::Str("subresource")),
    (7, F::Str("name")),
];
const SSAR: &[(u64, F)] = &[
    (1, F::Msg("metadata", META)),
    (
        2,
        F::Msg(
            "spec",
            &[
                (1, F::Msg("resourceAttributes", RESOURCE_ATTRIBUTES)),
                (
                    2,
                    F::Msg(
                        "nonResourceAttributes",
                        &[(1, F::Str("path")), (2, F::Str("verb"))],
                    ),
                ),
            ],
        ),
    ),
];

fn varint(b: &[u8], i: &mut usize) -> Option<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *b.get(*i)?;
        *i += 1;
        v |= ((byte & 0x7f) as u64) << shift;
        if byte & 0x80 == 0 {
            return Some(v);
        }
    }
    None
}

enum Wire<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
}

fn fields(b: &[u8]) -> Option<Vec<(u64, Wire<'_>)>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let tag = varint(b, &mut i)?;
        let (num, wt) = (tag >> 3, tag & 7);
        match wt {
            0 => out.push((num, Wire::Varint(varint(b, &mut i)?))),
            2 => {
                let len = varint(b, &mut i)? as usize;
                let s = b.get(i..i + len)?;
                i += len;
                out.push((num, Wire::Bytes(s)));
            }
            1 => i += 8,
            5 => i += 4,
            _ => return None,
        }
    }
    Some(out)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn decode(b: &[u8], schema: &[(u64, F)]) -> Option<Value> {
    let mut o = Map::new();
    for (num, w) in fields(b)? {
        let Some((_, f)) = schema.iter().find(|(n, _)| *n == num) else {
            continue;
        };
        match (f, w) {
            (F::Str(k), Wire::Bytes(s)) => {
                o.insert(k.to_string(), json!(text(s)));
            }
            (F::Bool(k), Wire::Varint(v)) => {
                o.insert(k.to_string(), json!(v != 0));
            }
            (F::RepStr(k), Wire::Bytes(s)) => {
                o.entry(k.to_string())
                    .or_insert(json!([]))
                    .as_array_mut()?
                    .push(json!(text(s)));
            }
            (F::MapStr(k) | F::MapBytes(k), Wire::Bytes(entry)) => {
                let mut key = String::new();
                let mut val = String::new();
                for (n, w) in fields(entry)? {
                    if let Wire::Bytes(x) = w {
                        match n {
                            1 => key = text(x),
                            2 if matches!(f, F::MapBytes(_)) => {
                                val = base64::engine::general_purpose::STANDARD.encode(x)
                            }
                            2 => val = text(x),
                            _ => {}
                        }
                    }
                }
                o.entry(k.to_string())
                    .or_insert(json!({}))
                    .as_object_mut()?
                    .insert(key, json!(val));
            }
            (F::Msg(k, sub), Wire::Bytes(s)) => {
                o.insert(k.to_string(), decode(s, sub)?);
            }
            _ => {}
        }
    }
    Some(Value::Object(o))
}

/// Decode a `application/vnd.kubernetes.protobuf` body into the JSON object.
pub fn decode_body(body: &[u8]) -> ApiResult<Value> {
    let bad = |m: &str| {
        ApiError::unsupported_media_type(&format!("application/vnd.kubernetes.protobuf ({m})"))
    };
    let raw = body
        .strip_prefix(b"k8s\x00")
        .ok_or_else(|| bad("missing k8s envelope"))?;
    let mut api_version = String::new();
    let mut kind = String::new();
    let mut inner: &[u8] = &[];
    for (n, w) in fields(raw).ok_or_else(|| bad("malformed envelope"))? {
        match (n, w) {
            (1, Wire::Bytes(tm)) => {
                for (m, w2) in fields(tm).ok_or_else(|| bad("malformed typeMeta"))? {
                    if let Wire::Bytes(x) = w2 {
                        match m {
                            1 => api_version = text(x),
                            2 => kind = text(x),
                            _ => {}
                        }
                    }
                }
            }
            (2, Wire::Bytes(r)) => inner = r,
            _ => {}
        }
    }
    let schema = match kind.as_str() {
        "Namespace" => NAMESPACE,
        "ConfigMap" => CONFIGMAP,
        "Secret" => SECRET,
        "ServiceAccount" => SERVICEACCOUNT,
        "SelfSubjectAccessReview" => SSAR,
        other => return Err(bad(&format!("kind {other} is only accepted as JSON"))),
    };
    let mut v = decode(inner, schema).ok_or_else(|| bad("malformed object"))?;
    v["apiVersion"] = json!(api_version);
    v["kind"] = json!(kind);
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(n: u64, payload: &[u8]) -> Vec<u8> {
        let mut v = vec![((n << 3) | 2) as u8, payload.len() as u8];
        v.extend_from_slice(payload);
        v
    }

    #[test]
    fn decodes_a_namespace() {
        let label = [field(1, b"team"), field(2, b"web")].concat();
        let meta = [field(1, b"web"), field(11, &label)].concat();
        let obj = field(1, &meta);
        let tm = [field(1, b"v1"), field(2, b"Namespace")].concat();
        let body = [b"k8s\x00".to_vec(), field(1, &tm), field(2, &obj)].concat();
        let v = decode_body(&body).unwrap();
        assert_eq!(
            v,
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "web", "labels": {"team": "web"}}})
        );
    }
}
