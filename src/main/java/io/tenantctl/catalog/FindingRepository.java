package io.tenantctl.catalog;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The findings table (what verify found, across runs), the orgs' last clean verification, and deep-verified backups. */
public final class FindingRepository {

    private final Catalog catalog;

    public FindingRepository(Catalog catalog) {
        this.catalog = catalog;
    }

    /**
     * A finding as stored: {@code fix} the line people read, {@code fixCommand} and {@code fixNote} its command alone (one that
     * runs as pasted) and the rest, as verify made them (both null in a row from before catalog version 16 not seen since).
     * What verify judges it by, as verify made it, never read off its fix's text: {@code onlyDeepFinds}, only a verify
     * --deep finds it (one without --deep leaves it open); {@code fixPutsRight}, --fix puts it right whole (its dry run
     * leaves it to no human).
     */
    public record Finding(String findingId, String kind, String severity, String orgId, String poolId, String subject, String detail,
                          String fix, String fixCommand, String fixNote, Instant firstSeen, Instant lastSeen, Instant resolvedAt,
                          Instant ackedUntil, String ackReason, String ackedBy, boolean onlyDeepFinds, boolean fixPutsRight) {

        /** One neither only --deep finds nor --fix puts right. */
        public Finding(String findingId, String kind, String severity, String orgId, String poolId, String subject, String detail,
                       String fix, String fixCommand, String fixNote, Instant firstSeen, Instant lastSeen, Instant resolvedAt,
                       Instant ackedUntil, String ackReason, String ackedBy) {
            this(findingId, kind, severity, orgId, poolId, subject, detail, fix, fixCommand, fixNote, firstSeen, lastSeen, resolvedAt,
                    ackedUntil, ackReason, ackedBy, false, false);
        }
    }

    /**
     * The kinds of one retained copy's finding, within its grace and past it: the same copy, so an ack of one holds for
     * the other (until it runs out) when the copy crosses its grace.
     */
    static final List<String> COPY_AGES = List.of("retained_copy", "retained_copy_overdue");

    /** The kinds of an org's findings verify finds only by listing a pool's databases: seen or not only where it listed. */
    static final List<String> FOUND_BY_LISTING = List.of("retained_copy", "retained_copy_overdue", "move_leftover", "stray_copy");

    /** How many findings a {@link Sighting} sends the catalog in one statement (a fleet's are millions: a round trip each was hours). */
    static final int PAGE = 1000;

