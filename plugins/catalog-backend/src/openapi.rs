//! The OpenAPI 3 document of `/api/catalog` (hand-maintained; served at
//! `/api/catalog/openapi.json`).

use serde_json::{json, Value};

fn param(name: &str, location: &str, desc: &str, repeat: bool, required: bool) -> Value {
    let schema = if repeat {
        json!({"type": "array", "items": {"type": "string"}})
    } else {
        json!({"type": "string"})
    };
    json!({"name": name, "in": location, "description": desc, "required": required,
           "schema": schema, "explode": true})
}

fn path_params(names: &[&str]) -> Vec<Value> {
    names
        .iter()
        .map(|n| param(n, "path", n, false, true))
        .collect()
}

fn ok(desc: &str, schema: Value) -> Value {
    json!({"description": desc, "content": {"application/json": {"schema": schema}}})
}

fn r(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn errors() -> Value {
    json!({
        "400": ok("InputError", r("Error")),
        "404": ok("NotFoundError", r("Error")),
        "500": ok("Internal error", r("Error")),
    })
}

fn responses(code: &str, body: Value) -> Value {
    let mut e = errors();
    e[code] = body;
    e
}

fn body(schema: Value) -> Value {
    json!({"required": true, "content": {"application/json": {"schema": schema}}})
}

/// The document.
pub fn document() -> Value {
    let filter = param(
        "filter",
        "query",
        "Filter sets (OR'ed); each is comma-separated key[=value] conditions (AND'ed)",
        true,
        false,
    );
    let fields = param(
        "fields",
        "query",
        "Comma-separated dotted fields to return",
        true,
        false,
    );
    let kns = path_params(&["kind", "namespace", "name"]);
    json!({
        "openapi": "3.0.3",
        "info": {"title": "catalog", "version": env!("CARGO_PKG_VERSION"),
                 "description": "The Butler Portal Software Catalog, wire-compatible with Backstage's catalog-backend."},
        "servers": [{"url": "/api/catalog"}],
        "paths": {
            "/entities": {"get": {"operationId": "GetEntities", "parameters": [
                filter, fields,
                param("offset", "query", "Skip this many", false, false),
                param("limit", "query", "Page size (a Link rel=next header is set when more exist)", false, false),
                param("after", "query", "Cursor from the Link header", false, false),
                param("order", "query", "asc:<field> or desc:<field>", true, false)],
                "responses": responses("200", ok("Entities (bare array)", json!({"type": "array", "items": r("Entity")})))}},
            "/entities/by-query": {"get": {"operationId": "GetEntitiesByQuery", "parameters": [
                filter, fields,
                param("limit", "query", "Page size, default 20", false, false),
                param("offset", "query", "Skip this many (first page only)", false, false),
                param("orderField", "query", "<field>,asc|desc", true, false),
                param("fullTextFilterTerm", "query", "Substring to look for", false, false),
                param("fullTextFilterFields", "query", "Fields searched", true, false),
                param("cursor", "query", "Opaque cursor from pageInfo", false, false)],
                "responses": responses("200", ok("A page", r("EntitiesQueryResponse")))}},
            "/entities/by-refs": {"post": {"operationId": "GetEntitiesByRefs", "parameters": [filter],
                "requestBody": body(json!({"type": "object", "required": ["entityRefs"], "properties": {
                    "entityRefs": {"type": "array", "items": {"type": "string"}},
                    "fields": {"type": "array", "items": {"type": "string"}}}})),
                "responses": responses("200", ok("Entities in request order (null when missing)", json!({"type": "object",
                    "properties": {"items": {"type": "array", "items": {"allOf": [r("Entity")], "nullable": true}}}})))}},
            "/entities/by-uid/{uid}": {
                "get": {"operationId": "GetEntityByUid", "parameters": path_params(&["uid"]),
                        "responses": responses("200", ok("The entity", r("Entity")))},
                "delete": {"operationId": "DeleteEntityByUid", "parameters": path_params(&["uid"]),
                           "responses": responses("204", json!({"description": "Deleted"}))}},
            "/entities/by-name/{kind}/{namespace}/{name}": {"get": {"operationId": "GetEntityByName",
                "parameters": kns, "responses": responses("200", ok("The entity", r("Entity")))}},
            "/entities/by-name/{kind}/{namespace}/{name}/ancestry": {"get": {"operationId": "GetEntityAncestryByName",
                "parameters": kns, "responses": responses("200", ok("Ancestry", r("EntityAncestryResponse")))}},
            "/entity-facets": {"get": {"operationId": "GetEntityFacets", "parameters": [
                param("facet", "query", "Dotted field, e.g. kind or spec.type", true, true), filter],
                "responses": responses("200", ok("Facets", r("EntityFacetsResponse")))}},
            "/refresh": {"post": {"operationId": "RefreshEntity",
                "requestBody": body(json!({"type": "object", "required": ["entityRef"], "properties": {
                    "entityRef": {"type": "string"}, "authorizationToken": {"type": "string"}}})),
                "responses": responses("200", json!({"description": "Scheduled"}))}},
            "/validate-entity": {"post": {"operationId": "ValidateEntity",
                "requestBody": body(json!({"type": "object", "required": ["entity", "location"], "properties": {
                    "entity": {"type": "object"}, "location": {"type": "string"}}})),
                "responses": {"200": {"description": "Valid"},
                              "400": ok("Invalid", json!({"type": "object", "properties": {"errors": {"type": "array", "items": r("SerializedError")}}}))}}},
            "/analyze-location": {"post": {"operationId": "AnalyzeLocation",
                "requestBody": body(json!({"type": "object", "required": ["location"], "properties": {
                    "location": r("LocationSpec"), "catalogFilename": {"type": "string"}}})),
                "responses": responses("200", ok("Analysis", json!({"type": "object", "properties": {
                    "existingEntityFiles": {"type": "array", "items": {"type": "object"}},
                    "generateEntities": {"type": "array", "items": {"type": "object"}}}})))}},
            "/locations": {
                "get": {"operationId": "GetLocations", "responses": responses("200", ok("Locations",
                    json!({"type": "array", "items": {"type": "object", "properties": {"data": r("Location")}}})))},
                "post": {"operationId": "CreateLocation",
                    "parameters": [param("dryRun", "query", "Only report what would be created", false, false)],
                    "requestBody": body(r("LocationSpec")),
                    "responses": responses("201", ok("Created", json!({"type": "object", "properties": {
                        "location": r("Location"), "entities": {"type": "array", "items": r("Entity")},
                        "exists": {"type": "boolean"}}})))}},
            "/locations/{id}": {
                "get": {"operationId": "GetLocation", "parameters": path_params(&["id"]),
                        "responses": responses("200", ok("Location", r("Location")))},
                "delete": {"operationId": "DeleteLocation", "parameters": path_params(&["id"]),
                           "responses": responses("204", json!({"description": "Deleted (403 for configured locations)"}))}},
            "/locations/by-entity/{kind}/{namespace}/{name}": {"get": {"operationId": "GetLocationByEntity",
                "parameters": kns, "responses": responses("200", ok("Location", r("Location")))}}
        },
        "components": {"schemas": {
            "Entity": {"type": "object", "required": ["apiVersion", "kind", "metadata"], "properties": {
                "apiVersion": {"type": "string"}, "kind": {"type": "string"},
                "metadata": {"type": "object", "required": ["name"], "properties": {
                    "name": {"type": "string"}, "namespace": {"type": "string"}, "uid": {"type": "string"},
                    "etag": {"type": "string"}, "title": {"type": "string"}, "description": {"type": "string"},
                    "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                    "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "links": {"type": "array", "items": {"type": "object"}}}},
                "spec": {"type": "object"},
                "relations": {"type": "array", "items": {"type": "object", "properties": {
                    "type": {"type": "string"}, "targetRef": {"type": "string"}}}},
                "status": {"type": "object"}}},
            "EntitiesQueryResponse": {"type": "object", "required": ["items", "totalItems", "pageInfo"], "properties": {
                "items": {"type": "array", "items": r("Entity")}, "totalItems": {"type": "integer"},
                "pageInfo": {"type": "object", "properties": {"nextCursor": {"type": "string"}, "prevCursor": {"type": "string"}}}}},
            "EntityAncestryResponse": {"type": "object", "properties": {"rootEntityRef": {"type": "string"},
                "items": {"type": "array", "items": {"type": "object", "properties": {"entity": r("Entity"),
                    "parentEntityRefs": {"type": "array", "items": {"type": "string"}}}}}}},
            "EntityFacetsResponse": {"type": "object", "properties": {"facets": {"type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "object", "properties": {
                    "value": {"type": "string"}, "count": {"type": "integer"}}}}}}},
            "Location": {"type": "object", "required": ["id", "type", "target"], "properties": {
                "id": {"type": "string"}, "type": {"type": "string"}, "target": {"type": "string"}}},
            "LocationSpec": {"type": "object", "required": ["target"], "properties": {
                "type": {"type": "string", "enum": ["url", "file"]}, "target": {"type": "string"},
                "presence": {"type": "string", "enum": ["required", "optional"]}}},
            "SerializedError": {"type": "object", "properties": {"name": {"type": "string"}, "message": {"type": "string"}}},
            "Error": {"type": "object", "properties": {
                "error": {"type": "object", "properties": {"name": {"type": "string"}, "message": {"type": "string"}}},
                "request": {"type": "object", "properties": {"method": {"type": "string"}, "url": {"type": "string"}}},
                "response": {"type": "object", "properties": {"statusCode": {"type": "integer"}}}}}
        }}
    })
}
