-- tenantctl catalog, version 7: the org lifecycle (suspend, delete, purge) and pool stats.
-- (V6 is taken by another branch; Flyway applies versions in order and allows the gap.)
--
-- deleted_at: when 'orgs delete' set the org 'deleting'; 'orgs purge --older-than D' drops the databases of orgs
-- deleting for longer than D. Kept apart from updated_at, which any later change to the row bumps.
alter table orgs add column deleted_at timestamptz;

-- admin_url: an optional PostgreSQL URL of the pool's own PostgreSQL/DocumentDB, read by 'pools stats' for pressure
-- signals (dead tuples, backend buffer writes, DocumentDB catalog size). Like a pool URI it never holds a password:
-- secrets are environment-variable placeholders (dollar, braces, name) resolved from the environment at connect time.
alter table pools add column admin_url text;