    /**
     * One statement: {@code page}'s findings (no id twice) upserted, and named in {@code sighting} (unless null) as new or
     * known; the ids of those that were open before it.
     */
    private static List<String> recordPage(java.sql.Connection c, List<Finding> page, String sighting) throws SQLException {
        if (page.isEmpty()) {
            return List.of();
        }
        // the CTEs see the table as it was before the statement: "open" is what was open before this run saw it again
        return Sql.query(c, "with seen as (select * from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], "
                + "?::text[], ?::text[], ?::text[], ?::text[], ?::boolean[], ?::boolean[]) as s (finding_id, kind, severity, org_id, "
                + "pool_id, subject, detail, fix, fix_command, fix_note, only_deep_finds, fix_puts_right)), "
                + "open as (select f.finding_id from findings f join seen using (finding_id) where f.resolved_at is null), "
                // a copy aged past its grace (or back within a longer one) is the same copy under another kind, so another
                // id: the live ack of its open finding of the other kind goes with it, as it was (that one is resolved next)
                + "carried as (select s.finding_id, a.acked_until, a.ack_reason, a.acked_by from seen s cross join lateral "
                + "(select f.acked_until, f.ack_reason, f.acked_by from findings f where s.kind = any (?) and f.kind = any (?) "
                + "and f.kind <> s.kind and f.resolved_at is null and f.acked_until > now() and f.pool_id = s.pool_id "
                + "and f.subject = s.subject and f.org_id is not distinct from s.org_id order by f.acked_until desc limit 1) a), "
                + "upserted as (insert into findings (finding_id, kind, severity, org_id, pool_id, subject, detail, fix, fix_command, fix_note, "
                + "only_deep_finds, fix_puts_right, first_seen, last_seen, acked_until, ack_reason, acked_by) select seen.*, now(), now(), carried.acked_until, "
                + "carried.ack_reason, carried.acked_by from seen left join carried using (finding_id) "
                + "on conflict (finding_id) do update set severity = excluded.severity, "
                + "detail = excluded.detail, fix = excluded.fix, fix_command = excluded.fix_command, fix_note = excluded.fix_note, "
                + "only_deep_finds = excluded.only_deep_finds, fix_puts_right = excluded.fix_puts_right, last_seen = now(), resolved_at = null, "
                + "first_seen = case when findings.resolved_at is null then findings.first_seen else now() end, "
                // a finding that was resolved and came back is a new occurrence: an ack of the old one does not cover it (but one carried)
                + "acked_until = case when findings.resolved_at is null then findings.acked_until else excluded.acked_until end, "
                + "ack_reason = case when findings.resolved_at is null then findings.ack_reason else excluded.ack_reason end, "
                + "acked_by = case when findings.resolved_at is null then findings.acked_by else excluded.acked_by end), "
                // an id a sighting already names (seen twice in a run) keeps its first state: it is reported once
                + "sighted as (insert into finding_sightings (sighting_id, finding_id, state) select ?::text, finding_id, "
                + "case when finding_id in (select finding_id from open) then 'known' else 'new' end from seen where ?::text is not null "
                + "on conflict (sighting_id, finding_id) do nothing) "
                + "select finding_id from open", rs -> rs.getString(1),
                column(c, page, Finding::findingId), column(c, page, Finding::kind), column(c, page, Finding::severity),
                column(c, page, Finding::orgId), column(c, page, Finding::poolId), column(c, page, Finding::subject),
                column(c, page, Finding::detail), column(c, page, Finding::fix), column(c, page, Finding::fixCommand),
                column(c, page, Finding::fixNote), c.createArrayOf("boolean", page.stream().map(Finding::onlyDeepFinds).toArray()),
                c.createArrayOf("boolean", page.stream().map(Finding::fixPutsRight).toArray()), c.createArrayOf("text", COPY_AGES.toArray()), c.createArrayOf("text", COPY_AGES.toArray()),
                sighting, sighting);
    }

    /**
     * A new sighting: what one verify saw, recorded a page at a time as it is handed over (memory does not grow with a
     * fleet's findings), then read back from the catalog as its report is written. Sightings a verify that died left
     * (a day old) are dropped here.
     */
    public Sighting sighting() {
        catalog.inConnection(c -> Sql.update(c, "delete from finding_sightings where seen_at < now() - interval '1 day'"));
        return new Sighting(java.util.UUID.randomUUID().toString());
    }

    /** A stored finding as one verify saw it: {@code known} when it was open before that verify recorded it, else new. */
    public record Sighted(Finding finding, boolean known) {
    }

    /** How many findings of a sighting there are of a kind, a severity and a state (new, known or acked), the acks by the clock given. */
    public record Tally(String kind, String severity, String state, long count) {
    }

    /** See {@link #sighting()}. Closing it drops its rows (the findings stay). */
    public final class Sighting implements AutoCloseable {
        private final String id;
        private final List<Finding> page = new java.util.ArrayList<>();
        private final java.util.Set<String> inPage = new java.util.HashSet<>();

        private Sighting(String id) {
            this.id = id;
        }

        /** Records {@code f} with the page it fills ({@link #PAGE} findings a statement, a page a transaction). */
        public void add(Finding f) {
            // an id twice goes in the next statement, as one row after the other (one statement upserts a row once)
            if (page.size() == PAGE || inPage.contains(f.findingId())) {
                flush();
            }
            page.add(f);
            inPage.add(f.findingId());
        }

