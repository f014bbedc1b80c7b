package io.tenantctl.catalog;

import io.tenantctl.TenantctlException;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The orgs table: lookups, fill-then-spill placement under a lock, and optimistic status changes. */
public final class OrgRepository {

    /** Advisory lock key that serialises placement across every tenantctl process sharing the catalog. */
    static final long PLACEMENT_LOCK = 0x7465_6e61_6e74_0001L;

    private static final String SELECT = "select org_id, pool_id, database_name, status, tier, schema_hash, version, "
            + "created_at, updated_at from orgs";

    private final Catalog catalog;

    OrgRepository(Catalog catalog) {
        this.catalog = catalog;
    }

    /** Where an org was (or would be) placed, or why not; {@code idRefused}: its id is taken (choose another), not a lack of room. */
    public record Placed(String orgId, String poolId, String error, boolean idRefused) {
        public Placed(String orgId, String poolId, String error) {
            this(orgId, poolId, error, false);
        }

        public boolean ok() {
            return error == null;
        }
    }

    public Optional<Org> find(String orgId) {
        return catalog.inConnection(c -> Sql.one(c, SELECT + " where org_id = ?", OrgRepository::map, orgId));
    }

    public Org get(String orgId) {
        return find(OrgId.require(orgId)).orElseThrow(() -> TenantctlException.usage("no org named '" + orgId + "': see 'tenantctl orgs list'"));
    }

    /**
     * As {@link #get}, for an id an operator typed (a single-org command's ORG): one no org has is refused naming the orgs
     * a typo away ({@link #unknown}). A fan-out's per-org lookups use {@link #get}: the look for near ids reads the fleet's.
     */
    public Org named(String orgId) {
        return find(OrgId.require(orgId)).orElseThrow(() -> unknown(orgId));
    }

    /**
     * The usage error (exit 2) for an org id no row has: "no org named 'ID': see 'tenantctl orgs list'", or, when orgs (not
     * deleted) are a typo away from it, "no org named 'ID': did you mean 'A' or 'B'? (or see 'tenantctl orgs list')".
     */
    public TenantctlException unknown(String orgId) {
        List<String> near = nearest(orgId).stream().map(n -> "'" + n + "'").toList();
        return TenantctlException.usage("no org named '" + orgId + "': " + (near.isEmpty() ? "see 'tenantctl orgs list'"
                : "did you mean " + (near.size() == 1 ? near.get(0) : String.join(", ", near.subList(0, near.size() - 1)) + " or "
                + near.get(near.size() - 1)) + "? (or see 'tenantctl orgs list')"));
    }

    /**
     * The ids of the orgs (not deleted) nearest to {@code orgId} by edits (a letter wrong, missing or extra, two
     * neighbours swapped: Damerau-Levenshtein), at most 1 edit away for an id of up to 4 characters and 2 for a longer
     * one; up to 3, by id. The ids are read a page at a time and only the near ones kept: a fleet's are never all in memory.
     */
    List<String> nearest(String orgId) {
        int most = orgId.length() <= 4 ? 1 : 2;
        java.util.TreeSet<String> near = new java.util.TreeSet<>(); // the first 3 by id of those at distance best[0]
        int[] best = {most};
        catalog.inTransaction(c -> { // the driver pages a result only in a transaction
            Sql.stream(c, "select org_id from orgs where status <> 'deleted' and length(org_id) between ? and ?", rs -> rs.getString(1), id -> {
                int d = org.jline.utils.Levenshtein.distance(orgId, id);
                if (d < best[0]) {
                    best[0] = d;
                    near.clear();
                }
                if (d == best[0] && near.add(id) && near.size() > 3) {
                    near.pollLast();
                }
            }, PAGE, orgId.length() - most, orgId.length() + most);
            return null;
        });
        return List.copyOf(near);
    }

    public Map<String, Org> findAll(List<String> orgIds) {
        return catalog.inConnection(c -> {
            Map<String, Org> out = new HashMap<>();
            for (int from = 0; from < orgIds.size(); from += PAGE) { // a page of rows at a time: the driver holds a query's rows until it is read
                for (Org o : Sql.query(c, SELECT + " where org_id = any(?)", OrgRepository::map,
                        c.createArrayOf("text", orgIds.subList(from, Math.min(orgIds.size(), from + PAGE)).toArray()))) {
                    out.put(o.orgId(), o);
                }
            }
            return out;
        });
    }

    /** How many orgs a query of many reads at once: the driver holds every row of a result, raw, beside the orgs made of them. */
    private static final int PAGE = 1000;

    /**
     * Every org not deleted, {@code page} at a time by id (keyset), each page read on a connection given back before
     * {@code each} is handed it: a fleet's orgs are never all in memory at once, and {@code each} may use the catalog.
     */
    public void forEachLivePage(int page, java.util.function.Consumer<List<Org>> each) {
        for (String after = ""; after != null; ) {
            String from = after;
            List<Org> orgs = catalog.inConnection(c -> livePage(c, from, page));
            after = orgs.size() < page ? null : orgs.get(orgs.size() - 1).orgId();
            each.accept(orgs);
        }
    }

    /** A listing of orgs by id, read a page at a time (keyset): the {@code n} after {@code after}, read on {@code c}. */
    @FunctionalInterface
    public interface Listing {
        List<Org> page(Connection c, String after, int n) throws SQLException;
    }

