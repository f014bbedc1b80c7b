package io.tenantctl.ops;

import com.mongodb.client.MongoDatabase;
import io.tenantctl.NextStep;
import io.tenantctl.TenantctlException;
import io.tenantctl.backup.BackupManifest;
import io.tenantctl.catalog.Org;
import io.tenantctl.catalog.OrgId;
import io.tenantctl.catalog.Pool;
import io.tenantctl.catalog.RestoreRepository;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.ops.run.OrgLeases;
import io.tenantctl.ops.run.RunEngine;
import io.tenantctl.ops.run.OutcomeWord;
import io.tenantctl.pool.Retry;
import io.tenantctl.schema.CollectionSpec;
import io.tenantctl.schema.SchemaDiff;
import io.tenantctl.schema.SchemaManifest;
import org.bson.Document;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code tenantctl orgs adopt}: registers databases that already exist on a pool (made by the app, or by the scripts
 * before tenantctl) as orgs in the catalog. It inspects each database, records which known manifest it matches (the
 * given one, or any manifest the catalog has applied before; none if it matches none) and never creates or drops
 * anything. Discovery lists the databases of a pool that have no catalog row.
 */
public final class Adopt {

    /** One database to adopt: the org id it becomes, and its name (null = the name derived from the id). */
    public record Candidate(String orgId, String databaseName) {
    }

    /**
     * {@code tier}: null when not given (a new row gets free, a failed row taken over keeps its provision's).
     * {@code waitForOrg}: wait for an operation holding an org whose failed row is taken over, instead of exit 3.
     * {@code schemaOption}: " --schema FILE" as the command was given it (quoted for a shell), "" for the built-in
     * manifest; next steps carry it, so what they plan is the manifest this adopt compared with.
     * {@code storeUrl}: where the org's newest backup says its tier and status, for a new row (null: none; free and active).
     */
    public record Request(List<Candidate> orgs, String poolId, String tier, SchemaManifest manifest, String schemaOption, boolean dryRun,
                          boolean waitForOrg, CancelToken cancel, String storeUrl, Map<String, String> env) {
    }

    /**
     * What adopting one database found and did. {@code matchedHash} is the manifest the database fully has (every
     * collection and index, extras allowed), null for none; the diff counts are against the requested manifest.
     * {@code fromBackup}: the tier and status a new row took from the org's newest backup in the store, and which; or that no
     * backup said them, and why (no store, or none there records them). Null for a row taken over.
     */
    public record OrgResult(String orgId, String poolId, String databaseName, Outcome outcome, String matchedHash,
                            String matchedSource, int collections, int missing, int conflicts, int extras, String error,
                            @com.fasterxml.jackson.annotation.JsonIgnore NextStep next, String fromBackup) implements NextStep.Shown {
        OrgResult(String orgId, String poolId, String databaseName, Outcome outcome, String error, NextStep next) {
            this(orgId, poolId, databaseName, outcome, null, null, 0, 0, 0, 0, error, next, null);
        }
    }

    public record Result(String poolId, boolean dryRun, String schemaHash, List<OrgResult> orgs, String capacityWarning) {
        public List<OrgResult> failed() {
            return orgs.stream().filter(o -> o.outcome().equals(FAILED)).toList();
        }
    }

    /**
     * A database on a pool that no catalog row names; {@code suggestedOrgId} is null when its name is not org-like or the
     * id it implies cannot be used, and then {@code whyNoId} says why (null for a name that is not org_&lt;id&gt;).
     * {@code alsoOnPools}: the other pools (other servers) that hold a database of this name no org owns either — one
     * org's two copies, such as a move's retained source and its target once the catalog that knew which is lost.
     * {@code copyOf}: the org id of which this database is one of several copies no org owns (those, or a restore's fresh
     * database {@code org_<id>__r<backup>} beside the database it replaced), for one of them to be adopted under it.
     */
    public record Discovered(String databaseName, String suggestedOrgId, int collections, String whyNoId, List<String> alsoOnPools,
                             String copyOf) {
    }

    /** How adopting one database ended (its -o json spelling is the lower-case name). */
    public enum Outcome implements OutcomeWord {
        ADOPTED, PLANNED, FAILED;
    }

    public static final Outcome ADOPTED = Outcome.ADOPTED;
    public static final Outcome PLANNED = Outcome.PLANNED;
    public static final Outcome FAILED = Outcome.FAILED;

    private static final Set<String> SYSTEM_DATABASES = Set.of("admin", "config", "local");

    /** The lease operation name of {@code orgs adopt} (taking over a failed row). */
    static final String ADOPT = "adopt";

    private final OpsContext ctx;
    private final RunEngine engine;

    public Adopt(OpsContext ctx) {
        this.ctx = ctx;
        this.engine = new RunEngine(ctx, new LeaseRecovery(ctx));
    }