        /** Records what {@link #add} has not yet. */
        public void flush() {
            if (!page.isEmpty()) {
                catalog.inTransaction(c -> recordPage(c, page, id));
                page.clear();
                inPage.clear();
            }
        }

        /**
         * Each finding sighted, as its row is now, handed over as it is read: problems first, then by kind, org (a
         * finding of none as "null") and id, in code-point order.
         */
        public void forEach(java.util.function.Consumer<Sighted> each) {
            catalog.inTransaction(c -> {
                Sql.stream(c, "select f.*, s.state as sighted_state from finding_sightings s join findings f using (finding_id) "
                        + "where s.sighting_id = ? order by (f.severity = 'problem') desc, f.kind collate \"C\", "
                        + "coalesce(f.org_id, 'null') collate \"C\", f.finding_id collate \"C\"",
                        rs -> new Sighted(map(rs), rs.getString("sighted_state").equals("known")), each, PAGE, id);
                return null;
            });
        }

        /** Its findings counted by kind, severity and state: acked when acked until later than {@code now}. */
        public List<Tally> tally(Instant now) {
            return catalog.inConnection(c -> Sql.query(c, "select f.kind, f.severity, case when f.acked_until > ? then 'acked' "
                    + "else s.state end as state, count(*) from finding_sightings s join findings f using (finding_id) "
                    + "where s.sighting_id = ? group by 1, 2, 3", rs -> new Tally(rs.getString(1), rs.getString(2), rs.getString(3),
                    rs.getLong(4)), now, id));
        }

        /**
         * Its findings of the orgs {@code orgIds} but those whose id is in {@code except}, as their rows are now, by org,
         * problems first, then by kind and id.
         */
        public List<Finding> ofOrgs(Collection<String> orgIds, Collection<String> except) {
            return catalog.inConnection(c -> Sql.query(c, "select f.* from finding_sightings s join findings f using (finding_id) "
                    + "where s.sighting_id = ? and f.org_id = any (?) and not (f.finding_id = any (?)) order by f.org_id collate \"C\", "
                    + "(f.severity = 'problem') desc, f.kind collate \"C\", f.finding_id collate \"C\"", FindingRepository::map, id,
                    c.createArrayOf("text", orgIds.toArray()), c.createArrayOf("text", except.toArray())));
        }

        /** The orgs of its problems not acked at {@code now}. */
        public java.util.Set<String> orgsWithProblems(Instant now) {
            return catalog.inConnection(c -> new java.util.HashSet<>(Sql.query(c, "select distinct f.org_id from finding_sightings s "
                    + "join findings f using (finding_id) where s.sighting_id = ? and f.org_id is not null and f.severity = 'problem' "
                    + "and not coalesce(f.acked_until > ?, false)", rs -> rs.getString(1), id, now)));
        }

        @Override
        public void close() {
            page.clear();
            catalog.inConnection(c -> Sql.update(c, "delete from finding_sightings where sighting_id = ?", id));
        }
    }

    /** One column of {@code page}, as a text[] parameter. */
    private static java.sql.Array column(java.sql.Connection c, List<Finding> page, java.util.function.Function<Finding, String> get)
            throws SQLException {
        return c.createArrayOf("text", page.stream().map(get).toArray());
    }