    /** The orgs on pool {@code poolId} (of every pool: null), deleted ones too, as {@link #list} lists them. */
    public static Listing onPool(String poolId) {
        return (c, after, n) -> Sql.query(c, SELECT + " where (cast(? as text) is null or pool_id = ?) and org_id > ? order by org_id limit ?",
                OrgRepository::map, poolId, poolId, after, n);
    }

    /** The orgs whose ids {@code idQuery} (its parameters {@code params}) selects, by id, read on {@code c}. */
    static List<Org> whereIdIn(Connection c, String idQuery, Object... params) throws SQLException {
        return Sql.query(c, SELECT + " where org_id in (" + idQuery + ") order by org_id", OrgRepository::map, params);
    }

    /** The {@code page} orgs not deleted that come after {@code after} by id, read on {@code c}. */
    static List<Org> livePage(Connection c, String after, int page) throws SQLException {
        return Sql.query(c, SELECT + " where status <> 'deleted' and org_id > ? order by org_id limit ?", OrgRepository::map, after, page);
    }

    /** How many orgs not deleted live on pool {@code poolId}. */
    public long countLive(String poolId) {
        return catalog.inConnection(c -> Sql.one(c, "select count(*) from orgs where pool_id = ? and status <> 'deleted'", rs -> rs.getLong(1),
                poolId).orElse(0L));
    }

    /** The orgs not deleted whose database is one of {@code databaseNames}, by database name. */
    public Map<String, Org> liveByDatabaseName(java.util.Collection<String> databaseNames) {
        if (databaseNames.isEmpty()) {
            return Map.of();
        }
        return catalog.inConnection(c -> {
            Map<String, Org> out = new HashMap<>();
            for (Org o : Sql.query(c, SELECT + " where status <> 'deleted' and database_name = any(?)", OrgRepository::map,
                    c.createArrayOf("text", databaseNames.toArray()))) {
                out.put(o.databaseName(), o);
            }
            return out;
        });
    }

    /** The tiers orgs have (deleted ones too), sorted. */
    public List<String> tiers() {
        return catalog.inConnection(c -> Sql.query(c, "select distinct tier from orgs order by tier", rs -> rs.getString(1)));
    }

    /**
     * Orgs on any of {@code poolIds} (empty: every pool) and of {@code status} (null: any), by id, a page at a time
     * (keyset), each page read on a connection given back before {@code each} is handed it: a fleet's orgs are never all
     * in memory at once.
     */
    public void forEachPage(java.util.Collection<String> poolIds, String status, java.util.function.Consumer<List<Org>> each) {
        String[] pools = poolIds.toArray(String[]::new);
        for (String after = ""; after != null; ) {
            String from = after;
            List<Org> page = catalog.inConnection(c -> Sql.query(c, SELECT + " where (cardinality(?) = 0 or pool_id = any(?)) "
                    + "and (cast(? as text) is null or status = ?) and org_id > ? order by org_id limit ?", OrgRepository::map,
                    c.createArrayOf("text", pools), c.createArrayOf("text", pools), status, status, from, PAGE));
            after = page.size() < PAGE ? null : page.get(page.size() - 1).orgId();
            each.accept(page);
        }
    }

    /** Orgs, optionally filtered by pool and status (null = any), ordered by id. */
    public List<Org> list(String poolId, String status) {
        return catalog.inConnection(c -> {
            List<Org> out = new ArrayList<>();
            for (String after = ""; after != null; ) { // by id (keyset), a page at a time
                List<Org> page = Sql.query(c, SELECT + " where (cast(? as text) is null or pool_id = ?) and (cast(? as text) is null or status = ?) "
                        + "and org_id > ? order by org_id limit ?", OrgRepository::map, poolId, poolId, status, status, after, PAGE);
                out.addAll(page);
                after = page.size() < PAGE ? null : page.get(page.size() - 1).orgId();
            }
            return out;
        });
    }

    /**
     * Places new orgs fill-then-spill (or on {@code pinnedPool}) and inserts them as {@code provisioning}, all
     * under one advisory transaction lock so concurrent provisioners can never overfill a pool. Orgs that find
     * no room get an error and no row.
     */
    public List<Placed> place(List<String> orgIds, String pinnedPool, String tier) {
        return place(orgIds, pinnedPool, tier, Map.of());
    }

    /** As {@link #place(List, String, String)}, passing over the {@code unreachable} pools (id → why) unless pinned. */
    public List<Placed> place(List<String> orgIds, String pinnedPool, String tier, Map<String, String> unreachable) {
        return catalog.inTransaction(c -> {
            Sql.one(c, "select pg_advisory_xact_lock(?)", rs -> 1, PLACEMENT_LOCK);
            return assign(c, orgIds, pinnedPool, "--pool", tier, true, unreachable);
        });
    }

    /**
     * As {@link #place(List, String, String)}, a refusal naming {@code pinFlag} as the option that pinned the pool; null when
     * the pool is one an earlier placement chose (no option pinned it): the refusal then says to try again.
     */
    public Placed placeOne(String orgId, String pinnedPool, String pinFlag, String tier) {
        return catalog.inTransaction(c -> {
            Sql.one(c, "select pg_advisory_xact_lock(?)", rs -> 1, PLACEMENT_LOCK);
            return assign(c, List.of(orgId), pinnedPool, pinFlag, tier, true, Map.of());
        }).get(0);
    }

