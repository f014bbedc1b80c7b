-- tenantctl catalog, version 14: the catalog's identity, a random id made once (by the init that creates the catalog, or
-- the one that upgrades it to this version) and written in every backup's manifest.json.
--
-- Backups are laid out <prefix>/<org_id>/<backup_id>/, so two catalogs on one store (staging and production, each with an
-- org of the same id) share a folder. A backup in the store that this catalog does not record used to count as its own
-- (as after a restore from an older snapshot of the catalog, which keeps this id): restore took the other catalog's, and
-- prune deleted this catalog's only backup and the other's. One whose manifest names another catalog is not this one's.
create table catalog_identity (
    one        boolean primary key default true check (one),
    catalog_id text not null,
    created_at timestamptz not null default now()
);
insert into catalog_identity (catalog_id) values (md5(random()::text || clock_timestamp()::text || pg_backend_pid()::text)::uuid::text);