    /**
     * Resolves the open findings a run could have seen but did not: those of {@code orgs} and {@code pools} checked
     * (org-less fleet findings too when {@code fleet}) last seen before {@code since}, when the run began (the catalog's
     * clock): what it saw, its {@link Sighting} stamped later, so no list of it is needed. One another verify recorded while
     * this one ran is left open (it may have looked after this one did): the next verify judges it. A run that did not read backups back
     * ({@code deep} false) could not have seen what only a deep one finds ({@link Finding#onlyDeepFinds}: a backup_corrupt,
     * an org whose deep check failed) and leaves those open; but for a backup_corrupt of a backup a newer complete one has replaced as the
     * org's newest, which no verify reports again. Nor does it resolve a finding only a listing of its pool's databases
     * finds ({@link #FOUND_BY_LISTING}: a retained copy, a stray) unless it listed that pool ({@code listed}: a fleet
     * verify's pools that answered): a verify of one org, or of another pool, did not look for it — its ack stays on it.
     * Nor, of the orgs {@code failed} (whose own check failed: their pool did not answer), what that check finds
     * ({@code ownKinds}): nothing looked at their databases.
     */
    public int resolveUnseen(Instant since, Collection<String> orgs, Collection<String> failed, Collection<String> ownKinds,
                             Collection<String> pools, boolean fleet, boolean deep, Collection<String> listed) {
        return catalog.inConnection(c -> Sql.update(c, "update findings set resolved_at = now() where resolved_at is null "
                + "and last_seen < ? and (org_id = any (?) or (org_id is null and pool_id = any (?)) "
                + "or (? and org_id is null and pool_id is null)) "
                + "and (? or not only_deep_finds "
                + "or kind = 'backup_corrupt' and exists (select 1 from backups b join backups n on n.org_id = b.org_id "
                + "and n.status = 'complete' and n.recorded_at > b.recorded_at where b.backup_id = findings.subject)) "
                + "and (kind <> all (?) or pool_id = any (?)) "
                + "and not coalesce(org_id = any (?) and kind = any (?), false)",
                since, c.createArrayOf("text", orgs.toArray()), c.createArrayOf("text", pools.toArray()),
                fleet, deep, c.createArrayOf("text", FOUND_BY_LISTING.toArray()), c.createArrayOf("text", listed.toArray()),
                c.createArrayOf("text", failed.toArray()), c.createArrayOf("text", ownKinds.toArray())));
    }

    public Optional<Finding> find(String findingId) {
        return catalog.inConnection(c -> Sql.one(c, "select * from findings where finding_id = ?", FindingRepository::map, findingId));
    }

    public boolean ack(String findingId, Instant until, String reason, String by) {
        return catalog.inConnection(c -> Sql.update(c, "update findings set acked_until = ?, ack_reason = ?, acked_by = ? where finding_id = ?",
                until, reason, by, findingId)) == 1;
    }

    /** Undoes an ack: the finding counts again (verify's exit 4, gc's kept for a person). Whether the finding exists. */
    public boolean unack(String findingId) {
        return catalog.inConnection(c -> Sql.update(c, "update findings set acked_until = null, ack_reason = null, acked_by = null "
                + "where finding_id = ?", findingId)) == 1;
    }

    /**
     * The open findings of {@code kinds} acked until later than now (the catalog's clock, which ends acks), by
     * "pool/subject": for a finding about one database, the database it names. Of two, the one acked longest.
     */
    public Map<String, Finding> ackedBySubject(Collection<String> kinds) {
        return catalog.inConnection(c -> {
            Map<String, Finding> out = new java.util.HashMap<>();
            for (Finding f : Sql.query(c, "select * from findings where resolved_at is null and acked_until > now() and kind = any (?) "
                    + "order by acked_until", FindingRepository::map, c.createArrayOf("text", kinds.toArray()))) {
                out.put(f.poolId() + "/" + f.subject(), f);
            }
            return out;
        });
    }

    /** Records the orgs verified clean now, at their current catalog version, under verify's rules version {@code rules}. */
    public void verifiedClean(Collection<String> orgIds, int rules) {
        catalog.inConnection(c -> Sql.update(c, "insert into org_verifications (org_id, verified_at, org_version, rules_version) "
                + "select org_id, now(), version, ? from orgs where org_id = any (?) "
                + "on conflict (org_id) do update set verified_at = excluded.verified_at, org_version = excluded.org_version, "
                + "rules_version = excluded.rules_version", rules, c.createArrayOf("text", orgIds.toArray())));
    }