    /** The placement {@link #place} would make now, writing nothing. */
    public List<Placed> planPlacement(List<String> orgIds, String pinnedPool) {
        return planPlacement(orgIds, pinnedPool, Map.of());
    }

    public List<Placed> planPlacement(List<String> orgIds, String pinnedPool, Map<String, String> unreachable) {
        return planPlacement(orgIds, pinnedPool, "--pool", unreachable);
    }

    /** As {@link #planPlacement(List, String, Map)}, a refusal naming {@code pinFlag} as the option that pinned the pool. */
    public List<Placed> planPlacement(List<String> orgIds, String pinnedPool, String pinFlag, Map<String, String> unreachable) {
        return planPlacement(orgIds, pinnedPool, pinFlag, unreachable, Map.of());
    }

    /**
     * As {@link #planPlacement(List, String, String, Map)}, counting {@code givenBack} (pool → places) as free: the places
     * of dead restores the real run's recovery gives back before it places; a negative count, places taken (those a
     * plan made a part at a time has placed orgs in already).
     */
    public List<Placed> planPlacement(List<String> orgIds, String pinnedPool, String pinFlag, Map<String, String> unreachable,
                                      Map<String, Integer> givenBack) {
        return catalog.inConnection(c -> assign(c, orgIds, pinnedPool, pinFlag, null, false, unreachable, null, givenBack));
    }

    /**
     * As {@link #planPlacement(List, String, String, Map, Map)} for one org, as if its own row were gone: a half-made org a
     * dead restore left, which the real run rolls back (row deleted, its place freed) before it places the org anew.
     */
    public Placed planPlacementAnew(String orgId, String pinnedPool, String pinFlag, Map<String, String> unreachable,
                                    Map<String, Integer> givenBack) {
        return catalog.inConnection(c -> assign(c, List.of(orgId), pinnedPool, pinFlag, null, false, unreachable, orgId, givenBack)).get(0);
    }

    private List<Placed> assign(Connection c, List<String> orgIds, String pinnedPool, String pinFlag, String tier, boolean write,
                                Map<String, String> unreachable) throws SQLException {
        return assign(c, orgIds, pinnedPool, pinFlag, tier, write, unreachable, null, Map.of());
    }

    private List<Placed> assign(Connection c, List<String> orgIds, String pinnedPool, String pinFlag, String tier, boolean write,
                                Map<String, String> unreachable, String asIfGone, Map<String, Integer> givenBack) throws SQLException {
        Map<String, Pool> pools = new LinkedHashMap<>();
        List<Pool> passedOver = new ArrayList<>();
        Map<String, Integer> freed = new java.util.HashMap<>(givenBack);
        if (asIfGone != null) {
            Sql.one(c, "select pool_id from orgs where org_id = ? and status <> 'deleted'", rs -> rs.getString(1), asIfGone)
                    .ifPresent(pool -> freed.merge(pool, 1, Integer::sum));
        }
        for (Pool listed : PoolRepository.list(c)) {
            Pool p = !freed.containsKey(listed.poolId()) ? listed : new Pool(listed.poolId(), listed.uri(), listed.capacity(),
                    listed.status(), listed.priority(), listed.createdAt(), listed.orgCount() - freed.get(listed.poolId()));
            if (pinnedPool == null && unreachable.containsKey(p.poolId())) {
                passedOver.add(p);
            } else if (pinnedPool == null || p.poolId().equals(pinnedPool)) {
                pools.put(p.poolId(), p);
            }
        }
        if (pinnedPool != null && pools.isEmpty()) {
            throw PoolRepository.unknown(pinnedPool);
        }
        List<Placed> out = new ArrayList<>();
        for (String orgId : orgIds) {
            String db = OrgId.databaseName(orgId);
            Optional<String[]> owner = Sql.one(c, CLAIMANT, rs -> new String[]{rs.getString(1), rs.getString(2)}, db)
                    .filter(o -> !o[0].equals(asIfGone));
            if (owner.isPresent() && owner.get()[0].equals(orgId)) {
                // placed meanwhile by a concurrent provision of the same id: the org lease makes one of them do the work
                out.add(new Placed(orgId, owner.get()[1], null));
                continue;
            }
            if (owner.isPresent()) {
                // the dash note only for look-alike ids (acme-x, acme_x): acme__r… is a restored acme's database for another reason
                boolean lookAlike = OrgId.databaseName(owner.get()[0]).equals(db);
                out.add(new Placed(orgId, null, "database " + db + " already belongs to org '" + owner.get()[0]
                        + (lookAlike ? "' ('-' and '_' are the same in database names)" : "'") + ": choose another id", true));
                continue;
            }
            Optional<String> retired = retiredCopy(c, null, db);
            if (retired.isPresent()) { // another org's old data, kept until gc: never a new org's database
                out.add(new Placed(orgId, null, "database " + db + " is " + retired.get() + ": choose another id", true));
                continue;
            }
            Optional<Pool> choice = Placement.choose(new ArrayList<>(pools.values()));
            if (choice.isEmpty()) {
                out.add(new Placed(orgId, null, noCapacity(pinnedPool, pinFlag, pools, passedOver, unreachable)));
                continue;
            }
            Pool p = choice.get();
            if (write) {
                releaseDroppedName(c, db, orgId);
                Sql.update(c, "insert into orgs (org_id, pool_id, database_name, status, tier) values (?, ?, ?, 'provisioning', ?)",
                        orgId, p.poolId(), OrgId.databaseName(orgId), tier);
            }
            pools.put(p.poolId(), new Pool(p.poolId(), p.uri(), p.capacity(), p.status(), p.priority(), p.createdAt(), p.orgCount() + 1));
            out.add(new Placed(orgId, p.poolId(), null));
        }
        return out;
    }

