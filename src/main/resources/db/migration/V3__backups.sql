-- tenantctl catalog, version 3: backups, per-tier backup policies, and databases retired by restores.

-- One row per backup attempt. 'running' while it is written, 'complete' once manifest.json is stored, 'failed'
-- when it was abandoned (its files are removed, or left without a manifest), 'pruned' after retention deleted it.
create table backups (
    backup_id     text primary key,
    org_id        text not null,
    location      text not null,
    pool_id       text,
    database_name text,
    started_at    timestamptz not null default now(),
    finished_at   timestamptz,
    status        text not null check (status in ('running', 'complete', 'failed', 'pruned')),
    docs          bigint,
    bytes         bigint,
    sha256        text,
    schema_hash   text,
    run_id        text,
    error         text
);
create index backups_org_started_idx on backups (org_id, started_at desc);

-- How often each tier is backed up (backup --due) and how long its backups are kept (backups prune).
create table backup_policies (
    tier            text primary key,
    frequency_hours int not null check (frequency_hours > 0),
    retention_days  int not null check (retention_days >= 0),
    keep_last       int not null check (keep_last >= 1)
);
insert into backup_policies (tier, frequency_hours, retention_days, keep_last) values
    ('free',       168, 14,  2),
    ('starter',     24, 30,  7),
    ('growth',      12, 60, 14),
    ('enterprise',   4, 90, 30);

-- Databases an org no longer points at (a restore replaced them). Never dropped by tenantctl restore: an operator
-- (or a later cleanup verb) drops them once nobody needs them.
create table retired_databases (
    pool_id       text not null,
    database_name text not null,
    org_id        text not null,
    retired_at    timestamptz not null default now(),
    reason        text not null,
    primary key (pool_id, database_name)
);