    public Result run(Request req) {
        if (req.storeUrl() == null || req.storeUrl().isBlank()) {
            return run(req, null);
        }
        io.tenantctl.store.ObjectStore opened;
        try {
            opened = OpsContext.openStore(req.storeUrl(), req.env(), false); // one that does not answer: exit 3, saying the two ways on
        } catch (TenantctlException e) {
            throw e.category() == TenantctlException.Category.USAGE ? e : new TenantctlException(e.category(), e.getMessage() + "; nothing "
                    + "adopted: set the store right (--store or TENANTCTL_STORE) and run it again, or adopt without it (--store '') - "
                    + "a new org is then recorded tier " + (req.tier() == null ? "free" : req.tier()) + ", active, whatever its newest "
                    + "backup says (suspended or being deleted)", e);
        }
        try (io.tenantctl.store.ObjectStore store = opened) {
            return run(req, store);
        }
    }

    private Result run(Request req, io.tenantctl.store.ObjectStore store) {
        List<Candidate> orgs = validate(req);
        Pool pool = ctx.catalog().pools().get(req.poolId());
        answers(pool, "nothing adopted");
        Set<String> present = ctx.databaseNames(pool);
        // read once for the batch, not for each org: each org's adopt refuses in its transaction a retired copy recorded since
        List<RestoreRepository.Retired> retired = ctx.catalog().restores().retired(null);
        Map<String, List<String>> elsewhere = unownedElsewhere(pool, retired);
        if (!req.dryRun()) {
            LeaseRecovery.sweep(ctx); // a dead provision's expired lease is not a holder
        }
        Map<String, SchemaManifest> known = knownManifests(req.manifest());
        List<OrgResult> results = new ArrayList<>();
        Set<String> saved = new TreeSet<>(); // the manifests matched, stored once for the batch
        int orgCount = pool.orgCount();
        int added = 0; // a dry run's: rows it would add (a failed row taken over is counted already)
        TenantctlException[] unanswered = {null}; // the store's silence for one org: the next are not made to wait for it
        // what the store says of the orgs that may take a new row: one listing of it for them all, their manifests read a few at once
        Map<String, BackupOrigin.Read> inStoreOf = store == null ? Map.of() : BackupOrigin.newestOfEach(store, orgs.stream()
                .filter(c -> present.contains(databaseOf(c)) && ctx.catalog().orgs().find(c.orgId()).isEmpty())
                .map(Candidate::orgId).distinct().toList(), MANIFESTS_AT_ONCE);
        for (Candidate c : orgs) {
            String db = databaseOf(c);
            // a failed row is taken over under the org's lease, as every single-org change is: a provision re-run holds it
            // while it resumes the org, and would write it back to failed after an adopt meanwhile (busy: exit 3, as forget)
            // a provision still at work on it holds it too: it fails on a database that holds data, leaving the failed row
            // so is an active or suspended org's row pointing elsewhere: its database gone from its pool, it is pointed at this copy
            OrgLeases.Attempt attempt = ctx.catalog().orgs().find(c.orgId())
                    .filter(o -> o.status().equals(Org.FAILED) || o.status().equals(Org.PROVISIONING) || elsewhere(o, pool, db)).isPresent()
                    ? lease(c.orgId(), req) : new OrgLeases.Attempt(null, null);
            if (attempt.refusal() != null) {
                String busy = OrgLeases.busy(attempt.refusal());
                if (orgs.size() == 1) {
                    throw TenantctlException.config(busy);
                }
                // one org of a --file batch is busy: that org fails naming its holder, and the others are adopted
                results.add(new OrgResult(c.orgId(), pool.poolId(), db, FAILED, busy, NextStep.run(again(c, pool, req) + " --wait")));
                continue;
            }
            try (OrgLeases.Held lease = attempt.held()) {
                java.util.Optional<Org> row = ctx.catalog().orgs().find(c.orgId()); // as the holder, if any, left it
                boolean repoint = row.isPresent() && elsewhere(row.get(), pool, db) && homeGone(row.get());
                if (row.isPresent() && !row.get().status().equals(Org.FAILED) && !repoint) { // said first: no hint to provision an id taken
                    Org o = row.get();
                    throw new TenantctlException(TenantctlException.Category.FAILED, "org " + c.orgId() + " is already in the catalog ("
                            + o.status() + ", database " + o.databaseName() + " on pool " + o.poolId() + "): adopt registers databases "
                            + "that have no org yet" + (o.status().equals(Org.DELETING) ? "; it is deleting and its database is kept: "
                            + "'tenantctl orgs resume " + c.orgId() + "' takes it back" : o.status().equals(Org.DELETED)
                            ? "; a deleted org's id is not reused" + underAnotherId(pool, db, present, retired, req) : ""));
                }
                if (row.isPresent() && !repoint && (!row.get().poolId().equals(pool.poolId()) || !row.get().databaseName().equals(db))) {
                    // a failed row elsewhere: said before this pool's databases, whose want sent people to a provision that fails
                    NextStep failed = OrgNext.failedStep(ctx.catalog(), row.get()); // an adopt there compares with this adopt's --schema
                    NextStep step = failed.command() == null || !failed.command().startsWith("tenantctl orgs adopt ") ? failed
                            : NextStep.run(failed.command() + req.schemaOption(), failed.note());
                    results.add(new OrgResult(c.orgId(), pool.poolId(), db, FAILED, "org " + c.orgId() + " is already "
                            + "in the catalog (failed, database " + row.get().databaseName() + " on pool " + row.get().poolId() + "): adopt "
                            + "takes a failed row over on its own pool and database only; next: " + step.text(), step));
                    continue;
                }
                if (!present.contains(db)) {
                    throw new TenantctlException(TenantctlException.Category.FAILED, "pool " + pool.poolId() + " has no database "
                            + db + ": adopt registers existing databases ('tenantctl provision " + c.orgId() + "' creates a new one)");
                }
                // a failed row taken over is its own database
                Set<String> toldApart = row.isEmpty() || repoint ? requireNotRetiredThroughAnotherPool(pool, db, retired) : null;
                Inspection found = inspect(pool, db, req.manifest(), known);
                // a new row: what the catalog that was lost said of the org, kept by its newest backup's manifest
                BackupOrigin.Newest inStore = row.isEmpty() ? newest(store, inStoreOf.get(c.orgId()), c.orgId(), unanswered)
                        : new BackupOrigin.Newest(null, null);
                BackupManifest newest = inStore.manifest() != null && inStore.manifest().org() != null ? inStore.manifest() : null;
                String unread = inStore.unreadable() == null ? "" : " (backup " + inStore.unreadable() + ", as new or newer, does not read back: "
                        + "'tenantctl backups show --org " + c.orgId() + " " + inStore.unreadable() + "')";
                BackupManifest.OrgState then = newest == null ? null : newest.org();
                String tier = req.tier() != null || then == null ? req.tier() : then.tier();
                boolean suspended = then != null && (then.deleted() || Org.READ_ONLY.db().equals(then.status()));
                if (req.dryRun()) { // the catalog's own checks too (another org's database, a retired copy, one being written)
                    added += (repoint ? ctx.catalog().orgs().repoint(row.get(), pool.poolId(), db, found.matchedHash(), true, toldApart)
                            : ctx.catalog().orgs().adopt(c.orgId(), pool.poolId(), db, tier, found.matchedHash(), true, toldApart)) > pool.orgCount() ? 1 : 0;
                } else {
                    if (found.matchedHash() != null && !saved.contains(found.matchedHash())) {
                        SchemaManifest m = known.get(found.matchedHash());
                        ctx.catalog().manifests().save(m.hash(), m.source(), m.canonicalJson());
                        saved.add(m.hash());
                    }
                    orgCount = repoint ? ctx.catalog().orgs().repoint(row.get(), pool.poolId(), db, found.matchedHash(), false, toldApart)
                            : ctx.catalog().orgs().adopt(c.orgId(), pool.poolId(), db, tier, found.matchedHash(), false, toldApart);
                    if (suspended) {
                        ctx.catalog().orgs().setStatus(c.orgId(), Org.READ_ONLY);
                    }
                }
                // a note, not a command: that delete may have been undone, or failed, after its backup; a script running the
                // next steps must not delete a live org
                NextStep deleted = then == null || !then.deleted() ? null : NextStep.note("its newest backup is the final backup of a "
                        + "delete: it was being deleted when that backup was taken, so it is adopted read_only, not deleting (a delete "
                        + "undone or failed since would lose its database to purge); from your records: 'tenantctl orgs delete " + c.orgId()
                        + "' deletes it again, 'tenantctl orgs resume " + c.orgId() + "' makes it writable");
                results.add(new OrgResult(c.orgId(), pool.poolId(), db, req.dryRun() ? PLANNED : ADOPTED, found.matchedHash(),
                        found.matchedHash() == null ? null : known.get(found.matchedHash()).source(), found.collections(),
                        found.diff().missingCollections().size() + found.diff().missingIndexCount(), found.diff().conflicts().size(),
                        found.diff().extras().size(), null, deleted != null ? deleted : row.isEmpty() && elsewhere.containsKey(db) ? NextStep.note(otherCopies(db,
                        pool.poolId(), elsewhere.get(db)) + "; compare them" + (req.dryRun() ? " and adopt only the live one" : ": should "
                        + "the other be the live one, drop this stale copy on pool " + pool.poolId() + " by hand, then 'tenantctl orgs adopt "
                        + c.orgId() + " --pool " + elsewhere.get(db).get(0) + "' points the org at the live one"))
                        : found.matchedHash() != null && found.matchedHash().equals(req.manifest().hash()) ? null
                                : NextStep.run("tenantctl migrate-all --org " + c.orgId() + req.schemaOption() + " --dry-run"),
                        row.isPresent() ? null : then == null ? "tier " + (tier == null ? "free" : tier) + ", active: " + (store == null
                                ? "no store given (--store or TENANTCTL_STORE) to take its tier and status from its newest backup"
                                : "no backup of it in " + store.describe() + " records its tier and status" + unread) : "tier " + tier + (req.tier() == null ? "" : " (given with --tier; the backup says "
                                + then.tier() + ")") + ", " + (suspended ? "read_only" : "active") + (then.deleted()
                                ? " (it was being deleted)" : "") + (unread.isEmpty() ? ", as its newest backup, " : ", as backup ") + newest.backupId() + ", says" + unread));
            } catch (StoreUnread e) {
                if (orgs.size() == 1 && e.category() == TenantctlException.Category.CONFIG) {
                    throw e; // the store refuses or does not answer: exit 3, as an org another operation holds
                }
                results.add(new OrgResult(c.orgId(), pool.poolId(), db, FAILED, e.getMessage(), NextStep.run(again(c, pool, req))));
            } catch (TenantctlException e) {
                results.add(new OrgResult(c.orgId(), pool.poolId(), db, FAILED, e.getMessage(),
                        nextStep(e, c.orgId(), req)));
            } catch (RuntimeException e) {
                results.add(new OrgResult(c.orgId(), pool.poolId(), db, FAILED, Errors.oneLine(e), NextStep.run(again(c, pool, req))));
            }
        }
        // a dry run counts the places of dead restores as free: the real run's sweep gives them back before it adopts
        int after = req.dryRun() ? orgCount + added - LeaseRecovery.placesGivenBack(ctx).getOrDefault(pool.poolId(), 0) : orgCount;
        String warning = after > pool.capacity() ? "pool " + pool.poolId() + " " + (req.dryRun() ? "would hold " : "now holds ")
                + io.tenantctl.Counted.of(after, "org") + ", over its capacity of " + pool.capacity() + ": new orgs go elsewhere; raise its capacity ('tenantctl pools set-capacity " + pool.poolId() + " --capacity N') or move orgs off it"
                : null;
        return new Result(pool.poolId(), req.dryRun(), req.manifest().hash(), results, warning);
    }

