-- tenantctl catalog, version 2: every applied manifest kept by hash (so a migration can diff an org's recorded
-- manifest against the new one and touch only what changed), and run items that several workers can claim.

create table manifests (
    hash       text primary key,
    source     text,
    body       text not null,
    created_at timestamptz not null default now()
);

alter table runs add column summary jsonb;

alter table run_items
    add column pool_id     text,
    add column seq         int not null default 0,
    add column claimed_by  text,
    add column lease_until timestamptz,
    add column detail      jsonb;

alter table run_items drop constraint run_items_status_check;
alter table run_items add constraint run_items_status_check
    check (status in ('held', 'pending', 'running', 'succeeded', 'unchanged', 'skipped', 'failed'));

create index run_items_claim_idx on run_items (run_id, status, seq);
