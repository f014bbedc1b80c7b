-- tenantctl catalog, version 1: pools, orgs, run history and the routing view applications read.

create table pools (
    pool_id    text primary key,
    uri        text not null,
    capacity   int  not null check (capacity >= 0),
    status     text not null default 'active' check (status in ('active', 'draining', 'disabled')),
    priority   int  not null default 100,
    created_at timestamptz not null default now()
);

create table orgs (
    org_id        text primary key,
    pool_id       text not null references pools (pool_id),
    database_name text not null unique,
    status        text not null check (status in ('provisioning', 'active', 'read_only', 'moving',
                                                  'restoring', 'deleting', 'deleted', 'failed')),
    tier          text not null default 'free',
    schema_hash   text,
    version       bigint not null default 1,
    created_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now()
);
create index orgs_pool_status_idx on orgs (pool_id, status);

create table runs (
    run_id      text primary key,
    verb        text not null,
    args        jsonb not null default '{}'::jsonb,
    started_at  timestamptz not null default now(),
    finished_at timestamptz,
    status      text not null check (status in ('running', 'succeeded', 'failed', 'aborted', 'interrupted')),
    actor       text
);
create index runs_started_idx on runs (started_at desc);

create table run_items (
    run_id   text not null references runs (run_id) on delete cascade,
    org_id   text not null,
    status   text not null check (status in ('pending', 'running', 'succeeded', 'unchanged', 'skipped', 'failed')),
    attempts int  not null default 0,
    millis   bigint,
    error    text,
    primary key (run_id, org_id)
);

-- What applications read: where an org lives and whether it may be written to.
create view routing as
select o.org_id, p.uri as pool_uri, o.database_name, (o.status = 'active') as writable
from orgs o
join pools p on p.pool_id = o.pool_id
where o.status in ('active', 'read_only', 'moving', 'restoring');
