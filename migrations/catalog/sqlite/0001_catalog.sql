CREATE TABLE catalog_locations (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    target TEXT NOT NULL,
    source TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (type, target)
);

-- `id` is the internal key (final entities and search rows use it); `entity_id` is the
-- public uid.
CREATE TABLE catalog_refresh_state (
    id INTEGER PRIMARY KEY,
    entity_id TEXT NOT NULL UNIQUE,
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

-- `originating_entity` is the catalog_refresh_state.id of the entity whose processing
-- emitted the relation.
CREATE TABLE catalog_relations (
    originating_entity BIGINT NOT NULL,
    source_entity_ref TEXT NOT NULL,
    type TEXT NOT NULL,
    target_entity_ref TEXT NOT NULL
);
CREATE INDEX catalog_relations_origin_idx ON catalog_relations (originating_entity);
CREATE INDEX catalog_relations_source_idx ON catalog_relations (source_entity_ref, type, target_entity_ref);

-- `id` is catalog_refresh_state.id.
CREATE TABLE catalog_final_entities (
    id INTEGER PRIMARY KEY,
    entity_id TEXT NOT NULL UNIQUE,
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

-- The flattened final entities (filters, sorting, full text, facets). `entity` is
-- catalog_final_entities.id; `original_value` is only stored when it differs from
-- `value` (the lowercased form), i.e. the value as written is COALESCE(original_value, value).
CREATE TABLE catalog_search (
    entity BIGINT NOT NULL,
    key TEXT NOT NULL,
    value TEXT,
    original_value TEXT
);
CREATE INDEX catalog_search_key_value_idx ON catalog_search (key, value, original_value, entity);
CREATE INDEX catalog_search_entity_idx ON catalog_search (entity);
