CREATE TABLE catalog_locations (
    id TEXT COLLATE "C" PRIMARY KEY,
    type TEXT COLLATE "C" NOT NULL,
    target TEXT COLLATE "C" NOT NULL,
    source TEXT COLLATE "C" NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL,
    UNIQUE (type, target)
);

CREATE TABLE catalog_refresh_state (
    entity_id TEXT COLLATE "C" PRIMARY KEY,
    entity_ref TEXT COLLATE "C" NOT NULL UNIQUE,
    unprocessed_entity TEXT COLLATE "C" NOT NULL,
    unprocessed_hash TEXT COLLATE "C" NOT NULL,
    processed_entity TEXT COLLATE "C",
    result_hash TEXT COLLATE "C",
    errors TEXT COLLATE "C",
    location_key TEXT COLLATE "C",
    next_update_at BIGINT NOT NULL,
    last_discovery_at BIGINT NOT NULL
);
CREATE INDEX catalog_refresh_state_next_idx ON catalog_refresh_state (next_update_at);

CREATE TABLE catalog_refresh_refs (
    id BIGSERIAL PRIMARY KEY,
    source_key TEXT COLLATE "C",
    source_entity_ref TEXT COLLATE "C",
    target_entity_ref TEXT COLLATE "C" NOT NULL
);
CREATE INDEX catalog_refresh_refs_source_key_idx ON catalog_refresh_refs (source_key);
CREATE INDEX catalog_refresh_refs_source_ref_idx ON catalog_refresh_refs (source_entity_ref);
CREATE INDEX catalog_refresh_refs_target_idx ON catalog_refresh_refs (target_entity_ref);

CREATE TABLE catalog_relations (
    originating_entity_id TEXT COLLATE "C" NOT NULL,
    source_entity_ref TEXT COLLATE "C" NOT NULL,
    type TEXT COLLATE "C" NOT NULL,
    target_entity_ref TEXT COLLATE "C" NOT NULL
);
CREATE INDEX catalog_relations_origin_idx ON catalog_relations (originating_entity_id);
CREATE INDEX catalog_relations_source_idx ON catalog_relations (source_entity_ref);
CREATE INDEX catalog_relations_target_idx ON catalog_relations (target_entity_ref);

CREATE TABLE catalog_final_entities (
    entity_id TEXT COLLATE "C" PRIMARY KEY,
    entity_ref TEXT COLLATE "C" NOT NULL UNIQUE,
    kind TEXT COLLATE "C" NOT NULL,
    namespace TEXT COLLATE "C" NOT NULL,
    name TEXT COLLATE "C" NOT NULL,
    hash TEXT COLLATE "C" NOT NULL,
    final_entity TEXT COLLATE "C" NOT NULL,
    stitched_at BIGINT NOT NULL
);
CREATE INDEX catalog_final_entities_kind_idx ON catalog_final_entities (kind, entity_ref);
CREATE INDEX catalog_final_entities_name_idx ON catalog_final_entities (name, entity_ref);

CREATE TABLE catalog_search (
    entity_id TEXT COLLATE "C" NOT NULL,
    key TEXT COLLATE "C" NOT NULL,
    value TEXT COLLATE "C",
    original_value TEXT COLLATE "C"
);
CREATE INDEX catalog_search_key_value_idx ON catalog_search (key, value, original_value, entity_id);
CREATE INDEX catalog_search_entity_idx ON catalog_search (entity_id);