    /**
     * Refused, as the catalog refuses a retired copy recorded on {@code pool} itself, when one of the batch's {@code retired}
     * copies recorded on another pool row of the same server is this very database: a second registration of its server,
     * spelled otherwise (localhost / 127.0.0.1), is told as gc tells it, by a probe document written in {@code db} through
     * {@code pool}, read back through the other row and removed (a dry run's too). One that cannot be made refuses: it may
     * be the retired copy. The pools whose retired copy of that name is another database: the catalog's adopt refuses one
     * recorded on any other pool since.
     */
    private Set<String> requireNotRetiredThroughAnotherPool(Pool pool, String db, List<RestoreRepository.Retired> retired) {
        Set<String> toldApart = new TreeSet<>();
        for (RestoreRepository.Retired r : retired) {
            if (!r.databaseName().equals(db) || r.poolId().equals(pool.poolId())) {
                continue; // another name, or a copy on this pool: the catalog's adopt refuses that one itself
            }
            java.util.Optional<Pool> other = ctx.catalog().pools().find(r.poolId());
            String copy = "org " + r.orgId() + "'s retired copy on pool " + r.poolId() + " (" + r.reason() + "; kept until "
                    + "'tenantctl rebalance gc' drops it)";
            boolean same;
            try {
                same = other.isPresent() && DatabaseGc.sameDatabase(ctx, pool, other.get(), db); // a pool gone is no server of this one
            } catch (RuntimeException e) {
                throw TenantctlException.config("could not tell whether database " + db + " on pool " + pool.poolId() + " is " + copy
                        + ", pool " + r.poolId() + "'s server under another spelling: " + Errors.oneLine(e) + "; run it again when both pools answer");
            }
            if (same) {
                throw TenantctlException.usage("database " + db + " on pool " + pool.poolId() + " is " + copy + ", the same server "
                        + "registered twice: it is not adoptable as another org");
            }
            toldApart.add(r.poolId());
        }
        return toldApart;
    }