    /**
     * Those of the orgs {@code orgIds} verified clean since their last change (their row's version is the one verified)
     * under verify's rules version {@code rules} or a later one (one verified clean before a check was added was never
     * checked for it), but those with an open problem whose ack has run out: verified clean while it was acked, it is a
     * problem again. Asked a page of orgs at a time: a fleet's, mostly unchanged, are never all held.
     */
    public java.util.Set<String> unchangedSinceClean(Collection<String> orgIds, int rules) {
        return catalog.inConnection(c -> unchangedSinceClean(c, orgIds, rules));
    }

    static java.util.Set<String> unchangedSinceClean(java.sql.Connection c, Collection<String> orgIds, int rules) throws SQLException {
        return new java.util.HashSet<>(Sql.query(c, "select v.org_id from org_verifications v join orgs o on o.org_id = v.org_id "
                + "and o.version = v.org_version where v.org_id = any(?) and v.rules_version >= ? and not exists (select 1 from findings f "
                + "where f.org_id = v.org_id and f.resolved_at is null and f.severity = 'problem' and f.acked_until <= now())",
                rs -> rs.getString(1), c.createArrayOf("text", orgIds.toArray()), rules));
    }

    /** A backup's files were read and checked now (verify --deep). */
    public void backupVerified(String backupId) {
        catalog.inConnection(c -> Sql.update(c, "update backups set verified_at = now() where backup_id = ?", backupId));
    }

    /** Whether a backup was already read and checked by an earlier deep verify. */
    public boolean backupVerifiedBefore(String backupId) {
        return catalog.inConnection(c -> Sql.one(c, "select 1 from backups where backup_id = ? and verified_at is not null", rs -> 1,
                backupId)).isPresent();
    }

    /**
     * The newest complete backup of every org that has one (by the catalog's clock): org → (backup id, when it was
     * taken: the earlier of the worker's and the catalog's time, so that a worker whose clock ran ahead cannot make an
     * org look backed up for a year).
     */
    public Map<String, Object[]> newestCompleteBackups() {
        return newestCompleteBackups(null);
    }

    /** As {@link #newestCompleteBackups()}, of the orgs {@code orgIds} alone (null: of every org). */
    public Map<String, Object[]> newestCompleteBackups(List<String> orgIds) {
        return catalog.inConnection(c -> {
            Map<String, Object[]> out = new java.util.HashMap<>();
            for (Object[] row : Sql.query(c, "select distinct on (org_id) org_id, backup_id, least(started_at, recorded_at) as at, "
                    + "recorded_at from backups where status = 'complete'" + (orgIds == null ? "" : " and org_id = any(?)")
                    + " order by org_id, recorded_at desc",
                    rs -> new Object[]{rs.getString(1), rs.getString(2), Sql.instant(rs, "at"), Sql.instant(rs, "recorded_at")},
                    orgIds == null ? new Object[0] : new Object[]{c.createArrayOf("text", orgIds.toArray())})) {
                out.put((String) row[0], new Object[]{row[1], row[2], row[3]});
            }
            return out;
        });
    }

    private static Finding map(ResultSet rs) throws SQLException {
        return new Finding(rs.getString("finding_id"), rs.getString("kind"), rs.getString("severity"), rs.getString("org_id"),
                rs.getString("pool_id"), rs.getString("subject"), rs.getString("detail"), rs.getString("fix"), rs.getString("fix_command"),
                rs.getString("fix_note"), Sql.instant(rs, "first_seen"),
                Sql.instant(rs, "last_seen"), Sql.instant(rs, "resolved_at"), Sql.instant(rs, "acked_until"), rs.getString("ack_reason"),
                rs.getString("acked_by"), rs.getBoolean("only_deep_finds"), rs.getBoolean("fix_puts_right"));
    }
}
