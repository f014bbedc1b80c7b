-- tenantctl catalog, version 17: which findings one verify saw, for its report.
--
-- verify reports what it found from the catalog, not from memory: a fleet's findings can be hundreds of thousands (every
-- org missing an index), and holding each one until the report was written made memory grow with them. Each verify's
-- sighting (a random id) names the findings it recorded and whether each was already open (known) or not (new); its
-- report reads them back, joined with their rows, in its order. The rows go once the report is written; those of a verify
-- that died before are dropped by a later one, a day on.
create table finding_sightings (
    sighting_id  text not null,
    finding_id   text not null,
    state        text not null check (state in ('new', 'known')),
    seen_at      timestamptz not null default now(),
    primary key (sighting_id, finding_id)
);
create index finding_sightings_seen_at_idx on finding_sightings (seen_at);