    /** Whether {@code o} is an active or suspended org that lives somewhere other than {@code db} on {@code pool}. */
    private static boolean elsewhere(Org o, Pool pool, String db) {
        return (o.status().equals(Org.ACTIVE) || o.status().equals(Org.READ_ONLY))
                && !(o.poolId().equals(pool.poolId()) && o.databaseName().equals(db));
    }

    /** Whether org {@code o}'s own database is gone from its pool (which must answer: else it cannot be told). */
    private boolean homeGone(Org o) {
        return !ctx.databaseNames(ctx.catalog().pools().get(o.poolId())).contains(o.databaseName());
    }

    /**
     * The org's lease for taking its failed row over, or who holds the org (the refusal); a dry run takes none and only
     * checks that nobody holds it. With --wait, waited for.
     */
    private OrgLeases.Attempt lease(String orgId, Request req) {
        if (req.dryRun()) {
            return new OrgLeases.Attempt(null, engine.orgLeases().liveHolder(orgId).orElse(null));
        }
        return req.waitForOrg() ? new OrgLeases.Attempt(engine.orgLeases().hold(orgId, ADOPT, true, req.cancel()), null)
                : engine.orgLeases().tryHold(orgId, ADOPT);
    }

    /**
     * For the refusal of a deleted org's id: the adopt of {@code db} under another id when that works (the database is on
     * the pool and no org, retired copy or restore or move claims it — as purge leaves a name a stale client wrote again),
     * else why not.
     */
    private String underAnotherId(Pool pool, String db, Set<String> present, List<RestoreRepository.Retired> retired, Request req) {
        if (!present.contains(db)) {
            return ", and pool " + pool.poolId() + " has no database " + db + " to adopt";
        }
        return claimed(pool.poolId(), retired, Set.of(db)).contains(db) ? "" : ": adopt the database under another id: " + ADOPT_UNDER_NEW_ID
                + " --pool " + pool.poolId() + " --database " + NextStep.shellWord(db) + req.schemaOption();
    }