    /**
     * The org (id, pool) whose row claims a database name (a parameter): names are unique across the catalog, and every
     * org's row claims its own — except a {@code deleted} org's once purge dropped its database (no retired copy of that
     * name left on any pool). Then the name is nobody's: a stale client that wrote it again made a database adopt must
     * take under another id (as its refusal of the deleted id says), and placement may give it to a new org.
     */
    private static final String CLAIMS = "(o.status <> 'deleted' or exists (select 1 from retired_databases r "
            + "where r.database_name = o.database_name))";
    private static final String CLAIMANT = "select org_id, pool_id from orgs o where database_name = ? and " + CLAIMS;

    /**
     * Those of {@code databaseNames} that {@link #CLAIMANT} says an org claims: what adopt --discover never offers. Asked of
     * the names in hand: the rest of the fleet's are not read.
     */
    public java.util.Set<String> claimedDatabaseNames(java.util.Collection<String> databaseNames) {
        if (databaseNames.isEmpty()) {
            return java.util.Set.of();
        }
        return catalog.inConnection(c -> new java.util.HashSet<>(Sql.query(c, "select database_name from orgs o where database_name = "
                + "any(?) and " + CLAIMS, rs -> rs.getString(1), c.createArrayOf("text", databaseNames.toArray()))));
    }

    /**
     * Before {@code newOwner}'s row takes {@code database}: a deleted org whose dropped database had that name gives it up
     * (the column is unique). Its row keeps the old name in a form no database can have — with its own id, so unique —
     * saying who has the name now; its id, backups and runs stay its own.
     */
    private static void releaseDroppedName(Connection c, String database, String newOwner) throws SQLException {
        Sql.update(c, "update orgs set database_name = database_name || ' (dropped by purge of org ' || org_id || '; the name is org ' "
                + "|| ? || '''s now)', version = version + 1, updated_at = now() where database_name = ? and status = 'deleted'",
                newOwner, database);
    }

    /**
     * Databases on {@code poolId} an operation in progress is filling and no org names yet — a restore's fresh database,
     * a move's target (or one an aborted move left) — each with who writes it: not databases "with no org".
     */
    public Map<String, String> inFlightTargets(String poolId) {
        return catalog.inConnection(c -> inFlightTargets(c, poolId));
    }

    private static Map<String, String> inFlightTargets(Connection c, String poolId) throws SQLException {
        Map<String, String> out = new LinkedHashMap<>();
        Sql.query(c, """
                select r.args ->> 'database', 'restore run ' || r.run_id || ' of org ' || (r.args ->> 'org') from runs r
                where r.verb = 'restore' and r.status = 'running' and r.args ->> 'pool' = ? and r.args ->> 'database' is not null
                union all
                select r.args ->> 'scratch', 'restore run ' || r.run_id || ' of org ' || (r.args ->> 'org') || ' (trying its backup)' from runs r
                where r.verb = 'restore' and r.status = 'running' and r.args ->> 'pool' = ? and r.args ->> 'scratch' is not null
                union all
                select m.to_database, 'move ' || m.move_id || ' of org ' || m.org_id from moves m
                where m.to_pool = ? and (m.state in ('planned', 'frozen', 'copying', 'verifying') or m.state = 'aborted' and not m.target_dropped)
                """, rs -> new String[]{rs.getString(1), rs.getString(2)}, poolId, poolId, poolId).forEach(r -> out.putIfAbsent(r[0], r[1]));
        return out;
    }

    /** "org X's retired copy on pool P (…)" when {@code database} (on {@code poolId}, or any pool when null) is a retired database. */
    private static Optional<String> retiredCopy(Connection c, String poolId, String database) throws SQLException {
        return Sql.one(c, "select org_id, pool_id, reason from retired_databases where database_name = ? "
                + "and (cast(? as text) is null or pool_id = ?) limit 1", rs -> "org " + rs.getString(1) + "'s retired copy on pool "
                + rs.getString(2) + " (" + rs.getString(3) + "; kept until 'tenantctl rebalance gc' drops it)", database, poolId, poolId);
    }

