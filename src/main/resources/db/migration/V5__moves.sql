-- tenantctl catalog, version 5: rebalance's moves, one persisted state machine per org moved between pools.
--
-- planned -> frozen -> copying -> verifying -> flipped -> retained -> cleaned, or aborted (rolled back before the
-- flip: target dropped, org back on its source) or reverted (flipped back to the retained source). The row, with the
-- target's pool and database, is written before the target database is created: whatever a crash leaves behind,
-- 'rebalance resume', 'rebalance gc' and 'verify' find it here.
create table moves (
    move_id        text primary key,
    org_id         text not null,
    run_id         text,
    from_pool      text not null,
    from_database  text not null,
    to_pool        text not null,
    to_database    text not null,
    state          text not null check (state in ('planned', 'frozen', 'copying', 'verifying', 'flipped', 'retained',
                                                  'cleaned', 'aborted', 'reverted')),
    prior_status   text not null,
    docs_total     bigint,
    bytes_total    bigint,
    docs_copied    bigint not null default 0,
    -- the ledger: per collection {count, digest} of the source as frozen and copied; revert compares the target with it
    fingerprint    jsonb,
    target_dropped boolean not null default false,
    freeze_ms      bigint,
    copy_ms        bigint,
    started_at     timestamptz not null default now(),
    frozen_at      timestamptz,
    copying_at     timestamptz,
    verifying_at   timestamptz,
    flipped_at     timestamptz,
    retained_at    timestamptz,
    cleaned_at     timestamptz,
    aborted_at     timestamptz,
    reverted_at    timestamptz,
    updated_at     timestamptz not null default now(),
    error          text
);
-- never two unfinished moves for one org
create unique index moves_one_unfinished_per_org on moves (org_id)
    where state in ('planned', 'frozen', 'copying', 'verifying', 'flipped');
create index moves_started_idx on moves (started_at desc);