    private static final String ADOPT_UNDER_NEW_ID = "tenantctl orgs adopt NEW_ID";

    /** The store did not give the org's backups to read: what they say of its tier and status is not known. */
    private static final class StoreUnread extends TenantctlException {
        StoreUnread(String orgId, TenantctlException e, String why) {
            super(e.category(), "org " + orgId + " not adopted: its backups, which say its tier and status, " + why + e.getMessage(), e);
        }
    }

    /** Orgs whose backups' manifests a batch reads at once: a store's latency, not its bandwidth, bounds reading them. */
    private static final int MANIFESTS_AT_ONCE = 8;

    private static String databaseOf(Candidate c) {
        return c.databaseName() == null ? OrgId.databaseName(c.orgId()) : c.databaseName();
    }

    /**
     * {@link BackupOrigin#newest} of the org, as the batch's {@code read} of it gave it (null: not read, it had a row then; read
     * now), a store that refuses or breaks off the read a {@link StoreUnread}: nothing adopted on a guess. Once the store did
     * not answer ({@code unanswered[0]}, or the batch's read for another org), it is not asked again: each org would wait out
     * its timeouts alike.
     */
    private static BackupOrigin.Newest newest(io.tenantctl.store.ObjectStore store, BackupOrigin.Read read, String orgId,
                                              TenantctlException[] unanswered) {
        if (read == null ? unanswered[0] != null : read.notAsked()) {
            throw new StoreUnread(orgId, read == null ? unanswered[0] : read.failure() instanceof TenantctlException t ? t
                    : io.tenantctl.store.StoreUnansweredException.in(read.failure()).orElseThrow(), "were not read, the store not "
                    + "answering for another org: ");
        }
        try {
            if (read == null) {
                return BackupOrigin.newest(store, orgId);
            }
            if (read.failure() != null) {
                throw read.failure();
            }
            return read.newest();
        } catch (TenantctlException e) {
            unanswered[0] = io.tenantctl.store.StoreUnansweredException.in(e).isPresent() ? e : null;
            throw new StoreUnread(orgId, e, "could not be read: ");
        }
    }

    /** The adopt of one org as this one was given (its database, tier and manifest), for its next step. */
    private static String again(Candidate c, Pool pool, Request req) {
        return "tenantctl orgs adopt " + c.orgId() + " --pool " + pool.poolId() + (c.databaseName() == null ? "" : " --database "
                + NextStep.shellWord(c.databaseName())) + (req.tier() == null ? "" : " --tier " + req.tier()) + req.schemaOption();
    }

    /** A placeholder (NEW_ID) is no command to run as it is: the adopt under another id is the note, the id to choose. */
    private static NextStep nextStep(TenantctlException e, String orgId, Request req) {
        String m = e.getMessage();
        if (m.contains(ADOPT_UNDER_NEW_ID)) { // the message ends with it
            return NextStep.note(m.substring(m.indexOf(ADOPT_UNDER_NEW_ID)));
        }
        if (m.contains("orgs forget")) {
            return NextStep.run("tenantctl orgs forget " + orgId);
        }
        return m.contains("provision " + orgId) ? NextStep.run("tenantctl provision " + orgId + req.schemaOption()) : null;
    }