    /**
     * Why an org found no pool: the pinned pool full or not active; or every pool, with those passed over as unreachable.
     * When one of those had room, the org failed because it did not answer, not for want of room: said so, with why and
     * where to look, rather than sending the operator to add capacity.
     */
    private static String noCapacity(String pinnedPool, String pinFlag, Map<String, Pool> pools, List<Pool> passedOver,
                                     Map<String, String> unreachable) {
        if (pinnedPool != null) {
            Pool p = pools.get(pinnedPool);
            if (!Pool.ACTIVE.equals(p.status())) {
                return "no capacity: pool " + pinnedPool + " is " + p.status() + " (enable it with 'tenantctl pools enable " + pinnedPool
                        + "', or " + unpinned(pinFlag) + ")";
            }
            return "no capacity: pool " + pinnedPool + " is full (" + p.orgCount() + "/" + p.capacity() + ") — raise its capacity "
                    + "('tenantctl pools set-capacity " + pinnedPool + " --capacity N') or " + unpinned(pinFlag);
        }
        List<String> state = new ArrayList<>(pools.values().stream()
                .map(p -> p.poolId() + " " + (Pool.ACTIVE.equals(p.status()) ? "full " + p.orgCount() + "/" + p.capacity() : p.status()))
                .toList());
        List<Pool> withRoom = passedOver.stream().filter(p -> Pool.ACTIVE.equals(p.status()) && p.orgCount() < p.capacity()).toList();
        passedOver.stream().filter(p -> !withRoom.contains(p)).forEach(p -> state.add(p.poolId() + " unreachable"));
        if (!withRoom.isEmpty()) {
            withRoom.forEach(p -> state.add(p.poolId() + " unreachable with room for " + (p.capacity() - p.orgCount()) + " ("
                    + unreachable.get(p.poolId()) + ")"));
            String named = String.join(", ", withRoom.stream().map(Pool::poolId).toList());
            return "no capacity: no pool that answers has room (" + String.join(", ", state) + ") — find out why " + named
                    + (withRoom.size() == 1 ? " does" : " do") + " not answer ('tenantctl pools stats" + (withRoom.size() == 1 ? " " + named : "")
                    + "') and mend it, or add room elsewhere ('tenantctl pools set-capacity POOL --capacity N', 'tenantctl pools add')";
        }
        return "no capacity: no active pool has room (" + (state.isEmpty() ? "no pools registered" : String.join(", ", state))
                + ") — add a pool ('tenantctl pools add'), enable one ('tenantctl pools enable POOL') or raise a capacity "
                + "('tenantctl pools set-capacity POOL --capacity N')";
    }

    /** The way past a pinned pool with no room: without the option that pinned it, or (none did: placement chose it) again. */
    private static String unpinned(String pinFlag) {
        return pinFlag != null ? "place the org without " + pinFlag : "try again (placement then chooses a pool with room)";
    }

    /**
     * Registers a database that already exists (made by the app or by scripts) as an active org, under the placement
     * lock. A {@code failed} row for the same org, pool and database is taken over (a provision that refused the
     * database because it held data), keeping its tier when {@code tier} is null (a new row gets free); any other
     * existing row, or a database another org owns, is refused. Returns
     * the pool's org count after the change, so the caller can warn when it is past capacity.
     */
    public int adopt(String orgId, String poolId, String databaseName, String tier, String schemaHash) {
        return adopt(orgId, poolId, databaseName, tier, schemaHash, false);
    }

    /** As {@link #adopt(String, String, String, String, String)}; with {@code dryRun}, every check and nothing written. */
    public int adopt(String orgId, String poolId, String databaseName, String tier, String schemaHash, boolean dryRun) {
        return adopt(orgId, poolId, databaseName, tier, schemaHash, dryRun, null);
    }

    /**
     * As {@link #adopt(String, String, String, String, String, boolean)}, a retired copy of the name on another pool refused
     * too unless that pool is in {@code toldApart}: those the caller found to be other databases (another server) when it
     * read the retired copies; one recorded since may be this very database, its server registered twice. Null: only a
     * retired copy on {@code poolId} refuses.
     */
    public int adopt(String orgId, String poolId, String databaseName, String tier, String schemaHash, boolean dryRun,
                     java.util.Set<String> toldApart) {
        return catalog.inTransaction(c -> {
            Sql.one(c, "select pg_advisory_xact_lock(?)", rs -> 1, PLACEMENT_LOCK);
            Pool pool = PoolRepository.find(c, poolId).orElseThrow(() -> PoolRepository.unknown(poolId));
            Optional<Org> existing = Sql.one(c, SELECT + " where org_id = ? for update", OrgRepository::map, orgId);
            if (existing.isPresent()) {
                Org o = existing.get();
                if (!o.status().equals(Org.FAILED) || !o.poolId().equals(poolId) || !o.databaseName().equals(databaseName)) {
                    throw TenantctlException.usage("org " + orgId + " is already in the catalog (" + o.status() + ", database "
                            + o.databaseName() + " on pool " + o.poolId() + "): adopt registers databases that have no org yet"
                            + (o.status().equals(Org.FAILED) ? "; 'tenantctl orgs forget " + orgId + "' clears the failed row first" : ""));
                }
                if (!dryRun) {
                    Sql.update(c, "update orgs set status = 'active', schema_hash = ?, tier = coalesce(?, tier), version = version + 1, "
                            + "updated_at = now() where org_id = ? and version = ?", schemaHash, tier, orgId, o.version());
                }
                return pool.orgCount(); // its failed row already counted
            }
            requireAdoptable(c, null, poolId, databaseName, toldApart);
            if (!dryRun) {
                releaseDroppedName(c, databaseName, orgId);
                Sql.update(c, "insert into orgs (org_id, pool_id, database_name, status, tier, schema_hash) values (?, ?, ?, 'active', ?, ?)",
                        orgId, poolId, databaseName, tier == null ? "free" : tier, schemaHash);
            }
            return pool.orgCount() + 1;
        });
    }

