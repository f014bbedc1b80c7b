-- tenantctl catalog, version 4: the run engine every fan-out verb shares, and org leases.

-- A run can be cancelled (runs cancel): its items that never started are recorded as such.
alter table runs drop constraint runs_status_check;
alter table runs add constraint runs_status_check
    check (status in ('running', 'succeeded', 'failed', 'aborted', 'interrupted', 'cancelled'));

alter table run_items drop constraint run_items_status_check;
alter table run_items add constraint run_items_status_check
    check (status in ('held', 'pending', 'running', 'succeeded', 'unchanged', 'skipped', 'failed', 'cancelled'));
-- An item whose org another operation holds is put back to be claimed again no sooner than this.
alter table run_items add column not_before timestamptz;
-- When the item first found its org held by another operation (it fails if that lasts too long).
alter table run_items add column busy_since timestamptz;

-- One operation per org at a time. Whoever mutates an org (provision, migrate, frozen backup, restore, move,
-- delete) holds its lease, renewed by its worker's heartbeat. A second operation is refused naming the holder; a
-- lease whose holder stopped renewing it expires, and the next operation on the org recovers from 'state' (what
-- the holder had done and how to undo it).
create table org_leases (
    org_id      text primary key,
    holder      text not null,
    host        text,
    pid         bigint,
    operation   text not null,
    run_id      text,
    state       jsonb,
    acquired_at timestamptz not null default now(),
    lease_until timestamptz not null
);

-- Why a run stopped short (a canary failed, the failure budget was spent, it was cancelled): for every worker to see.
alter table runs add column reason text;

-- Every worker on a run beats here (every quarter lease): a running run whose workers all stopped beating is
-- shown as abandoned, with the commands that resume or cancel it.
alter table runs add column heartbeat_at timestamptz;