    /**
     * The adopt's pool pinged: one that does not answer is a config error (exit 3) in the words every single-org command
     * uses, "pool P does not answer: why — see 'tenantctl pools stats P'", saying {@code done} (nothing adopted) and to run
     * it again, with the ping's own advice (a TLS-only pool: add tls=true); one that answers and refuses (its credentials)
     * says so as the ping does.
     */
    private void answers(Pool pool, String done) {
        try {
            PoolHealth.ping(ctx, pool);
        } catch (RuntimeException e) {
            io.tenantctl.OutOfDescriptorsException.throwIfOurs(e);
            if (!io.tenantctl.pool.FerretErrors.notAnswering(e) || Retry.cutShort(e)) {
                throw e;
            }
            // the ping's why and its advice (a TLS pool: add tls=true), the pool named once
            throw TenantctlException.config(PoolHealth.doesNotAnswer(pool, null, PoolHealth.pingWhy(e)) + "; " + done + "; once it answers, run it again", e);
        }
    }

    /** Databases on {@code poolId} that no catalog row names (read-only). */
    public List<Discovered> discover(String poolId) {
        Pool pool = ctx.catalog().pools().get(poolId);
        answers(pool, "nothing listed");
        List<RestoreRepository.Retired> retired = ctx.catalog().restores().retired(null);
        Set<String> unowned = new TreeSet<>(ctx.databaseNames(pool));
        unowned.removeAll(SYSTEM_DATABASES);
        unowned.removeAll(claimed(poolId, retired, unowned));
        // the catalog asked only of the ids these databases imply (deleted ones too: never reused) and the names those ids
        // would give, not read whole: what it holds of the rest of the fleet is no part of the answer
        Set<String> implied = new TreeSet<>();
        Set<String> impliedNames = new TreeSet<>();
        for (String n : unowned) {
            java.util.Optional.ofNullable(OrgId.suggestedId(n)).ifPresent(id -> {
                implied.add(id);
                impliedNames.add(OrgId.databaseName(id));
            });
            java.util.Optional.ofNullable(restoredOf(n)).ifPresent(implied::add);
        }
        Map<String, Org> ids = new java.util.HashMap<>();
        inPages(implied, page -> ids.putAll(ctx.catalog().orgs().findAll(page)));
        Set<String> known = claimed(poolId, retired, impliedNames);
        Map<String, List<String>> elsewhere = unownedElsewhere(pool, retired);
        List<Discovered> out = new ArrayList<>();
        for (String db : unowned) {
            Errors.stopIfCancelled(ctx, "while looking for databases on pool " + poolId + ": nothing adopted");
            MongoDatabase handle = ctx.pools().database(pool.poolId(), pool.uri(), db);
            int collections = SchemaApply.collections(handle, ctx.retry(), new Retry.Attempts()).size();
            String id = OrgId.suggestedId(db);
            Org holder = id == null ? null : ids.get(id);
            String whyNoId = id == null ? null : holder != null
                    ? (holder.status().equals(Org.DELETED) ? "its id " + id + " is deleted org " + id + "'s, and an id is never reused"
                    : "its id " + id + " is org " + id + "'s (database " + holder.databaseName() + " on pool " + holder.poolId() + ")")
                    : known.contains(OrgId.databaseName(id)) ? "org id " + id + " would name database " + OrgId.databaseName(id)
                    + ", which another org holds" : null;
            List<String> also = elsewhere.getOrDefault(db, List.of());
            String copyOf = null;
            if (whyNoId == null && !also.isEmpty()) {
                whyNoId = otherCopies(db, poolId, also) + ": compare them and adopt only the live one (a move's retained source, "
                        + "or a database a restore replaced, holds none of the writes made since)";
                copyOf = id;
            }
            // a restore's fresh database (org_B__r<backup>) whose org B has no row: B's data, maybe its live copy
            String restoredOf = restoredOf(db);
            String base = restoredOf != null ? restoredOf : id;
            if (whyNoId == null && base != null && !ids.containsKey(base)) {
                List<String> siblings = new ArrayList<>();
                java.util.function.BiConsumer<String, String> look = (p, n) -> {
                    if (!(p.equals(poolId) && n.equals(db)) && (n.equals(OrgId.databaseName(base)) || base.equals(restoredOf(n)))) {
                        siblings.add(n + " on pool " + p);
                    }
                };
                unowned.forEach(n -> look.accept(poolId, n));
                elsewhere.forEach((n, ps) -> ps.forEach(p -> look.accept(p, n)));
                boolean anyRestored = restoredOf != null || siblings.stream().anyMatch(x -> restoredOf(x.substring(0, x.indexOf(' '))) != null);
                if (restoredOf != null && siblings.isEmpty()) {
                    id = restoredOf; // org B's restored data, alone: adopted as B, with this database
                } else if (anyRestored && !siblings.isEmpty()) {
                    whyNoId = (restoredOf != null ? db + " is named as a restore of org " + base + " names its fresh database (its live copy, "
                            + "unless a later restore replaced it)" : "a restore of org " + base + " replaced " + db + " (it holds none of the "
                            + "writes made since)") + "; org " + base + "'s other copies: " + String.join(", ", siblings)
                            + ": compare them and adopt only the live one as '" + base + " DATABASE' on its pool";
                    copyOf = base;
                }
            }
            out.add(new Discovered(db, id != null && whyNoId == null ? id : null, collections, whyNoId, also, copyOf));
        }
        return out;
    }

