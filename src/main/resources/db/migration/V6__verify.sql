-- tenantctl catalog, version 6: what verify found, kept across runs.

-- One row per problem (or informational finding). finding_id is stable: the same problem gets the same id on every
-- run (a hash of its kind and subject). A finding a run no longer sees (within what it checked) is resolved; one seen
-- again is open again. ack silences it until acked_until.
create table findings (
    finding_id    text primary key,
    kind          text not null,
    severity      text not null check (severity in ('problem', 'info')),
    org_id        text,
    pool_id       text,
    subject       text,
    detail        text not null,
    fix           text,
    first_seen    timestamptz not null default now(),
    last_seen     timestamptz not null default now(),
    resolved_at   timestamptz,
    acked_until   timestamptz,
    ack_reason    text,
    acked_by      text
);
create index findings_open_idx on findings (resolved_at, kind);

-- When each org was last verified clean, and at which version of its catalog row (verify --changed-only skips orgs
-- verified clean since their last change).
create table org_verifications (
    org_id       text primary key,
    verified_at  timestamptz not null,
    org_version  bigint not null
);

-- verify --deep: when a backup's files were last read and checked, so that a deep verify does not read it again.
alter table backups add column verified_at timestamptz;