    /**
     * Refuses (usage) to adopt {@code databaseName} on {@code poolId} when another org than {@code orgId} claims it, when it
     * is a retired copy (a move's or restore's source kept for its grace, a deleted org's) — or, {@code toldApart} given, when
     * a retired copy of the name is on another pool than those — or when a move or restore is writing it.
     */
    private static void requireAdoptable(Connection c, String orgId, String poolId, String databaseName, java.util.Set<String> toldApart)
            throws SQLException {
        Optional<String> owner = Sql.one(c, CLAIMANT, rs -> rs.getString(1), databaseName).filter(id -> !id.equals(orgId));
        if (owner.isPresent()) {
            throw TenantctlException.usage("database " + databaseName + " already belongs to org '" + owner.get() + "'");
        }
        java.sql.Array apart = toldApart == null ? null : c.createArrayOf("text", toldApart.toArray());
        Optional<String[]> retired = Sql.one(c, "select org_id, pool_id, reason from retired_databases where database_name = ? and (pool_id = ? "
                + "or cast(? as text[]) is not null and not pool_id = any(cast(? as text[]))) order by pool_id = ? desc limit 1",
                rs -> new String[]{rs.getString(1), rs.getString(2), rs.getString(3)}, databaseName, poolId, apart, apart, poolId);
        if (retired.isPresent()) {
            String[] r = retired.get();
            String copy = "org " + r[0] + "'s retired copy on pool " + r[1] + " (" + r[2] + "; kept until 'tenantctl rebalance gc' drops it)";
            throw TenantctlException.usage("database " + databaseName + " on pool " + poolId + (r[1].equals(poolId) ? " is " + copy
                    + ": it is not adoptable as another org" : " may be " + copy + ", recorded while this adopt ran (pool " + r[1]
                    + " may be this server registered twice): run the adopt again to tell"));
        }
        String filling = inFlightTargets(c, poolId).get(databaseName);
        if (filling != null) {
            throw TenantctlException.usage("database " + databaseName + " on pool " + poolId + " is being written by " + filling
                    + ": it is not adoptable as another org");
        }
    }

    /**
     * Points org {@code o} (active or suspended, its database gone from its pool) at a copy of its data, {@code
     * databaseName} on {@code poolId}: the adopt of an org whose own database is missing. The same checks as a new
     * adopt's (another org's database, a retired copy — on another pool than {@code toldApart} too, as there — one being
     * written); with {@code dryRun} nothing written. The pool's org count after it.
     */
    public int repoint(Org o, String poolId, String databaseName, String schemaHash, boolean dryRun, java.util.Set<String> toldApart) {
        return catalog.inTransaction(c -> {
            Sql.one(c, "select pg_advisory_xact_lock(?)", rs -> 1, PLACEMENT_LOCK);
            Pool pool = PoolRepository.find(c, poolId).orElseThrow(() -> PoolRepository.unknown(poolId));
            requireAdoptable(c, o.orgId(), poolId, databaseName, toldApart);
            if (!dryRun && Sql.update(c, "update orgs set pool_id = ?, database_name = ?, schema_hash = ?, version = version + 1, "
                    + "updated_at = now() where org_id = ? and version = ?", poolId, databaseName, schemaHash, o.orgId(), o.version()) != 1) {
                throw TenantctlException.config("org " + o.orgId() + " changed while it was being adopted: run the adopt again");
            }
            return pool.orgCount() + (o.poolId().equals(poolId) ? 0 : 1);
        });
    }

    /**
     * Removes a {@code failed} org's row, touching no database. Refuses any other status: those orgs are live or in
     * the middle of something. In the same transaction the org's items in unfinished runs of {@code verb} (the runs
     * that would make it again) are skipped saying {@code why} ({@link RunRepository#skipUnfinished}).
     */
    public Org forget(String orgId, String verb, String why) {
        return catalog.inTransaction(c -> {
            Org o = Sql.one(c, SELECT + " where org_id = ? for update", OrgRepository::map, orgId)
                    .orElseThrow(() -> TenantctlException.usage("no org named '" + orgId + "': see 'tenantctl orgs list'"));
            requireForgettable(o);
            Sql.update(c, "delete from orgs where org_id = ? and version = ?", orgId, o.version());
            RunRepository.skipUnfinished(c, verb, orgId, why); // with the row: no resume in between makes it again
            return o;
        });
    }

    /**
     * Gives back the place of an org a provision placed and never started (its run cancelled): the row removed while it
     * is still {@code provisioning} at {@code expectedVersion}. No database was ever made for it. False if it changed.
     */
    public boolean releasePlace(String orgId, long expectedVersion) {
        return catalog.inConnection(c -> Sql.update(c, "delete from orgs where org_id = ? and version = ? and status = 'provisioning'",
                orgId, expectedVersion)) == 1;
    }

    /**
     * What {@link #settleUnstarted} did to a page of orgs (for a {@code dryRun}, would do): {@code released}, never begun,
     * their rows deleted and their places free again; {@code failed}, begun (a database may be half made), now failed.
     */
    public record Settled(List<String> released, List<Org> failed) {
    }