    private static final java.util.regex.Pattern RESTORED = java.util.regex.Pattern.compile("^(org_.+)__r(\\d{14}[a-z0-9]{6}|[a-z0-9]{6})(_\\d+)?$");

    /**
     * The org id whose restore names its fresh database {@code db} ({@code org_<id>__r<backup>[_n]}, as Restore names
     * it), null for another name.
     */
    static String restoredOf(String db) {
        java.util.regex.Matcher m = RESTORED.matcher(db);
        if (!m.matches() || m.group(2).length() == 6 && m.group(1).length() + 3 + 20 <= 60) {
            return null; // the short form only where the long one would pass 60 bytes
        }
        return OrgId.suggestedId(m.group(1));
    }

    private static String otherCopies(String db, String poolId, List<String> pools) {
        return db + " is on pool " + String.join(", ", pools) + " too, no org's there either: one org's copies on two pools, "
                + "as a move's source and target are when the catalog that knew which is live is lost; the copy on " + poolId
                + " may be the stale one";
    }

    /**
     * Per database name, the other pools that hold a database of that name no catalog row claims: pools on another
     * server than {@code pool} (one registered twice lists the same database through both) that answer; one that does not
     * answer cannot be told of here (verify names it). {@code retired}: the catalog's retired copies, as read for them all.
     */
    private Map<String, List<String>> unownedElsewhere(Pool pool, List<RestoreRepository.Retired> retired) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        io.tenantctl.pool.PoolUri mine = io.tenantctl.pool.PoolUri.stored(pool.uri());
        for (Pool other : ctx.catalog().pools().list()) {
            if (other.poolId().equals(pool.poolId()) || !mine.serversSharedWith(io.tenantctl.pool.PoolUri.stored(other.uri())).isEmpty()) {
                continue;
            }
            Set<String> names;
            try {
                ctx.pools().ping(other.poolId(), other.uri()); // one try: a pool down is not waited out through every retry
                names = ctx.databaseNames(other);
            } catch (TenantctlException | com.mongodb.MongoException unanswered) { // databaseNames files a listing's failure as the pool not answering
                continue;
            }
            Set<String> claimed = claimed(other.poolId(), retired, names);
            names.stream().filter(n -> !SYSTEM_DATABASES.contains(n) && !claimed.contains(n))
                    .forEach(n -> out.computeIfAbsent(n, k -> new ArrayList<>()).add(other.poolId()));
        }
        return out;
    }

    /**
     * Those of the database names {@code names} on {@code poolId} that are someone's: every org's name but a deleted one's
     * whose database purge dropped (back on the pool, it is a stale client's: adoptable under another id), a retired copy
     * (of the catalog's {@code retired}), a copy being written. The catalog is asked of {@code names} a page at a time: it
     * never hands over the fleet's names, nor does memory hold them.
     */
    private Set<String> claimed(String poolId, List<RestoreRepository.Retired> retired, Set<String> names) {
        Set<String> known = new TreeSet<>();
        inPages(names, page -> known.addAll(ctx.catalog().orgs().claimedDatabaseNames(page)));
        // a database a restore replaced or a move left behind is kept on purpose (until gc): not someone's org to adopt
        retired.stream().filter(r -> r.poolId().equals(poolId)).map(RestoreRepository.Retired::databaseName).filter(names::contains)
                .forEach(known::add);
        // a restore's or move's copy being written
        ctx.catalog().orgs().inFlightTargets(poolId).keySet().stream().filter(names::contains).forEach(known::add);
        return known;
    }

    /** Names the catalog is asked about at once (a pool's databases, the ids they imply). */
    public static final int NAMES_AT_ONCE = 1000;

    /** {@code each} given {@code names} in order, {@link #NAMES_AT_ONCE} at a time: one catalog query a page. */
    private static void inPages(Set<String> names, java.util.function.Consumer<List<String>> each) {
        List<String> all = new ArrayList<>(names);
        for (int from = 0; from < all.size(); from += NAMES_AT_ONCE) {
            each.accept(all.subList(from, Math.min(all.size(), from + NAMES_AT_ONCE)));
        }
    }

    private record Inspection(SchemaDiff diff, String matchedHash, int collections) {
    }

    /** Diffs the database against the requested manifest and every known one; the most complete full match wins. */
    private Inspection inspect(Pool pool, String database, SchemaManifest requested, Map<String, SchemaManifest> known) {
        MongoDatabase db = ctx.pools().database(pool.poolId(), pool.uri(), database);
        Retry.Attempts attempts = new Retry.Attempts();
        Set<String> existing = SchemaApply.collections(db, ctx.retry(), attempts);
        Map<String, List<Document>> indexes = SchemaApply.indexes(db, existing, new ArrayList<>(new TreeSet<>(existing)), ctx.retry(), attempts);
        SchemaDiff against = SchemaDiff.compute(requested, existing, indexes);
        String matched = known.values().stream()
                .filter(m -> SchemaDiff.compute(m, existing, indexes).upToDate())
                .max(Comparator.<SchemaManifest>comparingInt(m -> m.indexCount() + m.collections().size())
                        .thenComparing(m -> m.hash().equals(requested.hash())))
                .map(SchemaManifest::hash).orElse(null);
        return new Inspection(against, matched, existing.size());
    }

    /** The requested manifest and every manifest the catalog has applied before, by hash. */
    private Map<String, SchemaManifest> knownManifests(SchemaManifest requested) {
        Map<String, SchemaManifest> out = new LinkedHashMap<>();
        out.put(requested.hash(), requested);
        ctx.catalog().manifests().all().forEach((hash, body) -> {
            try {
                out.putIfAbsent(hash, SchemaManifest.parse(body, "catalog manifest " + hash.substring(0, 12)));
            } catch (TenantctlException unreadable) {
                // a manifest stored by an older tenantctl that this one no longer reads cannot be matched
            }
        });
        return out;
    }

    /**
     * An adopt file's candidates, one 'ORG [DATABASE]' a line ({@code source}: "adopt file F"); refused (exit 2, nothing
     * adopted) naming every bad line: not 'ORG [DATABASE]', an invalid id or database name, an id or database listed twice.
     */
    public static List<Candidate> readList(String text, String source) {
        ListFile.Problems problems = new ListFile.Problems(source);
        Map<String, Integer> seen = new java.util.HashMap<>();
        List<Candidate> out = new ArrayList<>();
        for (ListFile.Line line : ListFile.lines(text)) {
            String[] parts = line.text().split("\\s+");
            Candidate c = new Candidate(parts[0], parts.length == 2 ? parts[1] : null);
            problems.add(line, parts.length > 2 ? "'" + line.text() + "' is not 'ORG [DATABASE]'" : problem(c, seen, line.number()));
            out.add(c);
        }
        problems.refuse("nothing adopted");
        return out;
    }

    /**
     * What is wrong with {@code c} (null: nothing); {@code seen}: the ids and databases of the candidates before it, each
     * with its line in a file (0: given otherwise), to which it adds its own.
     */
    private static String problem(Candidate c, Map<String, Integer> seen, int line) {
        String p = OrgId.problem(c.orgId());
        if (p == null && c.databaseName() != null) {
            p = OrgId.databaseProblem(c.databaseName());
        }
        String db = c.databaseName() == null ? OrgId.databaseName(c.orgId()) : c.databaseName();
        for (String listed : p == null ? List.of("org " + c.orgId(), "database " + db) : List.<String>of()) {
            Integer first = seen.putIfAbsent(listed, line);
            if (first != null) {
                return listed + " is listed twice" + (first > 0 ? " (line " + first + " too)" : "");
            }
        }
        return p;
    }

    private static List<Candidate> validate(Request req) {
        if (req.orgs().isEmpty()) {
            throw TenantctlException.usage("no orgs given: name one (orgs adopt acme --pool pool-1), pass --file FILE, or list "
                    + "candidates with --discover");
        }
        List<String> problems = new ArrayList<>();
        Map<String, Integer> seen = new java.util.HashMap<>();
        for (Candidate c : req.orgs()) {
            String p = problem(c, seen, 0);
            if (p != null) {
                problems.add(p);
            }
        }
        if (!problems.isEmpty()) {
            throw TenantctlException.usage(problems.size() + " invalid entr" + (problems.size() == 1 ? "y" : "ies")
                    + ", nothing adopted: " + String.join("; ", problems));
        }
        if (req.tier() != null) {
            OrgId.requireTier(req.tier());
        }
        return req.orgs();
    }
}
