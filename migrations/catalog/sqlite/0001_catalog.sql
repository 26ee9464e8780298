CREATE TABLE catalog_locations (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    target TEXT NOT NULL,
    source TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (type, target)
);

CREATE TABLE catalog_refresh_state (
    entity_id TEXT PRIMARY KEY,
    entity_ref TEXT NOT NULL UNIQUE,
    unprocessed_entity TEXT NOT NULL,
    unprocessed_hash TEXT NOT NULL,
    processed_entity TEXT,
    result_hash TEXT,
    errors TEXT,
    location_key TEXT,
    next_update_at BIGINT NOT NULL,
    last_discovery_at BIGINT NOT NULL
);
CREATE INDEX catalog_refresh_state_next_idx ON catalog_refresh_state (next_update_at);

CREATE TABLE catalog_refresh_refs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source_key TEXT,
    source_entity_ref TEXT,
    target_entity_ref TEXT NOT NULL
);
CREATE INDEX catalog_refresh_refs_source_key_idx ON catalog_refresh_refs (source_key);
CREATE INDEX catalog_refresh_refs_source_ref_idx ON catalog_refresh_refs (source_entity_ref);
CREATE INDEX catalog_refresh_refs_target_idx ON catalog_refresh_refs (target_entity_ref);

CREATE TABLE catalog_relations (
    originating_entity_id TEXT NOT NULL,
    source_entity_ref TEXT NOT NULL,
    type TEXT NOT NULL,
    target_entity_ref TEXT NOT NULL
);
CREATE INDEX catalog_relations_origin_idx ON catalog_relations (originating_entity_id);
CREATE INDEX catalog_relations_source_idx ON catalog_relations (source_entity_ref);
CREATE INDEX catalog_relations_target_idx ON catalog_relations (target_entity_ref);

CREATE TABLE catalog_final_entities (
    entity_id TEXT PRIMARY KEY,
    entity_ref TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    namespace TEXT NOT NULL,
    name TEXT NOT NULL,
    hash TEXT NOT NULL,
    final_entity TEXT NOT NULL,
    stitched_at BIGINT NOT NULL
);
CREATE INDEX catalog_final_entities_kind_idx ON catalog_final_entities (kind, entity_ref);
CREATE INDEX catalog_final_entities_name_idx ON catalog_final_entities (name, entity_ref);

CREATE TABLE catalog_search (
    entity_id TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT,
    original_value TEXT
);
CREATE INDEX catalog_search_key_value_idx ON catalog_search (key, value, original_value, entity_id);
CREATE INDEX catalog_search_entity_idx ON catalog_search (entity_id);
