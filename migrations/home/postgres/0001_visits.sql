CREATE TABLE home_visits (
    id BIGSERIAL PRIMARY KEY,
    visited_at TEXT NOT NULL
);