    /**
     * For the cancel of provision run {@code runId}: of {@code orgIds} (a page; {@code notStarted} says, index for index,
     * which the cancel ended not started), those still provisioning that nobody is on (no live lease but one of
     * {@code deadHolders}', or, for one not started, one taken for the run by a worker that finds its item cancelled):
     * one not started that no {@code verb} run ever began gives its place back, the rest are failed. Three statements a
     * page, whatever its size: a fleet's cancel took a round trip or four an org. Only rows as they are when each statement runs.
     */
    public Settled settleUnstarted(String runId, String verb, List<String> orgIds, List<Boolean> notStarted, java.util.Collection<String> deadHolders,
                                   boolean dryRun) {
        String ended = "with e as (select * from unnest(cast(? as text[]), cast(? as boolean[])) as e(org_id, not_started)) ";
        String nobodyOnIt = "o.status = 'provisioning' and not exists (select 1 from org_leases l where l.org_id = o.org_id "
                + "and l.lease_until >= now() and l.holder <> all(cast(? as text[])) and not (e.not_started and coalesce(l.run_id = ?, false))) ";
        // never begun: this run is the only {@code verb} run that had it as an item (runs of other verbs that skipped or refused
        // it did nothing to it of that kind), and there no attempt is counted — a claim handed back unstarted takes its attempt
        // back, so one counted is work begun (a Ctrl-C's hand-back, a dead worker's), not a live claim yet to start (running: its own)
        String fresh = "e.not_started and not exists (select 1 from run_items i join runs r on r.run_id = i.run_id where i.org_id = o.org_id "
                + "and r.verb = ? and (i.run_id <> ? or i.attempts > case when i.status = 'running' then 1 else 0 end)) ";
        return catalog.inConnection(c -> {
            Object[] params = {c.createArrayOf("text", orgIds.toArray()), c.createArrayOf("boolean", notStarted.toArray()),
                    c.createArrayOf("text", deadHolders.toArray()), runId, verb, runId};
            List<String> released = new java.util.ArrayList<>(Sql.query(c, ended + (dryRun ? "select o.org_id from orgs o join e using (org_id) where "
                    : ", d as (delete from orgs o using e where o.org_id = e.org_id and ") + nobodyOnIt + "and " + fresh
                    + (dryRun ? "" : "returning o.org_id) select org_id from d"), rs -> rs.getString(1), params));
            released.sort(null);
            List<Org> failed = new java.util.ArrayList<>(Sql.query(c, ended + (dryRun ? "select o.* from orgs o join e using (org_id) where "
                    : ", u as (update orgs o set status = 'failed', status_before_delete = null, version = version + 1, updated_at = now() "
                    + "from e where o.org_id = e.org_id and ") + nobodyOnIt + "and not (" + fresh + ")"
                    + (dryRun ? "" : "returning o.*) select * from u"), OrgRepository::map, params));
            failed.sort(java.util.Comparator.comparing(Org::orgId));
            return new Settled(released, failed);
        });
    }

    /** Only a {@code failed} org may be forgotten: the one refusal, for the real command and its --dry-run alike. */
    public static void requireForgettable(Org o) {
        if (!o.status().equals(Org.FAILED)) {
            throw TenantctlException.usage("org " + o.orgId() + " is " + o.status() + ": only failed orgs can be forgotten"
                    + " (forget removes the catalog row of an org whose provision or adoption failed)");
        }
    }

    /**
     * Records a successful schema apply: status active, the manifest hash {@code schemaHash}, version bumped — only
     * while the org's pool still has the URI {@code poolUri} the work went through: false, nothing written, after a
     * 'pools set-uri' meanwhile (that server never got it).
     */
    public boolean markActive(String orgId, String schemaHash, String poolUri) {
        return catalog.inConnection(c -> Sql.update(c,
                "update orgs set status = 'active', schema_hash = ?, version = version + 1, updated_at = now() where org_id = ? "
                        + SAME_URI, schemaHash, orgId, poolUri)) == 1;
    }

    /** Records that the manifest with {@code schemaHash} is now applied, whatever the org's status; as {@link #markActive}, false after a URI change. */
    public boolean recordSchema(String orgId, String schemaHash, String poolUri) {
        return catalog.inConnection(c -> Sql.update(c,
                "update orgs set schema_hash = ?, version = version + 1, updated_at = now() where org_id = ? " + SAME_URI,
                schemaHash, orgId, poolUri)) == 1;
    }

    /**
     * Records that the org's schema is unknown (no hash) before a migrate-all starts changing its database: a failure or
     * a crash part way leaves it between two manifests, and a recorded hash would let the next rollout (of either manifest)
     * count it unchanged, or inspect only what its manifest says changed. Success records the new hash again.
     */
    public void forgetSchema(String orgId) {
        catalog.inConnection(c -> Sql.update(c,
                "update orgs set schema_hash = null, version = version + 1, updated_at = now() where org_id = ?", orgId));
    }

    private static final String SAME_URI = "and exists (select 1 from pools p where p.pool_id = orgs.pool_id and p.uri = ?)";

    /**
     * Sets a status, bumping the version. Like every status change but a delete's own, it ends what a delete's freeze
     * recorded ({@link #freezeForDelete}): the org's status is now what someone chose.
     */
    public void setStatus(String orgId, OrgStatus status) {
        catalog.inConnection(c -> Sql.update(c, "update orgs set status = ?, status_before_delete = null, version = version + 1, "
                + "updated_at = now() where org_id = ?", status.db(), orgId));
    }

    /** Optimistic update: changes the status only if the row is still at {@code expectedVersion} (as {@link #setStatus}). */
    public boolean compareAndSetStatus(String orgId, long expectedVersion, OrgStatus status) {
        return catalog.inConnection(c -> Sql.update(c, "update orgs set status = ?, status_before_delete = null, version = version + 1, "
                + "updated_at = now() where org_id = ? and version = ?", status.db(), orgId, expectedVersion)) == 1;
    }

    /**
     * An active org set read_only by {@code orgs delete} for its final backup (only at {@code expectedVersion}), recording
     * that it was active: a delete that dies before it marks the org deleting leaves it read_only, and the delete run again
     * then records 'active', not the freeze's read_only, as what undoing it puts back.
     */
    public boolean freezeForDelete(String orgId, long expectedVersion) {
        return catalog.inConnection(c -> Sql.update(c, "update orgs set status = 'read_only', status_before_delete = 'active', "
                + "version = version + 1, updated_at = now() where org_id = ? and version = ? and status = 'active'", orgId, expectedVersion)) == 1;
    }

    /** What a dead delete's freeze recorded, forgotten: the org's read_only is now an operator's suspension. */
    public void forgetDeleteFreeze(String orgId) {
        catalog.inConnection(c -> Sql.update(c, "update orgs set status_before_delete = null where org_id = ? and status = 'read_only' "
                + "and status_before_delete is not null", orgId));
    }

    /** Sets the tier; returns the org as it is now. */
    public Org setTier(String orgId, String tier) {
        return catalog.inTransaction(c -> {
            if (Sql.update(c, "update orgs set tier = ?, version = version + 1, updated_at = now() where org_id = ?", tier, orgId) == 0) {
                throw TenantctlException.usage("no org named '" + orgId + "': see 'tenantctl orgs list'");
            }
            return Sql.one(c, SELECT + " where org_id = ?", OrgRepository::map, orgId).orElseThrow();
        });
    }

    /** A soft-deleted org and when {@code orgs delete} marked it. */
    public record Deleting(Org org, java.time.Instant deletedAt) {
    }

    /**
     * Soft delete: the org (only at {@code expectedVersion}) becomes {@code deleting}, with the time recorded in
     * {@code deleted_at} and {@code before}, the status it had (what undoing the delete puts back), and
     * {@code fingerprintJson}: what its database held when its final backup was checked (null: nothing to hold purge to).
     * False, with nothing written, when the org changed meanwhile.
     */
    public boolean markDeleting(String orgId, long expectedVersion, OrgStatus before, String fingerprintJson) {
        // a freeze by an earlier delete that died (freezeForDelete) knows better than the read_only it left
        return catalog.inConnection(c -> Sql.update(c, "update orgs set status = 'deleting', deleted_at = now(), "
                + "status_before_delete = coalesce(status_before_delete, ?), "
                + "deleted_fingerprint = cast(? as jsonb), version = version + 1, updated_at = now() where org_id = ? and version = ?",
                before.db(), fingerprintJson, orgId, expectedVersion)) == 1;
    }

    /** Whether the org is read_only only because a delete froze it ({@link #freezeForDelete}) and did not finish. */
    public boolean frozenForDelete(String orgId) {
        return catalog.inConnection(c -> Sql.one(c, "select 1 from orgs where org_id = ? and status = 'read_only' and status_before_delete = 'active'",
                rs -> 1, orgId)).isPresent();
    }

    /** The status a deleting org had when it was deleted (active for one deleted before tenantctl recorded it). */
    public OrgStatus statusBeforeDelete(String orgId) {
        return catalog.inConnection(c -> Sql.one(c, "select status_before_delete from orgs where org_id = ? and status_before_delete is not null",
                rs -> OrgStatus.of(rs.getString("status_before_delete")), orgId)).orElse(OrgStatus.ACTIVE);
    }

    /**
     * A deleting org (only at {@code expectedVersion}) taken back as {@code status}: no longer deleting, nothing for purge
     * to hold its database to. False, with nothing written, when the org changed meanwhile.
     */
    public boolean undelete(String orgId, long expectedVersion, OrgStatus status) {
        return catalog.inConnection(c -> Sql.update(c, "update orgs set status = ?, deleted_at = null, deleted_fingerprint = null, "
                + "status_before_delete = null, version = version + 1, updated_at = now() where org_id = ? and version = ? "
                + "and status = 'deleting'", status.db(), orgId, expectedVersion)) == 1;
    }

    /** What a deleting org's database held when its delete checked it, if the delete recorded it. */
    public java.util.Optional<String> deletedFingerprint(String orgId) {
        return catalog.inConnection(c -> Sql.one(c, "select cast(deleted_fingerprint as text) as f from orgs where org_id = ? "
                + "and deleted_fingerprint is not null", rs -> rs.getString("f"), orgId));
    }

    /** Orgs {@code deleting} since before {@code before}, oldest deletion first (a row with no deleted_at counts from updated_at). */
    public List<Deleting> deletingBefore(java.time.Instant before) {
        return catalog.inConnection(c -> Sql.query(c, "select org_id, pool_id, database_name, status, tier, schema_hash, version, "
                + "created_at, updated_at, coalesce(deleted_at, updated_at) as deleted_since from orgs "
                + "where status = 'deleting' and coalesce(deleted_at, updated_at) < ? order by deleted_since, org_id",
                rs -> new Deleting(map(rs), Sql.instant(rs, "deleted_since")), before));
    }

    /** When the org was marked deleting, if it was. */
    public java.util.Optional<java.time.Instant> deletedAt(String orgId) {
        return catalog.inConnection(c -> Sql.one(c, "select deleted_at from orgs where org_id = ? and deleted_at is not null",
                rs -> Sql.instant(rs, "deleted_at"), orgId));
    }

    private static Org map(ResultSet rs) throws SQLException {
        return new Org(rs.getString("org_id"), rs.getString("pool_id"), rs.getString("database_name"), OrgStatus.of(rs.getString("status")),
                rs.getString("tier"), rs.getString("schema_hash"), rs.getLong("version"),
                Sql.instant(rs, "created_at"), Sql.instant(rs, "updated_at"));
    }
}
