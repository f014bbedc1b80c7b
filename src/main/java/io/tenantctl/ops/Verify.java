package io.tenantctl.ops;

import com.mongodb.client.MongoDatabase;
import io.tenantctl.Counted;
import io.tenantctl.NextStep;
import io.tenantctl.TenantctlException;
import io.tenantctl.backup.BackupLayout;
import io.tenantctl.backup.BackupReader;
import io.tenantctl.backup.Compression;
import io.tenantctl.catalog.BackupPolicyRepository;
import io.tenantctl.catalog.FindingRepository;
import io.tenantctl.catalog.ItemStatus;
import io.tenantctl.catalog.MoveRepository;
import io.tenantctl.catalog.Org;
import io.tenantctl.catalog.OrgId;
import io.tenantctl.catalog.OrgStatus;
import io.tenantctl.catalog.Pool;
import io.tenantctl.catalog.RestoreRepository;
import io.tenantctl.catalog.RunRepository;
import io.tenantctl.catalog.RunStatus;
import io.tenantctl.ops.run.Budget;
import io.tenantctl.ops.run.Job;
import io.tenantctl.ops.run.OutcomeNames;
import io.tenantctl.ops.run.RunEngine;
import io.tenantctl.ops.run.RunReport;
import io.tenantctl.pool.PoolUri;
import io.tenantctl.pool.Retry;
import io.tenantctl.schema.SchemaDiff;
import io.tenantctl.schema.SchemaManifest;
import io.tenantctl.store.ObjectStore;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * {@code tenantctl verify}: is the fleet healthy, and what exactly is wrong. Per org, on the run engine (fanned out
 * across pools): its database exists where the catalog says, and its collections and indexes match the manifest it
 * recorded (optionally: its newest backup reads back whole). Across the fleet: pools reachable and within capacity,
 * no database a catalog pointer does not explain (orphans, strays; retained copies listed as such), no org or move
 * stuck in a transitional state, no run left running by dead workers, backups fresh per tier. Every finding has a
 * stable id, the exact command that fixes it, and is kept in the catalog (first and last seen, acks).
 */
public final class Verify {

    public static final String VERB = "verify", DONE = "clean";
    public static final String PROBLEM = "problem";
    public static final String INFO = "info";
    private static final Set<OrgStatus> TRANSITIONAL = Set.of(Org.PROVISIONING, Org.MOVING, Org.RESTORING);
    /**
     * Orgs whose database is not checked: not the org's yet (provisioning, failed), or being replaced by a restore — an
     * in-place one rewrites it, and one that died after dropping it left it partial: --fix must never write there.
     */
    private static final Set<OrgStatus> NOT_CHECKED = Set.of(Org.PROVISIONING, Org.FAILED, Org.RESTORING);
    /**
     * The version of what verify checks, recorded with each org verified clean: raise it when verify looks for something it
     * did not (a new finding kind, a check that finds more), so that --changed-only checks again the orgs verified clean
     * before — they were never checked for it. 1: the first recorded (catalog version 20), with schema_extra_constraining.
     */
    public static final int RULES = 1;
    /** How many of one org's collections have their indexes listed at once. */
    private static final int LISTINGS_PER_ORG = 4;
    /** Without --stuck-after: an org or move in transition this long with nobody holding it is stuck. */
    public static final Duration DEFAULT_STUCK_AFTER = Duration.ofMinutes(30);
    /** Without --retired-grace: how long a retained copy is informational (rebalance gc's default --older-than). */
    public static final Duration DEFAULT_RETIRED_GRACE = Duration.ofDays(7);

    /**
     * What to check: orgs and pools (empty = all), --deep (read backups back), --stuck-after, --backups-max-age, the
     * grace a retired database is kept (as gc's --older-than), --fix, --changed-only; and the store's URL (null: backups
     * are not checked) and the environment its credentials come from. A null threshold was not given: a joined or
     * resumed run judges by the one it was started with, else by the default ({@link #DEFAULT_STUCK_AFTER}, each
     * tier's backup frequency, {@link #DEFAULT_RETIRED_GRACE}).
     */
    public record Request(List<String> orgs, List<String> pools, boolean deep, Duration stuckAfter, Duration backupsMaxAge,
                          Duration retiredGrace, boolean fix, boolean changedOnly, RunEngine.Drive drive, String storeUrl,
                          Map<String, String> env, boolean dryRun, String storeOnLine) {
        /** {@code storeOnLine}: " --store URL" as typed on the line, for the fixes that read or write the same store; "" or null for none. */
        public Request {
            storeOnLine = storeOnLine == null ? "" : storeOnLine;
            orgs = orgs == null ? List.of() : List.copyOf(orgs);
            pools = pools == null ? List.of() : List.copyOf(pools);
            if (Stream.of(stuckAfter, backupsMaxAge, retiredGrace).anyMatch(d -> d != null && d.isNegative())) {
                throw TenantctlException.usage("--stuck-after, --backups-max-age and --retired-grace must not be negative");
            }
            if (deep && (storeUrl == null || storeUrl.isBlank())) {
                throw TenantctlException.usage("--deep reads backups back: give the store with --store or TENANTCTL_STORE");
            }
        }
    }

    /**
     * One finding as verify reports it: new (first seen by this run), known, or acked (silenced until a date). Its fix as
     * it was made ({@code fixStep}): -o json's {@code fix} is its command alone, one that runs as pasted, or null, and
     * {@code fix_note} the rest; {@link #fixText()} is both as people read them (and as the catalog keeps them).
     */
    @com.fasterxml.jackson.annotation.JsonPropertyOrder({"finding_id", "kind", "severity", "org_id", "pool_id", "detail", "fix", "fix_note"})
    public record Finding(String findingId, String kind, String severity, String orgId, String poolId, String detail,
                          @com.fasterxml.jackson.annotation.JsonIgnore NextStep fixStep, String state, Instant firstSeen, Instant lastSeen,
                          Instant ackedUntil, String ackReason) {
        /** The one command that fixes it as it is pasted (-o json's fix), or null. */
        @com.fasterxml.jackson.annotation.JsonProperty("fix")
        public String fixCommand() {
            return fixStep == null ? null : fixStep.command();
        }

        /** What else there is to know or do first, then or instead (-o json's fix_note), or null. */
        @com.fasterxml.jackson.annotation.JsonProperty("fix_note")
        public String fixNote() {
            return fixStep == null ? null : fixStep.note();
        }

        /** The fix line people read: the command and its note together, worded as the catalog keeps it; or null. */
        public String fixText() {
            return fixStep == null ? null : fixStep.text();
        }
    }

    /**
     * The run (every checked org's line, without its findings; outcome clean — informational or acked findings at most —,
     * problems or failed), the findings, the fixes --fix applied and what it left for a human, how many orgs --changed-only
     * skipped, and {@code orgLines}: each org's line as -o json shows it, handed to the consumer given one at a time with its
     * findings read back from the catalog (a fleet's are many: no report holds them all; a report without lines has them
     * read from its run's items a page at a time), and {@code failedLines} the failed orgs' lines (without findings) the
     * same way; {@code byPool}, the run's figures by pool (the metrics file's), its orgs' outcomes as the report names them,
     * worked out when asked (by the catalog, for a report without lines). Closed once reported: the catalog's note of which
     * findings this verify saw goes.
     */
    public record Result(RunReport report, boolean interrupted, Findings findings, List<String> fixed, int skipped,
                         Consumer<Consumer<RunReport.Org>> orgLines, Consumer<Consumer<RunReport.Org>> failedLines,
                         java.util.function.Supplier<RunReport.ByPool> byPool) implements AutoCloseable {
        /**
         * The problems but those acked and those a --fix dry run says it would fix, each as "ID KIND [ORG]: FIX", FIX its
         * command alone (as -o json's fix; no ": FIX" when it has none, its note being with the finding), made as they are
         * read (a fleet's can be many).
         */
        public Object leftForHuman() {
            return findings.leftForHuman();
        }

        /** How many findings of each kind (problems, informational and acked ones alike), most frequent first, ties by kind. */
        public Map<String, Long> countsByKind() {
            return findings.countsByKind();
        }

        /** Findings that make verify exit 4: problems, not acked. */
        public long problems() {
            return findings.problems();
        }

        @Override
        public void close() {
            findings.close();
        }
    }

    /**
     * A verify's findings, in the catalog: counted when it is made, each one read back as it is handed over (problems
     * first, then by kind, org and id), so that memory does not grow with them. As JSON, the array of them.
     */
    public static final class Findings implements com.fasterxml.jackson.databind.JsonSerializable, AutoCloseable {
        /** No finding (a detached or joined run reports none). */
        public static final Findings NONE = new Findings(null, null, false, Set.of());

        private final FindingRepository.Sighting sighting;
        private final Instant now;
        private final boolean dryRunFix;
        /** The orgs whose dead move or restore a --fix dry run says the real --fix rolls back first. */
        private final Set<String> swept;
        private final List<Tally> tally;

        Findings(FindingRepository.Sighting sighting, Instant now, boolean dryRunFix, Set<String> swept) {
            this.sighting = sighting;
            this.now = now;
            this.dryRunFix = dryRunFix;
            this.swept = swept;
            this.tally = sighting == null ? List.of() : sighting.tally(now).stream()
                    .map(t -> new Tally(t.kind(), t.severity(), t.state(), t.count())).toList();
        }

        /** Each finding, as it is read. */
        public void forEach(Consumer<Finding> each) {
            if (sighting != null) {
                sighting.forEach(s -> each.accept(reported(s)));
            }
        }

        /**
         * The problems left for a human, as they are read: all, but those a person acked (accepted until a date: counted
         * apart, as acked) and those a --fix dry run says it would fix.
         */
        public void forEachLeft(Consumer<Finding> each) {
            if (sighting != null) {
                // a --fix dry run lists as "would …" what the real --fix puts right and then no longer finds: not left for a human
                sighting.forEach(s -> {
                    Finding f = reported(s);
                    if (f.severity().equals(PROBLEM) && !f.state().equals("acked") && !(dryRunFix && (putRightByFix(s.finding()) || sweptByFix(s.finding())))) {
                        each.accept(f);
                    }
                });
            }
        }

        /** A stuck move or restore of an org whose dead lease the real --fix recovers before it looks: it finds neither. */
        private boolean sweptByFix(FindingRepository.Finding f) {
            return f.orgId() != null && swept.contains(f.orgId())
                    && (f.kind().equals("move_stuck") || f.kind().equals("org_stuck") && Org.RESTORING.db().equals(f.subject()));
        }

        /** {@link #forEachLeft}'s, each as "ID KIND [ORG]: FIX" (FIX its command alone, none when it has none): as JSON, their array, made as read. */
        public Object leftForHuman() {
            return StreamedJsonArray.of(each -> forEachLeft(f -> each.accept(f.findingId() + " " + f.kind() + (f.orgId() == null ? "" : " " + f.orgId())
                    + (f.fixCommand() == null ? "" : ": " + f.fixCommand()))));
        }

        /** As a finding is reported: its state by this verify (acked at its clock, else new or known) and its fix as made. */
        private Finding reported(FindingRepository.Sighted s) {
            FindingRepository.Finding f = s.finding();
            boolean acked = f.ackedUntil() != null && f.ackedUntil().isAfter(now);
            return new Finding(f.findingId(), f.kind(), f.severity(), f.orgId(), f.poolId(), f.detail(), fixOf(f),
                    acked ? "acked" : s.known() ? "known" : "new", f.firstSeen(), f.lastSeen(), acked ? f.ackedUntil() : null,
                    acked ? f.ackReason() : null);
        }

        /** How many there are. */
        public long count() {
            return count(t -> true);
        }

        /** How many there are that {@code which} counts (of a kind, a severity, a state). */
        public long count(java.util.function.Predicate<Tally> which) {
            return tally.stream().filter(which).mapToLong(Tally::count).sum();
        }

        /** Findings that make verify exit 4: problems, not acked. */
        public long problems() {
            return count(t -> t.severity().equals(PROBLEM) && !t.state().equals("acked"));
        }

        /**
         * How many findings of each kind (problems, informational and acked ones alike), most frequent first, ties by kind:
         * at a fleet's size what kinds of problem there are, without reading thousands of them.
         */
        public Map<String, Long> countsByKind() {
            Map<String, Long> counts = new java.util.TreeMap<>();
            tally.forEach(t -> counts.merge(t.kind(), t.count(), Long::sum));
            Map<String, Long> out = new LinkedHashMap<>();
            counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .forEachOrdered(e -> out.put(e.getKey(), e.getValue()));
            return out;
        }

        @Override
        public void serialize(com.fasterxml.jackson.core.JsonGenerator g, com.fasterxml.jackson.databind.SerializerProvider p)
                throws java.io.IOException {
            StreamedJsonArray.of(each -> forEach(each::accept)).serialize(g, p);
        }

        @Override
        public void serializeWithType(com.fasterxml.jackson.core.JsonGenerator g, com.fasterxml.jackson.databind.SerializerProvider p,
                                      com.fasterxml.jackson.databind.jsontype.TypeSerializer t) throws java.io.IOException {
            serialize(g, p);
        }

        @Override
        public void close() {
            if (sighting != null) {
                sighting.close();
            }
        }
    }

    /** How many of a verify's findings are of a kind, a severity and a state (new, known or acked). */
    public record Tally(String kind, String severity, String state, long count) {
    }

    /**
     * What a verify run records, for joiners and resumers: its flags and its --org/--pool selection (a resumed 'verify --org
     * acme --fix' runs acme's checks, not the fleet's; null in a run an older tenantctl recorded), and the thresholds it
     * was given, in milliseconds (null: not given, or recorded by an older tenantctl), which its --resume judges by.
     */
    record Args(boolean deep, boolean fix, List<String> orgs, List<String> pools, Long stuckAfterMs, Long backupsMaxAgeMs,
                Long retiredGraceMs) {
    }

    /**
     * A finding before it is stored: its id is a hash of kind and subject, so the same problem has the same id on every run.
     * {@code onlyDeepFinds}: only a verify --deep finds it, so one without leaves it open; {@code fixPutsRight}: --fix puts
     * it right whole, so its dry run leaves it to no human. Said where it is made, never read off its fix's text.
     */
    record Seen(String kind, String severity, String orgId, String poolId, String subject, String detail, NextStep fix,
                boolean onlyDeepFinds, boolean fixPutsRight) {

        /** One of a kind only --deep finds ({@link #ONLY_DEEP_KINDS}), or else one a plain verify finds too; not one --fix puts right. */
        Seen(String kind, String severity, String orgId, String poolId, String subject, String detail, NextStep fix) {
            this(kind, severity, orgId, poolId, subject, detail, fix, ONLY_DEEP_KINDS.contains(kind), false);
        }

        String id() {
            try {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                byte[] h = sha.digest((kind + "|" + orgId + "|" + poolId + "|" + subject).getBytes(StandardCharsets.UTF_8));
                return "F-" + HexFormat.of().formatHex(h, 0, 6);
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private final OpsContext ctx;

    public Verify(OpsContext ctx) {
        this.ctx = ctx;
    }

    public Result run(Request req) {
        if (req.storeUrl() == null || req.storeUrl().isBlank()) {
            return run(req, null);
        }
        // an unreachable store is a config error now, not a finding per org
        try (ObjectStore store = OpsContext.openStore(req.storeUrl(), req.env(), false)) {
            return run(req, store);
        }
    }

    /** As {@link #run(Request)}, reading backups from {@code store} (null: none), opened by the caller. */
    public Result run(Request asked, ObjectStore store) {
        if (store != null) { // a file store's directory missing, its backups recorded: not mounted, not every backup gone
            Backups.requireThere(ctx.catalog(), store);
        }
        // by the catalog's clock, as it stamps what this verify records (what another records meanwhile is not undone here)
        Instant began = ctx.catalog().now();
        for (String p : asked.pools()) {
            ctx.catalog().pools().get(p); // an unknown pool is a usage error naming the known ones
        }
        // what a dead operation left on an org is put right first, as by every command that writes, and listed as fixed
        List<String> recovered = !asked.fix() ? List.of() : asked.dryRun() ? LeaseRecovery.pending(ctx) : LeaseRecovery.recover(ctx);
        Map<String, Pool> pools = ctx.catalog().pools().byId();
        // the orgs asked for by name; the fleet's are read a page at a time, never all held (a fleet is many thousands)
        Map<String, Org> named = live(asked.orgs());
        for (String o : asked.orgs()) {
            if (!named.containsKey(OrgId.require(o))) { // a deleted one is listed by orgs list: said as such, not as unknown
                Org deleted = ctx.catalog().orgs().find(o).orElse(null);
                throw deleted == null ? ctx.catalog().orgs().unknown(o) : TenantctlException.usage("org " + o + " is "
                        + "deleted: verify checks no deleted org (purge has dropped its database, or the next purge or 'tenantctl rebalance gc' "
                        + "will); " + OrgNext.comesBack(ctx.catalog(), deleted, asked.storeOnLine()));
            }
            if (!asked.pools().isEmpty() && !asked.pools().contains(named.get(o).poolId())) { // said, not a silent "clean"
                ctx.notices().accept("org " + o + " is on pool " + named.get(o).poolId() + ", not on --pool " + String.join(",", asked.pools())
                        + ": not checked");
            }
        }
        if (asked.deep()) {
            // zstd (the default) is read back in this process: where it cannot load, a config error before the run is
            // recorded (as backup and restore say it), not every zstd backup reported corrupt
            Compression.ZSTD.requireReadable();
        }
        FindingRepository findings = ctx.catalog().findings();
        for (String o : asked.orgs()) { // named and not checked: said, not a silent "verified 0 org(s): clean"
            if (NOT_CHECKED.contains(named.get(o).status())) {
                ctx.notices().accept("org " + o + " is " + named.get(o).status() + ": its database is not checked until that ends (see "
                        + "'tenantctl orgs show " + o + "'; one nobody holds is reported below)");
            }
        }
        // each org checked as the run's item (org and pool, no more), or none: --changed-only skips one verified clean since it
        // last changed (told so a page of orgs at a time, never the fleet's at once); a run joined or resumed records none
        int[] skipped = {0};
        java.util.function.BiFunction<Org, Boolean, RunRepository.NewItem> item = (o, unchanged) -> {
            if ((asked.orgs().isEmpty() || asked.orgs().contains(o.orgId())) && (asked.pools().isEmpty() || asked.pools().contains(o.poolId()))
                    && !NOT_CHECKED.contains(o.status())) {
                skipped[0] += unchanged ? 1 : 0;
                return unchanged ? null : RunRepository.NewItem.toDo(o.orgId(), o.poolId());
            }
            return null;
        };
        List<RunRepository.NewItem> namedItems = new ArrayList<>(); // the named orgs as read above, not read again
        if (asked.drive().control().existing() || !named.isEmpty()) { // a joiner's or resumer's skips counted too, its items none
            forEachOrgPage(named, page -> {
                Set<String> unchanged = asked.changedOnly() ? findings.unchangedSinceClean(page.stream().map(Org::orgId).toList(), RULES) : Set.of();
                page.stream().map(o -> item.apply(o, unchanged.contains(o.orgId()))).filter(i -> i != null && !named.isEmpty()).forEach(namedItems::add);
            });
        }
        // the fleet's read as its run is recorded, a page at a time: a fleet's items (tens of thousands) are never all held
        RunRepository.Items toCheck = named.isEmpty() ? RunRepository.Items.ofLiveOrgs(item, asked.changedOnly(), RULES) : RunRepository.Items.of(namedItems);

        List<String> fixed = java.util.Collections.synchronizedList(new ArrayList<>(recovered));
        RunEngine engine = new RunEngine(ctx, new LeaseRecovery(ctx));
        java.util.concurrent.atomic.AtomicReference<PerOrg> checks = new java.util.concurrent.atomic.AtomicReference<>();
        RunEngine.Ran ran;
        try {
            // no org's line held, nor its findings: the report keeps the run's counts, timings and slowest orgs (memory does not
            // grow with the fleet), -o json's orgs[] and failed[] read from the run's items a page at a time as they are written
            OutcomeNames names = OutcomeNames.of(DONE).withoutDetail().withoutLines();
            ran = engine.run(VERB, asked.drive(), names, () -> start(engine, asked, toCheck), run -> {
                // the run's own --fix and --deep, not this worker's flags: a joiner of a 'verify --fix --detach' run fixes
                Request asRecorded = asRecorded(asked, Json.read(run.runId(), run.args(), Args.class), run.runId(), store,
                        () -> ctx.catalog().runs().items(run.runId()).stream().map(RunRepository.Item::orgId).toList());
                if (asRecorded.deep()) {
                    Compression.ZSTD.requireReadable(); // a joiner of a --deep run: refused with the run untouched
                }
                checks.set(new PerOrg(pools, asRecorded, store, fixed));
                return new RunEngine.Work(checks.get().job(applies(asRecorded) ? VERB : null), Budget.NONE).withALastStep(); // the fleet checks
            });
        } finally {
            if (checks.get() != null) {
                checks.get().listings.shutdownNow();
            }
        }
        PerOrg perOrg = checks.get() != null ? checks.get() : new PerOrg(pools, asked, store, fixed);
        Request req = perOrg.req;
        // a detached run with nothing to do (no org selected, or each unchanged) is over as it is recorded, no worker to come:
        // its creator makes the fleet checks and reports, as verify without --detach does
        boolean reports = (!req.drive().control().detach() || ran.report().status() != io.tenantctl.catalog.RunStatus.RUNNING)
                && req.drive().control().joinRunId() == null;
        RunReport report = ran.report(); // reported: each org clean or with problems by the findings recorded below, acks too
        if (!reports) { // whether each org's findings as its run item recorded them hold a problem, one item at a time
            java.util.function.UnaryOperator<RunReport.Org> relabel = o -> outcome(VERB, o.outcome(), o.detail()).equals(o.outcome()) ? o
                    : new RunReport.Org(o.orgId(), o.poolId(), "problems", o.attempts(), o.ms(), o.error(), o.detailJson());
            int[] cleanWithProblem = {0};
            Map<String, Map<String, Integer>> moved = new java.util.TreeMap<>(); // by pool, as the counts
            ctx.catalog().runs().forEachItem(report.runId(), i -> {
                // informational findings (an extra index, no manifest recorded) leave it clean
                if (i.itemStatus() == ItemStatus.SUCCEEDED && hasProblem(findingsOf(i))) {
                    cleanWithProblem[0]++;
                    move(moved, i.poolId(), DONE, "problems");
                }
            });
            Map<String, Integer> counts = new java.util.TreeMap<>(report.counts());
            counts.merge(DONE, -cleanWithProblem[0], Integer::sum);
            counts.merge("problems", cleanWithProblem[0], Integer::sum);
            counts.values().removeIf(n -> n == 0);
            report = report.withCounts(counts);
            return new Result(report, ran.interrupted(), Findings.NONE, List.of(), skipped[0], lines(report, relabel), failedLines(report),
                    byPool(report, moved));
        }
        // a fleet's findings can be many: each is recorded as it is made, a page at a time, and the report reads them back
        FindingRepository.Sighting sighting = findings.sighting();
        try {
            Consumer<Seen> seen = s -> sighting.add(new FindingRepository.Finding(s.id(), s.kind(), s.severity(), s.orgId(),
                    s.poolId(), s.subject(), s.detail(), s.fix() == null ? null : s.fix().text(), s.fix() == null ? null : s.fix().command(),
                    s.fix() == null ? null : s.fix().note(), null, null, null, null, null, null, s.onlyDeepFinds(), s.fixPutsRight()));
            Set<String> deadPools = new LinkedHashSet<>();
            Set<String> listed = new LinkedHashSet<>(); // the pools whose databases were judged as copies, strays, orphans
            boolean fleet = req.orgs().isEmpty();
            // a first Ctrl-C finishes the orgs in flight and starts nothing more: no fleet-wide check (pings, listings, runs),
            // no fix, and nothing resolved or marked verified clean on a look left incomplete; the resume does them
            boolean whole = !ran.interrupted();
            if (whole) {
                fleetChecks(req, pools, seen, fixed, deadPools, listed, report.runId(), fleet, perOrg, store != null);
            }
            // a page of items at a time, their findings recorded between pages: a page of findings written while the items'
            // cursor held its connection took a second one, which a catalog with one left for tenantctl refused (exit 3)
            // and each org whose check failed, off a dead pool, is a finding itself
            Instant now = ctx.catalog().now(); // acks end by the catalog's clock, as its own queries of acked_until judge them
            ctx.catalog().runs().forEachItemPage(ran.report().runId(), ORG_PAGE, page -> {
                Set<String> own = new java.util.HashSet<>(); // the ids of the page's findings its items recorded
                page.forEach(i -> {
                    findingsOf(i).forEach(f -> {
                        if (!f.path(FLEET).asBoolean(false)) { // one a previous pass of the fleet checks wrote there is theirs to find again
                            Seen s = new Seen(f.path("kind").asText(), f.path("severity").asText(), i.orgId(), i.poolId(),
                                    f.path("subject").asText(), f.path("detail").asText(), fixOf(f),
                                    ONLY_DEEP_KINDS.contains(f.path("kind").asText()) || f.path(ONLY_DEEP_FINDS).asBoolean(false),
                                    f.path(FIX_PUTS_RIGHT).asBoolean(false));
                            own.add(s.id());
                            seen.accept(s);
                        }
                    });
                    if (i.itemStatus() == ItemStatus.FAILED && !deadPools.contains(i.poolId())) {
                        seen.accept(new Seen("check_failed", PROBLEM, i.orgId(), i.poolId(), "", "org " + i.orgId() + " could not be checked: "
                                + i.error(), NextStep.run("tenantctl verify" + (req.deep() ? " --deep" : "") + " --org " + i.orgId(),
                                "after fixing what the error says"), req.deep(), false)); // it may have failed reading a backup back
                    }
                });
                if (whole) { // each org's findings the fleet checks made (backup_stale, org_stuck, …) kept in its line too
                    sighting.flush();
                    carryToItems(ran.report().runId(), page, sighting.ofOrgs(page.stream().map(RunRepository.Item::orgId).toList(), own), now);
                }
            });
            sighting.flush();
            Set<String> checkedPools = new LinkedHashSet<>(req.pools().isEmpty() ? pools.keySet() : req.pools());
            if (whole) { // what it saw was stamped since it began: the rest of what it checked, if older, it did not see
                forEachLinePage(report, page -> findings.resolveUnseen(began, checked(page), failedChecks(page), OWN_CHECK_KINDS,
                        fleet ? checkedPools : List.of(), fleet && req.pools().isEmpty(), req.deep(), listed));
            }
            // an org with a problem not acked — its own, or a fleet-level one (stuck, missing database) — is not clean; one
            // whose every problem is acked is: acked problems do not make verify exit 4, so they do not make the org "problems"
            Set<String> withFindings = sighting.orgsWithProblems(now);
            // and its outcome says so, in -o json, the counts and the metrics, as --changed-only treats it
            java.util.function.UnaryOperator<RunReport.Org> relabel = o -> !Set.of("clean", "problems").contains(o.outcome())
                    || o.outcome().equals("problems") == withFindings.contains(o.orgId()) ? o
                    : new RunReport.Org(o.orgId(), o.poolId(), withFindings.contains(o.orgId()) ? "problems" : "clean", o.attempts(), o.ms(),
                            o.error(), o.detailJson());
            Map<String, Integer> counts = new java.util.TreeMap<>();
            Map<String, Map<String, Integer>> moved = new java.util.TreeMap<>(); // by pool, as the counts
            forEachLinePage(report, page -> { // those verified clean recorded a page at a time, as the lines are read
                List<String> clean = new ArrayList<>();
                for (RunReport.Org line : page) {
                    RunReport.Org relabelled = relabel.apply(line);
                    counts.merge(relabelled.outcome(), 1, Integer::sum);
                    if (!relabelled.outcome().equals(line.outcome())) {
                        move(moved, line.poolId(), line.outcome(), relabelled.outcome());
                    }
                    if (relabelled.outcome().equals("clean")) {
                        clean.add(relabelled.orgId());
                    }
                }
                if (whole) {
                    findings.verifiedClean(clean, RULES);
                }
            });
            report = report.withCounts(counts);
            // a --fix dry run lists as "would …" what the real --fix puts right and then no longer finds: not left for a human
            return new Result(report, ran.interrupted(), new Findings(sighting, now, req.fix() && req.dryRun(),
                    req.fix() && req.dryRun() ? LeaseRecovery.pendingOrgs(ctx) : Set.of()), List.copyOf(fixed), skipped[0],
                    lines(report, relabel), failedLines(report), byPool(report, moved));
        } catch (RuntimeException | Error e) {
            sighting.close();
            throw e;
        }
    }

    /** One org of {@code pool} counted under {@code to}, not {@code from}, in {@code moved} (by pool, by outcome). */
    private static void move(Map<String, Map<String, Integer>> moved, String pool, String from, String to) {
        Map<String, Integer> counts = moved.computeIfAbsent(pool == null ? "" : pool, k -> new java.util.TreeMap<>());
        counts.merge(from, -1, Integer::sum);
        counts.merge(to, 1, Integer::sum);
    }

    /**
     * {@code report}'s figures by pool, worked out when asked by the catalog from the run's items (no line held), with the
     * orgs its relabelling {@code moved} counted as it names them.
     */
    private java.util.function.Supplier<RunReport.ByPool> byPool(RunReport report, Map<String, Map<String, Integer>> moved) {
        return () -> RunEngine.byPool(ctx.catalog(), report.runId(), OutcomeNames.of(DONE)).moved(moved);
    }

    /**
     * Each org of {@code page} (a page of its run's items) with the findings of it the fleet checks made ({@code fleet}:
     * by org) in its item's detail after its own, marked {@link #FLEET} (and {@link #ACKED} when acked at {@code now}), in
     * place of those an earlier pass put there: its line (-o json's orgs[], runs show) names every finding of the org.
     * Written only where that changes the detail, the page in one statement.
     */
    private void carryToItems(String runId, List<RunRepository.Item> page, List<FindingRepository.Finding> fleet, Instant now) {
        Map<String, com.fasterxml.jackson.databind.node.ArrayNode> byOrg = new java.util.HashMap<>();
        for (FindingRepository.Finding f : fleet) {
            Map<String, Object> m = finding(f.kind(), f.severity(), f.subject(), f.detail(), fixOf(f));
            m.put(FLEET, true);
            m.put(ACKED, f.ackedUntil() != null && f.ackedUntil().isAfter(now));
            byOrg.computeIfAbsent(f.orgId(), k -> DETAIL.createArrayNode()).add(DETAIL.valueToTree(m));
        }
        Map<String, String> changed = new LinkedHashMap<>();
        for (RunRepository.Item i : page) {
            com.fasterxml.jackson.databind.JsonNode read = Json.tree(i.detail());
            com.fasterxml.jackson.databind.node.ObjectNode detail = read.isObject() ? (com.fasterxml.jackson.databind.node.ObjectNode) read
                    : DETAIL.createObjectNode();
            com.fasterxml.jackson.databind.node.ArrayNode was = DETAIL.createArrayNode();
            com.fasterxml.jackson.databind.node.ArrayNode findings = DETAIL.createArrayNode();
            detail.path("findings").forEach(f -> (f.path(FLEET).asBoolean(false) ? was : findings).add(f));
            com.fasterxml.jackson.databind.node.ArrayNode carried = byOrg.getOrDefault(i.orgId(), DETAIL.createArrayNode());
            if (!was.equals(carried)) {
                findings.addAll(carried);
                detail.set("findings", findings);
                changed.put(i.orgId(), detail.toString());
            }
        }
        ctx.catalog().runs().replaceDetails(runId, changed);
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper DETAIL = new com.fasterxml.jackson.databind.ObjectMapper();

    /** In a run item's finding: one the fleet checks made, not the org's check ({@link #carryToItems}); and acked then. */
    private static final String FLEET = "fleet", ACKED = "acked";

    /** An org's findings as its run item recorded them. */
    private static com.fasterxml.jackson.databind.JsonNode findingsOf(RunRepository.Item i) {
        return new RunReport.Org(i.orgId(), i.poolId(), "", 0, 0, null, i.detail()).detail().path("findings");
    }

    /**
     * The lines of {@code report}, handed over a page at a time, read back from its run's items {@link #ORG_PAGE} at a time,
     * without their detail, on a connection given back before each page (its consumer may write to the catalog), named as
     * the run's report names them.
     */
    private void forEachLinePage(RunReport report, Consumer<List<RunReport.Org>> page) {
        OutcomeNames names = OutcomeNames.of(DONE);
        ctx.catalog().runs().forEachItemPage(report.runId(), ORG_PAGE, false, items -> page.accept(items.stream().map(i -> new RunReport.Org(i.orgId(),
                i.poolId(), names.of(i.itemStatus()), i.attempts(), i.millis() == null ? 0 : i.millis(), i.error(), null)).toList()));
    }

    /**
     * Each org's line of {@code report} as -o json shows it, handed over one at a time, read from its run's items
     * {@link #ORG_PAGE} at a time: its outcome as {@code relabel} (the report's relabelling of its lines) names it, and its
     * findings (their fix and fix_note, not the text kept for the catalog) as its run item recorded them.
     */
    private Consumer<Consumer<RunReport.Org>> lines(RunReport report, java.util.function.UnaryOperator<RunReport.Org> relabel) {
        if (report.runId() == null) {
            return each -> report.orgs().forEach(o -> each.accept(withoutFixText(o)));
        }
        OutcomeNames names = OutcomeNames.of(DONE);
        return each -> ctx.catalog().runs().forEachItemPage(report.runId(), ORG_PAGE, items -> items.forEach(i -> each.accept(withoutFixText(
                relabel.apply(new RunReport.Org(i.orgId(), i.poolId(), names.of(i.itemStatus()), i.attempts(), i.millis() == null ? 0 : i.millis(),
                        i.error(), i.detail()))))));
    }

    /** The failed orgs' lines of {@code report}, without findings, read a page at a time. */
    private Consumer<Consumer<RunReport.Org>> failedLines(RunReport report) {
        return each -> forEachLinePage(report, page -> page.stream().filter(o -> o.outcome().equals("failed")).forEach(each));
    }

    /**
     * What --fix puts right whole (its dry run says "would …" of it): an abandoned run (cancelled), an org stuck
     * provisioning (marked failed), an org's missing collections and indexes when it builds them all.
     */
    private static boolean putRightByFix(FindingRepository.Finding f) {
        return switch (f.kind()) {
            case "run_abandoned" -> true;
            case "org_stuck" -> Org.PROVISIONING.db().equals(f.subject());
            case "schema_missing" -> f.fixPutsRight(); // when it builds all that is missing
            default -> false;
        };
    }

    private static final String CREATES_WHAT_IS_MISSING = "creates what is missing";

    /** The kinds only a verify --deep finds, whatever their fix says: one without --deep leaves them open. */
    static final Set<String> ONLY_DEEP_KINDS = Set.of("backup_corrupt");

    /**
     * The orgs this verify looked at: those it checked (clean, problems) or tried to (failed). An org Ctrl-C left
     * not_started (or a cancel left cancelled) was not looked at: its findings, and their acks, stay as they were.
     */
    private static List<String> checked(List<RunReport.Org> lines) {
        return lines.stream().filter(o -> Set.of("clean", "problems", "failed").contains(o.outcome()))
                .map(RunReport.Org::orgId).toList();
    }

    /**
     * The orgs whose own check failed (their pool did not answer, a call to it failed): the fleet checks judged them, but
     * nothing looked at their databases, so what their own check finds ({@link #OWN_CHECK_KINDS}) stays as it was, acks and all.
     */
    private static List<String> failedChecks(List<RunReport.Org> lines) {
        return lines.stream().filter(o -> o.outcome().equals("failed")).map(RunReport.Org::orgId).toList();
    }

    /** The kinds an org's own check of its database finds ({@code PerOrg.check}); the fleet checks find the others. */
    static final Set<String> OWN_CHECK_KINDS = Set.of("missing_database", "no_schema_record", "manifest_missing", "schema_missing",
            "schema_conflict", "schema_superseded", "schema_extra", "schema_extra_constraining", "check_failed", "backup_corrupt");

    /**
     * The command that finishes an org left provisioning: resumed through its run, which keeps the run's --schema and
     * --tier (a bare 'provision ORG' takes the built-in model); the org of a run --resume does not reopen for it (one that
     * succeeded, was cancelled, or ended with this org done) provisioned anew with them.
     */
    static String finishProvision(io.tenantctl.catalog.Catalog catalog, Org o) {
        return finishProvision(catalog, o, null);
    }

    /**
     * As {@link #finishProvision(io.tenantctl.catalog.Catalog, Org)}, with run {@code cancelling} taken as cancelled
     * already (a 'runs cancel --dry-run' names the step its cancel gives, not the resume the cancel makes impossible).
     */
    static String finishProvision(io.tenantctl.catalog.Catalog catalog, Org o, String cancelling) {
        Optional<RunRepository.Run> provisioned = catalog.runs().newestWith("provision", o.orgId());
        return provisioned.map(r -> !r.runId().equals(cancelling) && resumes(catalog, r, o.orgId())
                ? "tenantctl provision --resume " + r.runId() : provisionAgain(o, r)).orElse("tenantctl provision " + o.orgId());
    }

    /**
     * Whether 'provision --resume' of {@code r} works on {@code orgId} again: a run that succeeded is only reported and a
     * cancelled one refused; any other has its failed, unfinished and not started orgs tried (a done one stays done).
     */
    private static boolean resumes(io.tenantctl.catalog.Catalog catalog, RunRepository.Run r, String orgId) {
        return r.runStatus() != RunStatus.SUCCEEDED && r.runStatus() != RunStatus.CANCELLED && catalog.runs().itemStatus(r.runId(), orgId)
                .filter(s -> s == ItemStatus.FAILED || !s.finished()).isPresent();
    }

    /**
     * A new provision of {@code o} as its cancelled run {@code r} meant it (the run's --schema, the org's tier): a
     * cancelled run is not resumable, and a bare 'provision ORG' would take the built-in model.
     */
    private static String provisionAgain(Org o, RunRepository.Run r) {
        Provision.Args args = Json.read(r.runId(), r.args(), Provision.Args.class);
        // by the hash the catalog keeps the run's manifest under: its --schema file may be on another machine
        String schema = args.schemaHash() == null ? "" : " --schema-hash " + args.schemaHash();
        return "tenantctl provision " + o.orgId() + schema + " --tier " + o.tier();
    }

    /**
     * A new provision of {@code orgId}, which has no row (it found no room, or was forgotten since), as its provision run
     * {@code r} meant it: the run's manifest by hash, its --tier and --pool.
     */
    static String provisionAnew(String orgId, RunRepository.Run r) {
        Provision.Args args = Json.read(r.runId(), r.args(), Provision.Args.class);
        return "tenantctl provision " + orgId + (args.schemaHash() == null ? "" : " --schema-hash " + args.schemaHash())
                + (args.tier() == null ? "" : " --tier " + args.tier()) + (args.pool() == null ? "" : " --pool " + args.pool());
    }

    /** The hash of the built-in manifest, computed once, when a fix first needs it. */
    private static final class BuiltIn {
        static final String HASH = SchemaManifest.defaultManifest().hash();
    }

    /** The manifest a provision or migrate-all run recorded: the file it was given (or how it got it), and its hash. */
    record RecordedSchema(String schema, String schemaHash) {
    }

    /** Whether a run's recorded --schema names a file here (not the built-in or a catalog manifest, not gone since). */
    private static boolean isFile(String schema) {
        try {
            return java.nio.file.Files.isRegularFile(java.nio.file.Path.of(schema));
        } catch (java.nio.file.InvalidPathException e) {
            return false;
        }
    }

    /** An item's {@code outcome} as a {@code verb} run's report names it: a verify's clean org whose recorded findings ({@code detail}) hold a problem is "problems". */
    static String outcome(String verb, String outcome, com.fasterxml.jackson.databind.JsonNode detail) {
        return VERB.equals(verb) && outcome.equals(DONE) && detail != null && hasProblem(detail.path("findings")) ? "problems" : outcome;
    }

    /** Whether an org's findings (as its run item recorded them) hold one of severity problem, not just informational ones. */
    private static boolean hasProblem(com.fasterxml.jackson.databind.JsonNode findings) {
        for (com.fasterxml.jackson.databind.JsonNode f : findings) {
            if (f.path("severity").asText().equals(PROBLEM) && !f.path(ACKED).asBoolean(false)) {
                return true;
            }
        }
        return false;
    }

    /** Silences a finding until {@code until}, with why and who. */
    public Finding ack(String findingId, Instant until, String reason) {
        return ack(findingId, until, reason, false);
    }

    /** As {@link #ack(String, Instant, String, boolean)}, until {@code fromNow} after the catalog's now (its clock ends acks). */
    public Finding ack(String findingId, java.time.Duration fromNow, String reason, boolean dryRun) {
        return ack(findingId, ctx.catalog().now().plus(fromNow), reason, dryRun);
    }

    /** As {@link #ack(String, Instant, String)}; with {@code dryRun}, every check and nothing written. */
    public Finding ack(String typedId, Instant until, String reason, boolean dryRun) {
        String findingId = findingId(typedId);
        if (reason == null || reason.isBlank()) {
            throw TenantctlException.usage("--reason is required: say why this finding may be ignored until then");
        }
        Instant now = ctx.catalog().now();
        if (!until.isAfter(now)) { // by the clock acks end by
            throw TenantctlException.usage("--until " + until + " is already past by the catalog's clock (now " + now.truncatedTo(
                    java.time.temporal.ChronoUnit.SECONDS) + "): give a later date, or a duration from now such as 7d");
        }
        FindingRepository repo = ctx.catalog().findings();
        FindingRepository.Finding f = repo.find(findingId).orElseThrow(() -> TenantctlException.usage("no finding " + findingId
                + ": see 'tenantctl verify'"));
        if (f.resolvedAt() != null) { // a finding that comes back after it was resolved starts anew, unacked: the ack would do nothing
            throw TenantctlException.usage("finding " + findingId + " (" + f.kind() + (f.orgId() == null ? "" : " " + f.orgId())
                    + ") was resolved at " + f.resolvedAt() + ": nothing to ack (if it comes back, ack it then)");
        }
        if (!dryRun) {
            repo.ack(findingId, until, reason, ctx.actor());
        }
        String state = "acked"; // a dry run's too: what the ack leaves, beside the acked_until and reason it would set
        return new Finding(f.findingId(), f.kind(), f.severity(), f.orgId(), f.poolId(), f.detail(), fixOf(f), state, f.firstSeen(),
                f.lastSeen(), until, reason);
    }

    /** A finding id as verify prints it ({@code F-} and 12 lowercase hex digits) from one typed lowercase or without its {@code F-}. */
    static String findingId(String typed) {
        String id = typed == null ? "" : typed.strip();
        String hex = id.regionMatches(true, 0, "F-", 0, 2) ? id.substring(2) : id;
        return hex.matches("[0-9a-fA-F]{12}") ? "F-" + hex.toLowerCase(java.util.Locale.ROOT) : typed;
    }

    /**
     * Undoes {@code findingId}'s ack: it counts again (verify exits 4 on a problem, gc exits 1 on the copy it names).
     * Returns the finding as the undo leaves it and whether it was acked; with {@code dryRun}, nothing written.
     */
    public Unacked unack(String typedId, boolean dryRun) {
        String findingId = findingId(typedId);
        FindingRepository repo = ctx.catalog().findings();
        FindingRepository.Finding f = repo.find(findingId).orElseThrow(() -> TenantctlException.usage("no finding " + findingId
                + ": see 'tenantctl verify'"));
        // acked as verify judges it: open, its ack not run out by the catalog's clock (a resolved finding's ack covers nothing)
        boolean wasAcked = f.resolvedAt() == null && f.ackedUntil() != null && f.ackedUntil().isAfter(ctx.catalog().now());
        if (!dryRun && f.ackedUntil() != null) {
            repo.unack(findingId);
        }
        return new Unacked(wasAcked, new Finding(f.findingId(), f.kind(), f.severity(), f.orgId(), f.poolId(), f.detail(), fixOf(f),
                f.resolvedAt() != null ? "resolved" : "known", f.firstSeen(), f.lastSeen(), null, null));
    }

    /** What {@link #unack} did: whether the finding was acked, and the finding as the undo leaves it. */
    public record Unacked(boolean wasAcked, Finding finding) {
    }

    /**
     * A stored finding's fix as verify made it: its command and note as kept beside its line; a row from before catalog version
     * 16 that no verify has seen since keeps only the line, which is not made a command again (a note can read like one):
     * it is all the note.
     */
    private static NextStep fixOf(FindingRepository.Finding f) {
        if (f.fix() == null) {
            return null;
        }
        return f.fixCommand() == null && f.fixNote() == null ? NextStep.note(f.fix()) : new NextStep(f.fixCommand(), f.fixNote(), f.fix());
    }

    /**
     * {@code req} with the --deep and --fix its run was started with (a --fix --dry-run run recorded no fix), and each
     * threshold as this worker gave it, else as the run was given it, else the default.
     */
    private static Request asRecorded(Request req, Args args, String runId, ObjectStore store, java.util.function.Supplier<List<String>> itemOrgs) {
        if (args.deep() && store == null) {
            throw TenantctlException.usage("run " + runId + " reads backups back (--deep): give the store with --store or TENANTCTL_STORE");
        }
        boolean fix = args.fix() || (req.fix() && req.dryRun());
        // the run's own selection; one recorded without it is held to its orgs, never widened to the fleet's checks
        List<String> orgs = args.orgs() != null ? args.orgs() : args.pools() != null ? req.orgs() : itemOrgs.get();
        List<String> pools = args.pools() != null ? args.pools() : req.pools();
        return new Request(orgs, pools, args.deep(), threshold(req.stuckAfter(), args.stuckAfterMs(), DEFAULT_STUCK_AFTER),
                threshold(req.backupsMaxAge(), args.backupsMaxAgeMs(), null), threshold(req.retiredGrace(), args.retiredGraceMs(),
                DEFAULT_RETIRED_GRACE), fix, req.changedOnly(), req.drive(), req.storeUrl(), req.env(), !args.fix() && req.dryRun(),
                req.storeOnLine());
    }

    /** A threshold as given ({@code given}), else as the run recorded it, else {@code otherwise}. */
    private static Duration threshold(Duration given, Long recordedMs, Duration otherwise) {
        return given != null ? given : recordedMs != null ? Duration.ofMillis(recordedMs) : otherwise;
    }

    private static Long millis(Duration d) {
        return d == null ? null : d.toMillis();
    }

    /** Whether this verify changes anything: --fix, and not a dry run. */
    private static boolean applies(Request req) {
        return req.fix() && !req.dryRun();
    }

    /** How many orgs of the catalog are read at once: a fleet's are read a page at a time, never all held. */
    private static final int ORG_PAGE = 1000;

    /** The orgs {@code orgIds} that are not deleted, by id. */
    private Map<String, Org> live(List<String> orgIds) {
        Map<String, Org> out = new java.util.HashMap<>();
        if (!orgIds.isEmpty()) {
            ctx.catalog().orgs().findAll(orgIds).values().stream().filter(o -> !o.status().equals(Org.DELETED)).forEach(o -> out.put(o.orgId(), o));
        }
        return out;
    }

    /**
     * Each org not deleted, by id, a page at a time: the orgs {@code named} (as {@link #live} read them) alone, else (none
     * named) the fleet's, each page handed over before the next is read, on a connection given back: {@code each} may use
     * the catalog.
     */
    private void forEachOrgPage(Map<String, Org> named, Consumer<List<Org>> each) {
        if (!named.isEmpty()) {
            each.accept(named.values().stream().sorted(java.util.Comparator.comparing(Org::orgId)).toList());
            return;
        }
        ctx.catalog().orgs().forEachLivePage(ORG_PAGE, each);
    }

    private String start(RunEngine engine, Request req, RunRepository.Items items) {
        // a joiner of a --fix --dry-run run only verifies
        return engine.start(VERB, Json.write(new Args(req.deep(), applies(req), req.orgs(), req.pools(), millis(req.stuckAfter()),
                millis(req.backupsMaxAge()), millis(req.retiredGrace()))), items, 0, null);
    }

    /** The per-org checks, run by the engine's workers. */
    private final class PerOrg {
        private final Map<String, Pool> pools;
        private final Request req;
        private final ObjectStore store;
        private final List<String> fixed;
        /** Each pool's databases as listed: all of them, or with --org only those asked for ({@link #asked}). */
        private final Map<String, Set<String>> databases = new ConcurrentHashMap<>();
        /**
         * With --org, the database names a listing asks each pool for (the named orgs', and any other name a check needs
         * since: an org restored into another database while verify ran); null: the whole listing, which a fleet-wide
         * verify needs for its orphans and strays. At a fleet's size a pool's whole listing takes many seconds.
         */
        private final Set<String> wanted;
        /** With --org: the names each pool's listing held in {@link #databases} asked for. */
        private final Map<String, Set<String>> asked = new ConcurrentHashMap<>();
        /** Pools whose database listing failed (after its retries) in this verify, with why and how long it took. */
        private final Map<String, Unlisted> unlisted = new ConcurrentHashMap<>();
        private final Map<String, Optional<SchemaManifest>> manifests = new ConcurrentHashMap<>();
        /** listIndexes calls in flight for the orgs being checked: a few per org, so one org's 47 collections overlap. */
        private final java.util.concurrent.ExecutorService listings;

        PerOrg(Map<String, Pool> pools, Request req, ObjectStore store, List<String> fixed) {
            this.listings = java.util.concurrent.Executors.newFixedThreadPool(LISTINGS_PER_ORG * req.drive().settings().concurrency(),
                    Parallel.daemon("verify-list"));
            this.pools = pools;
            this.req = req;
            this.wanted = req.orgs().isEmpty() ? null : ConcurrentHashMap.newKeySet();
            if (wanted != null) {
                live(req.orgs()).values().forEach(o -> wanted.add(o.databaseName()));
            }
            this.store = store;
            this.fixed = fixed;
        }

        Job job(String leaseOperation) {
            return Job.of(leaseOperation, (orgId, poolId) -> {
                // as it is now (under its lease with --fix), not as verify read it at its start: a rollout, restore or move
                // since then changed its manifest, database or pool, and --fix must not rebuild what a rollout dropped
                Org now = ctx.catalog().orgs().find(orgId).orElse(null);
                if (now == null || NOT_CHECKED.contains(now.status())) {
                    return new Job.Done(ItemStatus.SKIPPED, 1, "org is " + (now == null ? "gone" : now.status()) + " now", null);
                }
                List<Map<String, Object>> found;
                try {
                    found = check(now);
                } catch (RuntimeException e) {
                    throw couldNotCheck(now, e);
                }
                return new Job.Done(ItemStatus.SUCCEEDED, 1, null, Json.args("findings", found));
            });
        }

        /**
         * Why the check of {@code org} failed on {@code e}, as its check_failed finding says it: a failure the driver or
         * tenantctl threw bare ('listCollections: Timeout while receiving message') said neither the pool nor the database
         * nor what to do; it now says what failed on what, and what to do by its cause. One that already says so (a
         * TenantctlException: the catalog's, the store's, a pool's URI or variable; its pool's database listing, which the
         * pool's own check_failed names), this process's own limits, a lost catalog and a Ctrl-C are left as they are.
         */
        private RuntimeException couldNotCheck(Org org, RuntimeException e) {
            io.tenantctl.OutOfDescriptorsException.throwIfOurs(e);
            if (e instanceof TenantctlException || e instanceof Job.Busy || io.tenantctl.catalog.Catalog.Unreachable.in(e).isPresent()
                    || Retry.cutShort(e) || unlisted.containsKey(org.poolId())) { // its pool's listing failed: the pool's finding says so
                return e;
            }
            String pool = org.poolId();
            String what = "checking its database " + org.databaseName() + " on pool " + pool + " failed: " + Errors.oneLine(e) + "; ";
            boolean driver = TenantctlException.causeOf(e, com.mongodb.MongoException.class).isPresent();
            String todo = !driver ? "an error of tenantctl's, not the pool's: run the check again, and report it if it recurs"
                    : io.tenantctl.pool.FerretErrors.unauthorized(e) ? io.tenantctl.pool.FerretErrors.UNAUTHORIZED_HINT + ": grant it on pool " + pool
                    : TenantctlException.causeOf(e, com.mongodb.MongoSocketReadTimeoutException.class).isPresent()
                    ? "the pool did not answer in time (a reply slower than " + io.tenantctl.pool.PoolClients.SOCKET_TIMEOUT_ENV
                    + ", default 60 s, times out): see 'tenantctl pools stats " + pool + "'"
                    : io.tenantctl.pool.FerretErrors.notAnswering(e) ? "the pool stopped answering: see 'tenantctl pools stats " + pool
                    + "' and its FerretDB"
                    : "the pool refused it: see its FerretDB's log";
            return new Job.Failure(what + todo, 1, null, e);
        }

        private List<Map<String, Object>> check(Org org) {
            List<Map<String, Object>> out = new ArrayList<>();
            Pool pool = pools.get(org.poolId());
            Set<String> names = listing(pool, org.databaseName());
            if (!names.contains(org.databaseName())) {
                names = databaseNames(pool, org.databaseName()); // listed before the org got this database (a restore or move since)? list again
                databases.put(pool.poolId(), names);
            }
            if (!names.contains(org.databaseName()) && org.status().equals(Org.DELETING)) {
                // deleted: its final backup (if the delete took one) holds what it had, and purge only forgets it now
                out.add(finding("missing_database", INFO, org.databaseName(), "org " + org.orgId() + " is deleting and its database "
                        + org.databaseName() + " is already gone from pool " + pool.poolId() + ctx.catalog().backups()
                        .newestComplete(org.orgId()).map(b -> "; its final backup " + b.backupId() + " is all that holds it"
                                + (req.deep() ? "" : " ('verify --deep' reads it back)")).orElse(""),
                        NextStep.note("nothing to do: 'tenantctl orgs purge' finishes the delete once it is due")));
                backup(org, out); // the only copy left: read back before the purge
                return out;
            }
            Optional<io.tenantctl.backup.BackupManifest> deleted = names.contains(org.databaseName()) ? Optional.empty()
                    : BackupOrigin.deletedSince(ctx.catalog(), store, org.orgId());
            if (deleted.isPresent()) {
                // a catalog older than the org's delete (restored from a dump): restoring the org would bring a deleted org back
                io.tenantctl.backup.BackupManifest m = deleted.get();
                out.add(finding("missing_database", PROBLEM, org.databaseName(), "the catalog says org " + org.orgId() + " lives in "
                        + org.databaseName() + " on pool " + pool.poolId() + ", but the pool has no such database, and the store holds "
                        + "the final backup of a delete of it that this catalog does not record (" + m.backupId() + ", taken "
                        + m.finishedAt() + "): it was deleted, and purged, after this catalog's state was saved (restored from an "
                        + "older dump?); restoring it would bring a deleted org back",
                        NextStep.run("tenantctl orgs delete " + org.orgId() + " --no-backup", "records the delete this catalog lost ('tenantctl "
                                + "orgs purge' then forgets the org); to bring it back instead, as it was when deleted: tenantctl restore --org "
                                + org.orgId() + " --backup " + m.backupId() + req.storeOnLine())));
                return out;
            }
            if (!names.contains(org.databaseName())) {
                boolean backedUp = ctx.catalog().backups().newestComplete(org.orgId()).isPresent();
                String copy = copyElsewhere(org);
                // a copy of it on another pool may hold writes its backups lack: pointing the org at it loses nothing
                NextStep adopt = copy == null ? null : NextStep.run("tenantctl orgs adopt " + org.orgId() + " --pool " + copy
                        + (org.databaseName().equals(OrgId.databaseName(org.orgId())) ? "" : " --database " + NextStep.shellWord(org.databaseName())),
                        "points the org at that copy, which may hold writes its backups lack; or instead: " + (backedUp
                        ? "tenantctl restore --org " + org.orgId() + req.storeOnLine() + ", from its newest backup (what was written since it is lost)"
                        : "look for the data in the pool's own backups (its PostgreSQL)"));
                out.add(finding("missing_database", PROBLEM, org.databaseName(), "the catalog says org " + org.orgId() + " lives in "
                        + org.databaseName() + " on pool " + pool.poolId() + ", but the pool has no such database"
                        + (copy != null ? "; a copy of it, " + org.databaseName() + ", is on pool " + copy : "")
                        + (backedUp ? "" : "; the catalog records no complete backup of it"),
                        adopt != null ? adopt : backedUp ? NextStep.run("tenantctl restore --org " + org.orgId() + req.storeOnLine(), "from its newest backup; the org's pointer flips to "
                                + "the restored copy")
                                // restore would only say "no complete backup": the data is not tenantctl's to bring back
                                // a rollout refuses to make the database of an org whose data is missing, and no verb makes an
                                // empty one for an active org: it is made by hand, on purpose, in one line to paste
                                : NextStep.note("look for the data in the pool's own backups (its PostgreSQL); to give the org an empty database "
                                + "instead (tenantctl makes none where an org's data is missing), with the pool's variables set: "
                                + emptyDatabase(pool, org.databaseName(), Optional.ofNullable(org.schemaHash()).flatMap(this::manifest)
                                .filter(m -> !m.collections().isEmpty()).map(m -> m.collections().get(0).name()).orElse("COLLECTION"))
                                + " && tenantctl migrate-all --org " + org.orgId() + schemaOption(org, org.schemaHash()) + " --force")));
                return out;
            }
            if (org.status().equals(Org.DELETING)) {
                // only its presence matters: nobody uses it any more, and it must stay what its final backup was checked
                // against (purge drops it only while it still is), so no schema finding and no fix touches it; --deep still
                // reads that final backup back, the one thing that will hold the org once it is purged
                backup(org, out);
                return out;
            }
            MongoDatabase db = ctx.pools().database(pool.poolId(), pool.uri(), org.databaseName());
            // an org with no recorded manifest is checked against the one the newest rollout that worked on it and did not
            // finish it was applying: a rollout clears the record before its first write, so one that stopped part-way left
            // it between two manifests (an org adopted with none that no rollout reached is not checked, as before)
            Optional<RunRepository.Run> stopped = org.schemaHash() != null ? Optional.empty()
                    : ctx.catalog().runs().newestUnfinishedOn(MigrateAll.VERB, org.orgId());
            // the last rollout that took it (what orgs show, resume and restore name); one begun after the rollout that
            // stopped on it (a deploy reverted, passing over the org while it was suspended) is what it is to reach now
            Optional<LastRollout.Rollout> last = org.schemaHash() != null ? Optional.empty() : LastRollout.of(ctx.catalog()).passedOver(org, null);
            Optional<LastRollout.Rollout> since = last.filter(l -> stopped.isPresent() && l.startedAt().isAfter(stopped.get().startedAt()));
            Optional<RunRepository.Run> rollout = since.isPresent() ? Optional.empty() : stopped;
            String hash = since.map(l -> l.args().schemaHash()).orElse(rollout.map(r -> MigrateAll.args(r).schemaHash()).orElse(org.schemaHash()));
            if (hash == null) {
                // none recorded and no rollout stopped on it (restored from a backup taken part-way through a rollout,
                // adopted): the last rollout that took it is what orgs show and restore name, so verify names it too
                out.add(finding("no_schema_record", INFO, "", "org " + org.orgId() + " has no recorded manifest: its schema is not checked"
                        + last.map(r -> "; the last rollout that took it (run " + r.runId() + ") was to apply " + hash12(r.args().schemaHash())).orElse(""),
                        last.map(r -> r.catchUpStep(ctx.catalog(), org))
                                .orElse(NextStep.note("tenantctl migrate-all --org " + org.orgId() + UNKNOWN_MANIFEST + "   (records one)"))));
            } else {
                rollout.ifPresent(r -> out.add(finding("no_schema_record", INFO, "", "org " + org.orgId() + " has no recorded manifest: "
                        + "migrate-all run " + r.runId() + " did not finish on it; checked against " + hash12(hash) + ", the manifest that run applies",
                        finishRollout(org, r))));
                since.ifPresent(l -> out.add(finding("no_schema_record", INFO, "", "org " + org.orgId() + " has no recorded manifest: "
                        + "migrate-all run " + stopped.get().runId() + " did not finish on it, and the later rollout that took it (run " + l.runId()
                        + ") passed over it; checked against " + hash12(hash) + ", the manifest that later rollout applies", l.catchUpStep(ctx.catalog(), org))));
                Optional<SchemaManifest> manifest = manifest(hash);
                if (manifest.isEmpty()) {
                    String schema = schemaOption(org, hash);
                    out.add(finding("manifest_missing", PROBLEM, hash, "org " + org.orgId() + " records manifest " + hash
                            + ", which the catalog does not hold", pasteable(schema, NextStep.run("tenantctl migrate-all --org " + org.orgId() + schema))));
                } else {
                    SchemaDiff diff = diff(db, manifest.get());
                    // missing indexes --fix will not build, and why (looked at in a dry run too: it reads, nothing more)
                    Map<String, String> refused = new java.util.TreeMap<>();
                    if (req.fix() && (!diff.missingCollections().isEmpty() || !diff.missingIndexes().isEmpty())) {
                        Retry.Attempts attempts = new Retry.Attempts();
                        Set<String> created = Set.copyOf(diff.missingCollections()); // new and empty: nothing to check in them
                        Map<String, List<io.tenantctl.schema.IndexSpec>> safe = new java.util.LinkedHashMap<>();
                        diff.missingIndexes().forEach((c, list) -> list.forEach(i -> {
                            String unsafe = created.contains(c) ? null : unsafe(db, c, i, attempts);
                            if (unsafe == null) {
                                safe.computeIfAbsent(c, x -> new ArrayList<>()).add(i);
                            } else {
                                refused.put(c + "." + i.name(), unsafe);
                            }
                        }));
                        // a collection the fix would take past a pool's index limit keeps its missing indexes, as migrate-all's
                        // pre-flight refuses it: FerretDB refuses the createIndexes (67), again on every --fix
                        Set<String> existing = SchemaApply.collections(db, ctx.retry(), attempts);
                        Map<String, List<org.bson.Document>> listed = SchemaApply.indexes(db, existing, List.copyOf(safe.keySet()), ctx.retry(), attempts);
                        for (String c : List.copyOf(safe.keySet())) {
                            String over = SchemaApply.overIndexLimit(listed, existing, Map.of(c, safe.get(c)));
                            if (over != null) {
                                refused.put(String.join(", ", safe.remove(c).stream().map(i -> c + "." + i.name()).toList()), over);
                            }
                        }
                        int indexes = safe.values().stream().mapToInt(List::size).sum();
                        String what = Counted.of(created.size(), "collection") + " and " + Counted.of(indexes, "index", "indexes") + " its manifest lists";
                        if (created.size() + indexes > 0 && req.dryRun()) {
                            fixed.add("org " + org.orgId() + ": would create " + what);
                        } else if (created.size() + indexes > 0) {
                            created.forEach(c -> SchemaApply.createCollection(db, c, ctx.retry(), attempts));
                            safe.forEach((c, list) -> SchemaApply.createIndexes(db, c, list, ctx.retry(), attempts));
                            fixed.add("org " + org.orgId() + ": created " + what);
                            diff = diff(db, manifest.get());
                        }
                    }
                    drift(pool, org, hash, diff, refused, out);
                }
            }
            backup(org, out);
            return out;
        }

        /**
         * Why --fix must not build {@code index} over the documents {@code collection} holds — a TTL index that would delete
         * some at once, a unique one they break — or null: a fix only ever adds, it never deletes or fails half-way.
         */
        private String unsafe(MongoDatabase db, String collection, io.tenantctl.schema.IndexSpec index, Retry.Attempts attempts) {
            String twin = SchemaApply.sameKeyAs(SchemaApply.indexes(db, Set.of(collection), List.of(collection), ctx.retry(), attempts)
                    .getOrDefault(collection, List.of()), index);
            if (twin != null) { // the server refuses a second index on one key: rebuilding it under the manifest's name is a rollout's job
                return "its key is already indexed as " + twin + ", which a rollout with --replace-conflicting renames";
            }
            if (ExpiryPreflight.expiresMore(index, null)) {
                List<ExpiryPreflight.Expiring> expiring = ExpiryPreflight.find(db, collection, index, ctx.retry(), attempts);
                if (!expiring.isEmpty()) {
                    return "a TTL index: it would delete " + Counted.of(expiring.get(0).count(), "document") + " at once";
                }
            }
            if (!UniquePreflight.find(db, collection, index, ctx.retry(), attempts).isEmpty()) {
                return "unique: existing documents hold duplicate keys";
            }
            return null;
        }

        /** The org's collections, then each one's indexes, {@link #LISTINGS_PER_ORG} collections at a time, diffed with the manifest. */
        private SchemaDiff diff(MongoDatabase db, SchemaManifest manifest) {
            Retry.Attempts attempts = new Retry.Attempts();
            Set<String> existing = SchemaApply.collections(db, ctx.retry(), attempts);
            List<String> names = new ArrayList<>(manifest.collections().stream().map(io.tenantctl.schema.CollectionSpec::name).filter(existing::contains).toList());
            names.addAll(SchemaDiff.unlistedCollections(manifest, existing)); // a TTL index there deletes
            List<java.util.concurrent.Future<Map<String, List<org.bson.Document>>>> parts = new ArrayList<>();
            for (int i = 0; i < LISTINGS_PER_ORG; i++) {
                List<String> share = new ArrayList<>();
                for (int j = i; j < names.size(); j += LISTINGS_PER_ORG) {
                    share.add(names.get(j));
                }
                parts.add(listings.submit(() -> SchemaApply.indexes(db, existing, share, ctx.retry(), attempts)));
            }
            Map<String, List<org.bson.Document>> indexes = new LinkedHashMap<>();
            try {
                for (java.util.concurrent.Future<Map<String, List<org.bson.Document>>> part : parts) {
                    indexes.putAll(part.get());
                }
            } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TenantctlException(TenantctlException.Category.INTERRUPTED, "interrupted while listing indexes");
            }
            return SchemaDiff.compute(manifest, existing, indexes);
        }

        /**
         * One collection (index null) or index of a schema finding's subject: "users.email_1", "users (collection)" — or,
         * when a name holds '.', ',' or '"', the JSON ["users.profile","email"], so that no two sets read alike
         * (users + profile.email and users.profile + email) and an ack of one never covers the other.
         */
        private static String item(String collection, String index) {
            boolean plain = java.util.stream.Stream.of(collection, index).filter(java.util.Objects::nonNull)
                    .noneMatch(n -> n.contains(".") || n.contains(",") || n.contains("\""));
            if (plain) {
                return index == null ? collection + " (collection)" : collection + "." + index;
            }
            return Json.write(index == null ? List.of(collection) : List.of(collection, index));
        }

        /** One conflict of a schema_conflict subject: as it reads, or (a name holding '.', ',' or '"') as unambiguous JSON. */
        private static String item(SchemaDiff.Conflict c) {
            return item(c.collection(), c.wanted().name()).startsWith("[")
                    ? Json.write(List.of(c.collection(), c.wanted().name(), c.wanted().describe(), c.actual().describe())) : c.describe();
        }

        /** The schema findings of {@code diff} (of {@code org} on {@code pool}); {@code refused}: missing indexes --fix does not build (collection.index: why). */
        private void drift(Pool pool, Org org, String hash, SchemaDiff diff, Map<String, String> refused, List<Map<String, Object>> out) {
            String schema = schemaOption(org, hash);
            List<String> missing = new ArrayList<>(diff.missingCollections().stream().map(c -> item(c, null)).toList());
            diff.missingIndexes().forEach((c, list) -> list.forEach(i -> missing.add(item(c, i.name()))));
            // the subject is what is wrong, item by item: the finding's id (and an ack of it) covers this set, and one more
            // missing index (a unique one, a whole collection) is another finding, not one hidden under an old ack
            if (!missing.isEmpty()) {
                // what --fix leaves is a rollout's to build, once a person has seen why (its dry run shows it)
                NextStep rollout = pasteable(schema, NextStep.run("tenantctl migrate-all --org " + org.orgId() + schema
                        + " --force --replace-conflicting --dry-run", refused.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue())
                        .collect(java.util.stream.Collectors.joining("; "))));
                String fix = "tenantctl verify --org " + org.orgId() + " --fix";
                String allBut = "creates all but " + String.join(", ", refused.keySet()) + ", then: " + rollout.text();
                Map<String, Object> lacks = finding("schema_missing", PROBLEM, String.join(",", new java.util.TreeSet<>(missing)), "org " + org.orgId() + " lacks " + missing.size() + " of its manifest's "
                        + "collections/indexes: " + sample(missing), refused.isEmpty() ? NextStep.run(fix, CREATES_WHAT_IS_MISSING)
                        : refused.size() < missing.size() ? new NextStep(fix, allBut, fix + " " + allBut) : rollout);
                if (refused.isEmpty()) { // --fix builds it all
                    lacks.put(FIX_PUTS_RIGHT, true);
                }
                out.add(lacks);
            }
            if (!diff.conflicts().isEmpty()) {
                out.add(finding("schema_conflict", PROBLEM, String.join(",", new java.util.TreeSet<>(diff.conflicts().stream()
                        .map(PerOrg::item).toList())), "org " + org.orgId() + " has " + Counted.of(diff.conflicts().size(), "index", "indexes") + " "
                        + "defined otherwise than its manifest: " + sample(diff.conflicts().stream().map(SchemaDiff.Conflict::describe).toList()),
                        // --force: the org's recorded manifest is already this one (the drift came from elsewhere), so without it
                        // migrate-all would select nothing
                        pasteable(schema, NextStep.then("tenantctl schema diff " + org.orgId() + schema, "tenantctl migrate-all --org " + org.orgId()
                                + schema + " --force --replace-conflicting"))));
            }
            if (!diff.superseded().isEmpty()) {
                out.add(finding("schema_superseded", PROBLEM, String.join(",", new java.util.TreeSet<>(diff.superseded().stream()
                        .map(x -> item(x.collection(), x.index().name())).toList())), "org " + org.orgId() + " still has " + Counted.of(diff.superseded().size(), "index", "indexes")
                        + " its manifest drops: " + sample(diff.superseded().stream().map(s -> s.collection() + "." + s.index().name()).toList()),
                        pasteable(schema, NextStep.run("tenantctl migrate-all --org " + org.orgId() + schema + " --force"))));
            }
            // an extra that refuses writes or deletes documents (a rollback left it) is no application's own index to keep:
            // a problem, as schema diff exits 4 on it; its subject is the set of them, so one more is another finding
            List<SchemaDiff.Extra> constraining = diff.constraining();
            List<String> extras = new ArrayList<>(diff.extras().stream().filter(x -> !constraining.contains(x))
                    .map(x -> x.collection() + "." + x.index().name()).toList());
            diff.extraCollections().forEach(c -> extras.add(c + " (collection)"));
            if (!extras.isEmpty()) {
                out.add(finding("schema_extra", INFO, "", "org " + org.orgId() + " has " + Counted.of(extras.size() - diff.extraCollections().size(), "index", "indexes")
                        + " and " + Counted.of(diff.extraCollections().size(), "collection") + " its manifest does not list (harmless; the "
                        + "application may make its own): " + sample(extras), pasteable(schema, NextStep.run("tenantctl schema diff " + org.orgId() + schema))));
            }
            if (!constraining.isEmpty()) {
                // one on a collection the manifest does not list: no rollout touches it, dropped by hand if its documents are to stay
                List<String> byHand = constraining.stream().filter(diff::unlisted)
                        .map(x -> PoolUri.stored(pool.uri()).mongosh(SchemaDiff.dropByHand(org.databaseName(), x))).toList();
                String unlisted = "in a collection its manifest does not list, which no rollout touches: if its documents are to be kept, "
                        + "drop it on the pool: " + String.join("; ", byHand);
                // --fix never drops an index: whether its constraint goes is a person's choice, after the dry run
                out.add(finding("schema_extra_constraining", PROBLEM, String.join(",", new java.util.TreeSet<>(constraining.stream()
                        .map(x -> item(x.collection(), x.index().name())).toList())), "org " + org.orgId() + " has " + Counted.of(constraining.size(), "index", "indexes")
                        + " its manifest does not list that refuse writes or delete documents: " + sample(constraining.stream()
                        .map(x -> x.collection() + "." + x.index().name() + " (" + x.effect("its manifest") + ")").toList()),
                        byHand.size() == constraining.size() ? NextStep.note("each is " + unlisted)
                        : pasteable(schema, NextStep.run("tenantctl migrate-all --org " + org.orgId() + schema + " --force --prune --dry-run",
                        "shows every index --prune would drop, those among them; then without --dry-run" + (byHand.isEmpty() ? ""
                                : "; those " + unlisted)))));
            }
        }

        /**
         * What finishes {@code org} as rollout {@code r}, which did not finish it, meant: while the run is unfinished its own
         * continuation ('migrate-all --resume RUN', or --join while its workers are at it; a new run is refused meanwhile),
         * once it has ended a new run of the org with the run's manifest and apply flags.
         */
        private NextStep finishRollout(Org org, RunRepository.Run r) {
            Runs.RunView view = new Runs(ctx.catalog()).view(r);
            // a failed run: the org's own catch-up below, not the --resume that tries every org the run failed again
            if (view.next() != null && !view.status().equals(RunStatus.FAILED.db())) {
                return view.next();
            }
            if (!RunStatus.of(view.status()).ended()) {
                return NextStep.run(Runs.command(r.verb()) + " --join " + r.runId());
            }
            return NextStep.run(new LastRollout.Rollout(r.runId(), r.runStatus(), r.startedAt(), MigrateAll.args(r), true).catchUp(org),
                    "finishes it and records it");
        }

        /** A fix's --schema when the file the org was rolled out with is not known: a placeholder to fill in. */
        private static final String UNKNOWN_MANIFEST = " --schema MANIFEST";

        /** How many of an org's newest runs of a verb that applied a manifest to it are looked through for its file. */
        private static final int APPLIED_RUNS_LOOKED_AT = 50;

        /** The mongosh command that makes {@code database} on {@code pool} with one empty {@code collection} (see {@link PoolUri#mongosh}). */
        private static String emptyDatabase(Pool pool, String database, String collection) {
            return PoolUri.stored(pool.uri()).mongosh("db.getSiblingDB(\"" + database + "\").createCollection(\""
                    + collection.replace("\\", "\\\\").replace("\"", "\\\"") + "\")");
        }

        /**
         * The --schema of a fix for an org checked against manifest {@code hash}, as pasted: none for the built-in manifest
         * (schema diff's and migrate-all's default), the file the newest provision or migrate-all run that applied that
         * manifest to the org was given while it is still there (not a newer run that only lists the org, still to do or
         * failed on it, with another manifest), else the catalog's copy by its hash ({@code --schema-hash}, which schema diff and
         * migrate-all take), else — the catalog does not hold it — the placeholder MANIFEST (the file the org was rolled out with).
         */
        private String schemaOption(Org org, String hash) {
            if (hash != null && hash.equals(BuiltIn.HASH)) {
                return "";
            }
            if (hash == null) {
                return UNKNOWN_MANIFEST;
            }
            return Stream.of(MigrateAll.VERB, Provision.VERB)
                    .flatMap(verb -> ctx.catalog().runs().appliedOn(verb, org.orgId(), APPLIED_RUNS_LOOKED_AT).stream())
                    .map(run -> Json.read(run.runId(), run.args(), RecordedSchema.class))
                    .filter(a -> hash.equals(a.schemaHash()) && a.schema() != null && isFile(a.schema()))
                    .map(a -> " --schema " + NextStep.shellWord(a.schema())).findFirst()
                    // no file at hand (gone, another machine's, a restore's older manifest): the catalog's copy, when it has one
                    .orElse(manifest(hash).isPresent() ? " --schema-hash " + hash : UNKNOWN_MANIFEST);
        }

        /** The catalog's manifest {@code hash}, if it holds it (read once per verify). */
        private Optional<SchemaManifest> manifest(String hash) {
            return manifests.computeIfAbsent(hash, h -> ctx.catalog().manifests().body(h).map(b -> SchemaManifest.parse(b, "catalog manifest " + h)));
        }

        /**
         * {@code fix} as it is when {@code schema} (a {@link #schemaOption}) names a file, else all of it a note: MANIFEST
         * is a value to fill in, no command to paste. (A recorded file named MANIFEST itself reads as the placeholder: its
         * fix has no command, only the note, which names it.)
         */
        private static NextStep pasteable(String schema, NextStep fix) {
            return schema.equals(UNKNOWN_MANIFEST) ? NextStep.note(fix.text()) : fix;
        }

        /**
         * With a store: that the org's newest backup is there, every file its manifest lists (one listing of the org's
         * backups; the manifest is read only when the files there do not add up to the bytes recorded), and with --deep
         * that it reads back whole.
         */
        private void backup(Org org, List<Map<String, Object>> out) {
            if (store != null && (req.deep() || recordedBackups().contains(org.orgId()))) {
                deep(org, out); // without --deep, only what the catalog records can be found missing: no listing otherwise
            }
        }

        private volatile Set<String> recordedBackups;

        /** The orgs the catalog records a complete backup of (one query for the whole verify, read when first needed). */
        private Set<String> recordedBackups() {
            Set<String> orgs = recordedBackups;
            if (orgs == null) {
                orgs = Set.copyOf(ctx.catalog().findings().newestCompleteBackups().keySet());
                recordedBackups = orgs;
            }
            return orgs;
        }

        private void deep(Org org, List<Map<String, Object>> out) {
            FindingRepository repo = ctx.catalog().findings();
            String id = null;
            Backups.Entry entry = null;
            try {
                // the one restore would take (a newer backup only the store knows, after a catalog back from an older
                // snapshot, included); one the catalog recorded complete and the store lost is a problem, not skipped
                Backups backups = new Backups(ctx, store);
                Backups.OrgListing listed = backups.listOrg(org.orgId(), java.time.Clock.systemUTC()); // its backups' files too
                List<Backups.Entry> listing = listed.entries();
                Optional<Backups.Entry> newest = Backups.newestRecorded(listing);
                if (newest.isEmpty()) {
                    return; // none to read (freshness says so)
                }
                id = newest.get().backupId();
                entry = newest.get();
                if (newest.get().status().equals(Backups.MISSING)) {
                    java.util.Optional<String> elsewhere = backups.otherStore(newest.get());
                    if (elsewhere.isPresent() && !req.deep()) {
                        return; // not this store's to check: --deep says where it went
                    }
                    if (elsewhere.isPresent()) { // not known to be damaged: this verify reads another store, so it is not checked
                        // the fix is the verify that reads it there (a plain one would close this unread)
                        Map<String, Object> unread = finding("check_failed", PROBLEM, "", "org " + org.orgId() + " could not be checked: its newest backup " + id
                                + " was written to " + elsewhere.get() + ", not to the store this verify reads: run it with --store "
                                + elsewhere.get(), Backups.withStore("tenantctl verify --deep --org " + org.orgId(), elsewhere.get()));
                        unread.put(ONLY_DEEP_FINDS, true);
                        out.add(unread);
                        return;
                    }
                    throw new IllegalStateException(backups.rememberGone(newest.get(), listing)); // the org is due a backup again
                }
                // that it is still there, as written and whole, is checked every run (one listing, as restore checks it);
                // only the re-read of its bytes is saved once an earlier deep verify read it back whole. A plain verify
                // has the listing above: its manifest is read only when the files there do not add up to the bytes recorded
                if (!req.deep() && !newest.get().sizesDiffer()) {
                    // one a read found damaged stays so until a deep verify or a restore reads it whole, or a newer one replaces it
                    io.tenantctl.catalog.BackupRepository.damage(newest.get().error()).ifPresent(why -> out.add(corrupt(org, newest.get(), why)));
                    return;
                }
                BackupReader reader = BackupReader.open(store, BackupLayout.root(), org.orgId(), id, newest.get().sha256())
                        .checkFilesPresent(listed.listed()); // from the listing above: its folder not listed again
                if (req.deep() && !repo.backupVerifiedBefore(id)) {
                    reader.verify();
                    repo.backupVerified(id);
                    ctx.catalog().backups().readBackWhole(id);
                }
            } catch (RuntimeException e) {
                io.tenantctl.OutOfDescriptorsException.throwIfOurs(e); // this process's limit: no backup_corrupt, no damage mark
                if ((id != null || e instanceof io.tenantctl.store.UnnameableKeyException) && e instanceof TenantctlException te
                        && te.category() == TenantctlException.Category.CONFIG) {
                    // this process cannot read it (zstd cannot load here, the store stopped answering, a C locale cannot name
                    // its files): the org could not be checked, which says so; the backup is not known to be damaged, and a
                    // fresh one must not be advised
                    throw te;
                }
                if (id == null) { // the store did not answer its listing: nothing is known of the backup yet
                    out.add(finding("backup_corrupt", PROBLEM, "", "the backups of org " + org.orgId() + " could not be listed in the store: "
                            + Errors.oneLine(e), NextStep.run("tenantctl backups list --org " + org.orgId() + req.storeOnLine(), "once the store answers")));
                    return;
                }
                Backups.rememberDamage(ctx.catalog(), id, e);
                out.add(corrupt(org, entry, Errors.oneLine(e)));
            }
        }

        /** The backup_corrupt finding of the org's newest backup {@code entry}, which does not read back for {@code why}. */
        private Map<String, Object> corrupt(Org org, Backups.Entry entry, String why) {
            String id = entry.backupId();
            return finding("backup_corrupt", PROBLEM, id, "the newest backup of org " + org.orgId() + " (" + id + ") does not read back: "
                    + why, !entry.inCatalog()
                    // a hand first: the store's copy to remove; the verify after it is in the note
                    ? NextStep.note(Backups.removeByHand(entry.location()) + "   (then: tenantctl verify --deep --org " + org.orgId() + ")")
                    : gone(org)
                    ? NextStep.note("its database is gone too: look for the data in the pool's own backups (its PostgreSQL), and do not "
                    + "purge org " + org.orgId() + " until then   (tenantctl backups show " + id + " --org " + org.orgId() + req.storeOnLine() + ")")
                    : NextStep.run("tenantctl backup --org " + org.orgId() + req.storeOnLine(), "a fresh backup; then"
                    + (entry.status().equals(Backups.MISSING) ? ", the gone one forgotten: tenantctl backups forget " + id + req.storeOnLine()
                    : ": tenantctl backups show " + id + " --org " + org.orgId() + req.storeOnLine())));
        }

        /**
         * Another pool holding a database of the name org {@code org}'s own database (missing from its pool) has, that no
         * move or restore keeps: a copy of its data; null when none (a pool that does not answer is passed over).
         */
        private String copyElsewhere(Org org) {
            Set<String> retired = new java.util.HashSet<>();
            ctx.catalog().restores().retired(null).forEach(r -> retired.add(r.poolId() + "/" + r.databaseName()));
            for (Pool p : pools.values().stream().sorted(java.util.Comparator.comparing(Pool::poolId)).toList()) {
                if (p.poolId().equals(org.poolId()) || retired.contains(p.poolId() + "/" + org.databaseName())) {
                    continue;
                }
                try {
                    if (listing(p, org.databaseName()).contains(org.databaseName())) {
                        return p.poolId();
                    }
                } catch (RuntimeException unreachable) {
                    // its own finding says so; a copy there is not known
                }
            }
            return null;
        }

        /** Whether the org's database is missing from its pool (as listed for this run). */
        private boolean gone(Org org) {
            Set<String> names = databases.get(org.poolId());
            return names != null && !names.contains(org.databaseName());
        }

        /**
         * Pool {@code pool}'s databases as this verify listed them, listed once per pool: all of them, or with --org those
         * asked for, listed again when {@code needed} (null: none in particular) was not among them.
         */
        Set<String> listing(Pool pool, String needed) {
            Set<String> names = databases.computeIfAbsent(pool.poolId(), id -> databaseNames(pool, needed));
            if (wanted != null && needed != null && !asked.getOrDefault(pool.poolId(), Set.of()).contains(needed)) {
                names = databaseNames(pool, needed);
                databases.put(pool.poolId(), names);
            }
            return names;
        }

        /** Lists the pool's databases: all, or with --org only {@link #wanted} and {@code needed}, by a listDatabases filter. */
        private Set<String> databaseNames(Pool pool, String needed) {
            Unlisted before = unlisted.get(pool.poolId());
            if (before != null) {
                throw before.error(); // once per pool: a pool that hangs would cost each of its orgs the retries' minutes again
            }
            MongoDatabase admin = ctx.pools().database(pool.poolId(), pool.uri(), "admin");
            Set<String> only;
            org.bson.Document command = new org.bson.Document("listDatabases", 1).append("nameOnly", true);
            if (wanted != null) {
                if (needed != null) {
                    wanted.add(needed);
                }
                only = Set.copyOf(wanted);
                command.append("filter", new org.bson.Document("name", new org.bson.Document("$in", new ArrayList<>(new java.util.TreeSet<>(only)))));
            } else {
                only = null;
            }
            long began = System.nanoTime();
            try {
                Set<String> listed = ctx.retry().call(new Retry.Attempts(), () -> {
                    Set<String> names = new java.util.HashSet<>();
                    for (org.bson.Document d : admin.runCommand(command).getList("databases", org.bson.Document.class)) {
                        // a server that ignores the filter (the stand-in does) lists them all: only those asked for are kept
                        if (only == null || only.contains(d.getString("name"))) {
                            names.add(d.getString("name"));
                        }
                    }
                    return names;
                });
                if (only != null) {
                    asked.put(pool.poolId(), only);
                }
                return listed;
            } catch (RuntimeException e) {
                unlisted.put(pool.poolId(), new Unlisted(e, Duration.ofNanos(System.nanoTime() - began)));
                throw e;
            }
        }
    }

    /** A pool's database listing that failed: why, and how long it took (its retries included). */
    private record Unlisted(RuntimeException error, Duration took) {
    }

    /**
     * An org's finding as its run item records it: its fix's command ({@code fix}, as -o json shows it), its note
     * ({@code fix_note}), and the two as people read them ({@code fix_text}, what the catalog keeps and the table prints;
     * left out of -o json by {@link #withoutFixText}).
     */
    private static Map<String, Object> finding(String kind, String severity, String subject, String detail, NextStep fix) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", kind);
        m.put("severity", severity);
        m.put("subject", subject);
        m.put("detail", detail);
        m.put("fix", fix == null ? null : fix.command());
        m.put("fix_note", fix == null ? null : fix.note());
        m.put(FIX_TEXT, fix == null ? null : fix.text());
        return m;
    }

    private static final String FIX_TEXT = "fix_text";

    /** In a run item's finding, what verify judges it by (see {@link Seen}): kept for the catalog, never shown. */
    private static final String ONLY_DEEP_FINDS = "only_deep_finds";
    private static final String FIX_PUTS_RIGHT = "fix_puts_right";

    /**
     * The fix of an org's finding as its run item recorded it. One an older tenantctl recorded has its text alone, in
     * {@code fix}: nothing is made out of it, it is all the note.
     */
    private static NextStep fixOf(com.fasterxml.jackson.databind.JsonNode f) {
        if (!f.has(FIX_TEXT)) {
            String text = f.path("fix").asText(null);
            return text == null ? null : NextStep.note(text);
        }
        String text = f.path(FIX_TEXT).asText(null);
        return text == null ? null : new NextStep(f.path("fix").asText(null), f.path("fix_note").asText(null), text);
    }

    /** An org's line without its findings' {@code fix_text} and what verify judges them by: in -o json a finding's fix is its command and fix_note. */
    private static RunReport.Org withoutFixText(RunReport.Org o) {
        if (o.detailJson() == null || java.util.stream.Stream.of(FIX_TEXT, ONLY_DEEP_FINDS, FIX_PUTS_RIGHT, FLEET, ACKED)
                .noneMatch(k -> o.detailJson().contains("\"" + k + "\""))) {
            return o;
        }
        com.fasterxml.jackson.databind.JsonNode detail = o.detail();
        detail.path("findings").forEach(f -> ((com.fasterxml.jackson.databind.node.ObjectNode) f).remove(List.of(FIX_TEXT, ONLY_DEEP_FINDS, FIX_PUTS_RIGHT, FLEET, ACKED)));
        return o.with(o.error(), detail.toString()); // nulls kept: every field of a finding always there
    }

    private static String sample(List<String> items) {
        return io.tenantctl.Counted.firstOf(items, 10, ", ");
    }

    // ---------------------------------------------------------------- fleet

    private void fleetChecks(Request req, Map<String, Pool> pools, Consumer<Seen> seen, List<String> fixed,
                             Set<String> deadPools, Set<String> listed, String ownRun, boolean fleet, PerOrg perOrg, boolean withStore) {
        // ages by the clock that stamped what they age (backups, orgs, moves, retired databases): the catalog's, not this host's
        Instant now = ctx.catalog().now();
        // --org: the pools those orgs live on, not every pool (an unrelated dead pool is not this verify's finding)
        Map<String, Org> named = live(req.orgs());
        Set<String> orgPools = named.values().stream().map(Org::poolId).collect(java.util.stream.Collectors.toSet());
        List<Pool> inScope = pools.values().stream().filter(p -> req.pools().isEmpty() || req.pools().contains(p.poolId()))
                .filter(p -> fleet || orgPools.contains(p.poolId())).toList();
        Map<String, Set<String>> databases = new LinkedHashMap<>();
        for (Pool p : inScope) {
            RuntimeException unanswered = null;
            try {
                PoolHealth.ping(ctx, p); // once more after a lost connection, like every other pool check
            } catch (RuntimeException e) {
                io.tenantctl.OutOfDescriptorsException.throwIfOurs(e); // this process's want of a socket: not pool_unreachable
                unanswered = e;
            }
            if (unanswered == null) {
                try {
                    databases.put(p.poolId(), new java.util.TreeSet<>(perOrg.listing(p, null)));
                } catch (RuntimeException e) {
                    io.tenantctl.OutOfDescriptorsException.throwIfOurs(e);
                    // it answers its ping: not a dead pool to drain, a listing too slow (or refused) to check its orgs by
                    deadPools.add(p.poolId());
                    seen.accept(unlisted(p, e, perOrg.unlisted.get(p.poolId()), req.orgs().isEmpty() ? ctx.catalog().orgs().countLive(p.poolId())
                            : named.values().stream().filter(o -> o.poolId().equals(p.poolId())).count(), req));
                }
            } else {
                RuntimeException e = unanswered;
                deadPools.add(p.poolId());
                long onIt = ctx.catalog().orgs().countLive(p.poolId());
                String why = Errors.oneLine(e); // the pool's own error names the pool and its URI already
                String subject = "pool " + p.poolId() + " (" + PoolUri.stored(p.uri()).redacted() + ")";
                // a variable of its URI this environment lacks: the server may be fine, this shell cannot reach it
                Map<String, String> env = req.env() == null ? Map.of() : req.env();
                List<String> unset = PoolUri.stored(p.uri()).variables().stream().filter(v -> env.get(v) == null).toList();
                for (String v : unset) { // the finding's fix says how to set it: its line says what is wrong
                    why = why.replace(PoolUri.setIt(v), "");
                }
                why = unset.isEmpty() ? why : why.replace(PoolUri.setIt(unset), ""); // several unset: named in one line
                // a URI the driver refuses before sending anything (stored before pools add checked it so, or a variable's
                // value that breaks it): the URI is to fix, so not pool_unreachable, which sends an operator to the network
                Optional<io.tenantctl.pool.PoolUriRefusedException> refused = io.tenantctl.pool.PoolUriRefusedException.in(e);
                if (refused.isPresent()) {
                    List<String> vars = refused.get().variables();
                    seen.accept(new Seen("pool_uri_invalid", PROBLEM, null, p.poolId(), "", why.replaceFirst("; fix it: tenantctl pools set-uri .*$", "")
                            + "; nothing was sent to the pool; its " + Counted.of(onIt, "org") + (onIt == 1 ? " was" : " were") + " not checked",
                            NextStep.note((vars.isEmpty() ? "fix its URI: " : "check the value" + (vars.size() == 1 ? " of " : "s of ") + String.join(", ", vars)
                                    + " in this environment (or the --config file), or fix its URI: ") + "tenantctl pools set-uri " + p.poolId()
                                    + " --uri …   (one the driver accepts); then: tenantctl verify --pool " + p.poolId())));
                } else {
                    seen.accept(new Seen("pool_unreachable", PROBLEM, null, p.poolId(), "", (why.startsWith("pool " + p.poolId()) ? why
                            : subject + " does not answer: " + why) + "; its " + Counted.of(onIt, "org") + (onIt == 1 ? " was" : " were") + " not checked",
                            // a value to set, or a server to mend, first: no command to paste, all of it the note
                            NextStep.note(!unset.isEmpty() ? "export " + unset.stream().map(v -> v + "=…").collect(java.util.stream.Collectors.joining(" "))
                                    + "   (or set " + (unset.size() == 1 ? "it" : "them") + " in the --config file: " + String.join("=…, ", unset)
                                    + "=…); then: tenantctl verify --pool " + p.poolId()
                            // it answered and refused the credentials: a password rotated on one side only, not a server to mend
                            : io.tenantctl.pool.FerretErrors.authenticationFailed(e) ? "check the credentials the pool's URI reads ("
                                    + (PoolUri.stored(p.uri()).variables().isEmpty() ? "its user info" : PoolUri.stored(p.uri()).variables().stream()
                                            .map(v -> "${" + v + "}").collect(java.util.stream.Collectors.joining(", ")))
                                    + ") against the pool's user; then: tenantctl verify --pool " + p.poolId()
                            : "check the pool's FerretDB and network; then: tenantctl verify --pool " + p.poolId()
                                    + (Pool.ACTIVE.equals(p.status()) ? "   (or take it out of placement: tenantctl pools drain " + p.poolId() + ")" : "")
                                    + (onIt == 0 ? "" : "; should its server be gone for good, " + Rebalance.restoreOffALostPool(p.poolId(), onIt, req.storeOnLine())))));
                }
            }
            if (p.orgCount() > p.capacity()) {
                seen.accept(new Seen("pool_over_capacity", PROBLEM, null, p.poolId(), "", "pool " + p.poolId() + " holds "
                        + Counted.of(p.orgCount(), "org") + " (counting orgs moving in), over its capacity of " + p.capacity(),
                        new NextStep("tenantctl rebalance plan", "then apply it: it moves orgs off pools over capacity; or: tenantctl pools add …",
                                "tenantctl rebalance plan   (then apply it: it moves orgs off pools over capacity), or: tenantctl pools add …")));
            }
        }
        if (fleet) {
            strays(pools, databases, seen, now, req.retiredGrace());
            listed.addAll(databases.keySet());
        }
        if (fleet && req.pools().isEmpty()) { // first: --fix cancels an abandoned run before its stuck orgs are judged
            runs(req, seen, fixed, ownRun);
        }
        // each org judged as one page of them is read (the fleet's never all held), stuck first: --fix marks one failed
        io.tenantctl.ops.run.OrgLeases leases = new RunEngine(ctx, new LeaseRecovery(ctx)).orgLeases();
        LastRollout last = LastRollout.of(ctx.catalog());
        BackupPolicyRepository policies = new BackupPolicyRepository(ctx.catalog());
        if (req.orgs().isEmpty()) {
            ctx.catalog().orgs().forEachLivePage(ORG_PAGE, page -> judge(req, page, leases, last, policies, seen, fixed, now, withStore));
        } else {
            judge(req, named.values().stream().sorted(java.util.Comparator.comparing(Org::orgId)).toList(), leases, last, policies, seen,
                    fixed, now, withStore);
        }
        movesStuck(req, leases, seen, now);
    }

    /** The fleet checks of each org of {@code page}: stuck, failed, behind its last rollout, and (with a store) its backups' age. */
    private void judge(Request req, List<Org> page, io.tenantctl.ops.run.OrgLeases leases, LastRollout last, BackupPolicyRepository policies,
                       Consumer<Seen> seen, List<String> fixed, Instant now, boolean withStore) {
        Map<String, Object[]> newest = withStore ? ctx.catalog().findings().newestCompleteBackups(page.stream().map(Org::orgId).toList()) : Map.of();
        for (Org o : page) {
            stuck(req, o, leases, seen, fixed, now);
            failed(req, o, seen);
            behind(req, last, o, seen);
            if (withStore) {
                backups(req, policies, newest, o, seen, now);
            }
        }
    }

    /**
     * The finding of pool {@code p}, which answers its ping but whose database listing failed ({@code e}, after {@code
     * listed}'s time): its orgs could not be checked. Not pool_unreachable: the pool is up (a listing of hundreds of
     * databases can outlast the socket timeout), so nothing advises draining it; the fix is the verify of that pool again.
     */
    private static Seen unlisted(Pool p, RuntimeException e, Unlisted listed, long onIt, Request req) {
        String took = listed == null ? "" : String.format(java.util.Locale.ROOT, " after %.1f s", listed.took().toMillis() / 1000.0);
        return new Seen("check_failed", PROBLEM, null, p.poolId(), "listDatabases", "pool " + p.poolId() + " answers its ping, but "
                + "listing its databases (listDatabases) failed" + took + ": " + Errors.oneLine(e) + "; its "
                + Counted.of(onIt, "org") + (onIt == 1 ? " was" : " were") + " not checked" + (req.orgs().isEmpty() ? ", nor its databases for strays" : ""),
                NextStep.run("tenantctl verify --pool " + p.poolId(), io.tenantctl.pool.FerretErrors.unauthorized(e)
                        // refused at once, not slow: waiting mends nothing
                        ? "once the pool lets its user list databases (" + io.tenantctl.pool.FerretErrors.UNAUTHORIZED_HINT + ")"
                        : "once the pool lists its databases in time (a reply slower than "
                        + "TENANTCTL_POOL_SOCKET_TIMEOUT_MS, default 60 s, times out; see 'tenantctl pools stats " + p.poolId() + "')"));
    }

    /**
     * The org id an orphan database's name implies (as 'orgs adopt --discover' suggests), or ORG when none is free: a
     * deleted org's id is not (adopt never reuses their ids).
     */
    private String adoptAs(String database) {
        String id = io.tenantctl.catalog.OrgId.suggestedId(database);
        return id != null && ctx.catalog().orgs().find(id).isEmpty() ? id : NO_FREE_ID;
    }

    /**
     * An orphan's fix: adopt it as {@code id} (the placeholder ORG when none is free: then no command, all of it the note), or
     * drop it. An id already {@code offered} to another orphan (the same name on another server) is that one's: this one's
     * adopt takes ORG, and its note names the clash.
     */
    private static NextStep adoptOrDrop(String id, String poolId, String db, Map<String, String> offered) {
        String first = id.equals(NO_FREE_ID) ? null : offered.putIfAbsent(id, db + " on pool " + poolId);
        if (first != null) {
            return NextStep.note("tenantctl orgs adopt " + NO_FREE_ID + " --pool " + poolId + " --database " + NextStep.shellWord(db) + "   (" + id
                    + " is the id offered to " + first + ", and an id is one org's: choose another; or drop it if it is nobody's)");
        }
        NextStep adopt = NextStep.run("tenantctl orgs adopt " + id + " --pool " + poolId + " --database " + NextStep.shellWord(db), "or drop it if it is nobody's");
        return id.equals(NO_FREE_ID) ? NextStep.note(adopt.text()) : adopt;
    }

    private static final String NO_FREE_ID = "ORG";

    /**
     * An orphan's fix, but for two cases a lost (or older) catalog leaves: a database of the same name that no org owns on
     * another server's pool too is one org's two copies, the stale one maybe first — no command, compare them and adopt the
     * live one; a restore's fresh database of an org with no row is that org's data, not a new org's — adopt it under that id.
     */
    private NextStep orphanFix(String db, String poolId, Map<String, Set<String>> databases, Set<String> alsoHere,
                               Map<String, RestoreRepository.Retired> retired, Map<String, String> offered) {
        // db is no org's (not deleted): its twins on other pools are named alike, no org's either
        List<String> twins = databases.entrySet().stream().filter(e -> !e.getKey().equals(poolId) && !alsoHere.contains(e.getKey())
                        && e.getValue().contains(db) && !retired.containsKey(e.getKey() + "/" + db))
                .map(Map.Entry::getKey).sorted().toList();
        String restoredOf = Adopt.restoredOf(db);
        String id = restoredOf != null && ctx.catalog().orgs().find(restoredOf).isEmpty() ? restoredOf : adoptAs(db);
        if (!twins.isEmpty()) {
            return NextStep.note(db + " is on pool " + String.join(", ", twins) + " too, no org's there either: one org's copies (a move's "
                    + "source and target, once the catalog that knew which is live is lost): compare them and adopt only the live one: "
                    + "tenantctl orgs adopt " + id + " --pool POOL --database " + NextStep.shellWord(db));
        }
        String plain = restoredOf == null && !id.equals(NO_FREE_ID) ? id : null;
        // a restore's copies of that org are named after it; those an org (not deleted) has are not copies
        Map<String, List<String>> copies = new java.util.HashMap<>();
        if (plain != null) {
            databases.forEach((pool, names) -> names.stream().filter(n -> plain.equals(Adopt.restoredOf(n)))
                    .forEach(n -> copies.computeIfAbsent(n, x -> new ArrayList<>()).add(pool)));
        }
        Set<String> claimed = ctx.catalog().orgs().liveByDatabaseName(copies.keySet()).keySet();
        List<String> restoredCopies = copies.entrySet().stream().filter(e -> !claimed.contains(e.getKey()))
                .flatMap(e -> e.getValue().stream().map(pool -> e.getKey() + " on pool " + pool)).sorted().toList();
        if (!restoredCopies.isEmpty()) {
            return NextStep.note("a restore of org " + plain + " replaced it (it holds none of the writes made since): its "
                    + (restoredCopies.size() == 1 ? "copy " : "copies ") + String.join(", ", restoredCopies) + " "
                    + Counted.are(restoredCopies.size()) + " that org's data too; compare them and adopt only the live one: "
                    + "tenantctl orgs adopt " + plain + " --pool POOL --database DATABASE");
        }
        if (id.equals(restoredOf)) {
            return NextStep.note("named as a restore of org " + restoredOf + " names its fresh database: that org's data; 'tenantctl orgs "
                    + "adopt --discover --pool " + poolId + "' names any other copy of it to compare; adopt the live one: tenantctl orgs adopt "
                    + restoredOf + " --pool " + poolId + " --database " + NextStep.shellWord(db));
        }
        return adoptOrDrop(id, poolId, db, offered);
    }

    /** {@code d} as --older-than reads it back exactly: 7d, 12h, 90m or 45s. */
    static String gcAge(Duration d) {
        long s = Math.max(0, d.toSeconds());
        return s % 86_400 == 0 ? s / 86_400 + "d" : s % 3_600 == 0 ? s / 3_600 + "h" : s % 60 == 0 ? s / 60 + "m" : s + "s";
    }

    /** Databases on pools that no catalog pointer explains: orphans, strays; retained copies (info within their grace). */
    private void strays(Map<String, Pool> pools, Map<String, Set<String>> databases, Consumer<Seen> seen, Instant now, Duration grace) {
        Map<String, RestoreRepository.Retired> retired = new LinkedHashMap<>();
        ctx.catalog().restores().retired(null).forEach(r -> retired.put(r.poolId() + "/" + r.databaseName(), r));
        MoveRepository moves = ctx.catalog().moves();
        Set<String> moveTargets = new java.util.HashSet<>();
        moves.unfinished().forEach(m -> moveTargets.add(m.toPool() + "/" + m.toDatabase()));
        Map<String, MoveRepository.Move> leftovers = new LinkedHashMap<>();
        moves.leftoverTargets().forEach(m -> leftovers.put(m.toPool() + "/" + m.toDatabase(), m));
        Map<String, RestoreRepository.Written> restored = ctx.catalog().restores().writtenByRestores();
        // dropped by its rollback, written again by a batch its paused process had in flight: found if it is listed
        moves.droppedTargets().forEach(m -> leftovers.putIfAbsent(m.toPool() + "/" + m.toDatabase(), m));
        Map<String, Set<String>> oneServer = sameServer(pools, seen);
        Map<String, String> offered = new java.util.HashMap<>(); // an orphan's id, once offered, with where: an id is one org's
        for (Map.Entry<String, Set<String>> e : databases.entrySet()) {
            String poolId = e.getKey();
            Set<String> alsoHere = oneServer.getOrDefault(poolId, Set.of()); // other pool rows naming this very server
            // admin, config, local, anything not named like an org is no org's; the rest a page at a time, each with the org
            // (not deleted) whose database it is, read from the catalog now, after the pools were listed: an org restored or
            // moved since verify began points at its new database, which must not pass for a stray copy to drop; a deleted
            // org's pointer no longer counts (its database written again after purge dropped it holds what no org owns)
            List<String> named = e.getValue().stream().filter(db -> db.startsWith("org_")).toList();
            for (int from = 0; from < named.size(); from += ORG_PAGE) {
                List<String> page = named.subList(from, Math.min(named.size(), from + ORG_PAGE));
                Map<String, Org> byDatabase = ctx.catalog().orgs().liveByDatabaseName(page);
                for (String db : page) {
                    strayOrNot(db, poolId, byDatabase.get(db), alsoHere, oneServer, databases, retired, moveTargets, leftovers, restored,
                            offered, seen, now, grace);
                }
            }
        }
    }

    /**
     * Database {@code db} of pool {@code poolId} named like an org's, {@code owner} the org (not deleted) whose database it
     * is, if any: nothing when a catalog pointer explains it, else its finding (retained copy, leftover, stray, orphan).
     */
    private void strayOrNot(String db, String poolId, Org owner, Set<String> alsoHere, Map<String, Set<String>> oneServer,
                            Map<String, Set<String>> databases, Map<String, RestoreRepository.Retired> retired, Set<String> moveTargets,
                            Map<String, MoveRepository.Move> leftovers, Map<String, RestoreRepository.Written> restored,
                            Map<String, String> offered, Consumer<Seen> seen, Instant now, Duration grace) {
        if (owner != null && (owner.poolId().equals(poolId) || alsoHere.contains(owner.poolId()))) {
            return; // where the catalog says (through this pool row or another of the same server)
        }
        String key = poolId + "/" + db;
        if (moveTargets.contains(key) || alsoHere.stream().anyMatch(a -> moveTargets.contains(a + "/" + db))) {
            return; // a move in progress (a stuck one is reported as such)
        }
        if (!retired.containsKey(key) && !leftovers.containsKey(key) && alsoHere.stream().anyMatch(a -> retired.containsKey(a + "/" + db) || leftovers.containsKey(a + "/" + db)
                || a.compareTo(poolId) < 0 && databases.getOrDefault(a, Set.of()).contains(db))) {
            return; // the same database, judged once: through the pool row that recorded it, or the first that lists it
        }
        RestoreRepository.Retired r = retired.get(key);
        if (r != null) {
            boolean within = r.retiredAt().plus(grace).isAfter(now);
            String reason = String.valueOf(r.reason());
            boolean moveLeftover = reason.startsWith("source of move") || reason.startsWith("target of reverted move");
            // handed over by a purge that did not drop it (killed, or its drop failed): the next purge drops it at once
            boolean purged = reason.startsWith(RestoreRepository.DELETED_ORG_REASON);
            seen.accept(new Seen(within ? "retained_copy" : "retained_copy_overdue", within ? INFO : PROBLEM, r.orgId(), poolId, db,
                    db + " on pool " + poolId + " is kept after it was replaced (" + reason + "), retired " + r.retiredAt()
                            + (within ? "; within its " : "; past its ") + gcAge(grace) + " grace",
                    purged ? NextStep.run("tenantctl orgs purge", "a purge handed it over and did not drop it; the next one does, whatever its age")
                    // exactly the grace verify judged by (a 12h grace is not '0d', which would drop every copy)
                    : moveLeftover ? NextStep.run("tenantctl rebalance gc --older-than " + gcAge(grace), "gc keeps a copy written since its "
                            + "move and names the writes: merge them into the org, then 'tenantctl rebalance gc --older-than "
                            + gcAge(grace) + " --drop-changed " + poolId + "/" + db + "'")
                    : NextStep.run("tenantctl rebalance gc --older-than " + gcAge(grace))));
            return;
        }
        MoveRepository.Move leftover = leftovers.get(key);
        Optional<String> more = leftover == null ? Optional.empty() : InFlightBatch.beyond(ctx, leftover);
        if (more.isPresent()) { // not what the move (or a woken mover's batch in flight) wrote: never a plain gc
            seen.accept(new Seen("move_leftover", PROBLEM, leftover.orgId(), poolId, db, db + " on pool " + poolId + " "
                    + Rebalance.notTheBatch(leftover, more.get()), NextStep.note("make sure it is nobody's (another catalog's database on "
                    + "this server, writes made to it since: adopt or merge those); a plain gc keeps it, 'tenantctl rebalance gc "
                    + "--drop-changed " + poolId + "/" + db + "' then drops it")));
            return;
        }
        if (leftover != null) {
            seen.accept(new Seen("move_leftover", PROBLEM, leftover.orgId(), poolId, db, db + " on pool " + poolId + (leftover.targetDropped()
                    ? " is " + Rebalance.writtenAgain(leftover) : " was the target of aborted move " + leftover.moveId()
                    + " and was not dropped"), NextStep.run("tenantctl rebalance gc", "drops an aborted "
                    + "move's target at once; --older-than 0 would also drop every retained copy still inside its grace")));
            return;
        }
        // an org's copy only when the catalog ties it to the org: its name (on another pool), or a restore's run that
        // recorded writing it; a name that only starts like an org's is another org's (org_x__b is org x__b's)
        RestoreRepository.Written wrote = java.util.stream.Stream.concat(java.util.stream.Stream.of(poolId), alsoHere.stream())
                .map(p -> restored.get(p + "/" + db)).filter(java.util.Objects::nonNull).findFirst().orElse(null);
        Org named = owner != null ? owner : wrote == null ? null : ctx.catalog().orgs().find(wrote.orgId())
                .filter(o -> !o.status().equals(Org.DELETED)).orElse(null);
        if (named != null && (named.status().equals(Org.RESTORING)
                || ctx.catalog().leases().findLive(named.orgId()).filter(l -> "restore".equals(l.operation())).isPresent())) {
            return; // the target of a restore in progress, or of a dead one: org_stuck names the restore that puts it right
        }
        if (named != null) {
            // the org's own database name on another pool row may be the org's live database through a second
            // registration of its server spelled otherwise (localhost / 127.0.0.1): never a bare 'drop it' then
            Set<String> home = databases.get(named.poolId());
            if (db.equals(named.databaseName()) && home != null && !home.contains(db)
                    && oneServer.getOrDefault(named.poolId(), Set.of()).stream().noneMatch(a -> databases.getOrDefault(a, Set.of()).contains(db))) {
                // the org's own database is gone from its pool (missing_database): this may be the only copy of its data
                seen.accept(new Seen("stray_copy", PROBLEM, named.orgId(), poolId, db, db + " on pool " + poolId + " bears org "
                        + named.orgId() + "'s database name, and the org's own " + db + " is gone from " + named.poolId()
                        + ": it may be the only copy of the org's data (do not drop it)",
                        NextStep.run("tenantctl orgs adopt " + named.orgId() + " --pool " + poolId
                                + (db.equals(OrgId.databaseName(named.orgId())) ? "" : " --database " + NextStep.shellWord(db)),
                                "points the org at this copy (its missing_database says the same)")));
                return;
            }
            String sameName = db.equals(named.databaseName()) ? "make sure pool " + poolId + " is not " + named.poolId()
                    + "'s server under another name (a document written in " + db + " through one pool shows through the other: "
                    + "then it is the org's live database, fix the pools' URIs instead); it may be the org's live database too when "
                    + "the catalog is older than a move of the org (restored from a dump, or rebuilt with adopt after it was lost: "
                    + "the move's source on " + named.poolId() + " then lacks every write since): if it holds writes " + named.poolId()
                    + "'s lacks, save what only " + named.poolId() + "'s holds, drop that one, and 'tenantctl orgs adopt "
                    + named.orgId() + " --pool " + poolId + "' points the org here; otherwise " : "";
            boolean byName = owner != null;
            seen.accept(new Seen("stray_copy", PROBLEM, named.orgId(), poolId, db, db + " on pool " + poolId + " belongs to org "
                    + named.orgId() + (byName ? " by its name" : ": restore run " + wrote.runId() + " wrote it"
                    + (wrote.trial() ? " to try its backup" : "") + " and did not drop it") + ", but the org lives in "
                    + named.databaseName() + " on " + named.poolId() + (byName ? " and no move or restore recorded this copy" : ""),
                    NextStep.note(sameName + "compare it with the org's data; once it is not needed, drop it on the pool: db.getSiblingDB('"
                            + db + "').dropDatabase()")));
        } else {
            seen.accept(new Seen("orphan_database", PROBLEM, null, poolId, db, db + " on pool " + poolId + " is named like an org's "
                    + "database but no org in the catalog has it",
                    orphanFix(db, poolId, databases, alsoHere, retired, offered)));
        }
    }

    /**
     * Pool rows whose URIs name a server in common (the same host:port): each pool id with the others of its server. One
     * informational finding per such pair, since every database on that server is listed through both rows.
     */
    private static Map<String, Set<String>> sameServer(Map<String, Pool> pools, Consumer<Seen> seen) {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        List<Pool> all = pools.values().stream().sorted(java.util.Comparator.comparing(Pool::poolId)).toList();
        for (int i = 0; i < all.size(); i++) {
            PoolUri a = PoolUri.stored(all.get(i).uri());
            for (int j = i + 1; j < all.size(); j++) {
                Set<String> shared = a.serversSharedWith(PoolUri.stored(all.get(j).uri()));
                if (shared.isEmpty()) {
                    continue;
                }
                String x = all.get(i).poolId();
                String y = all.get(j).poolId();
                out.computeIfAbsent(x, k -> new java.util.TreeSet<>()).add(y);
                out.computeIfAbsent(y, k -> new java.util.TreeSet<>()).add(x);
                seen.accept(new Seen("pools_share_a_server", INFO, null, y, String.join(",", shared), "pools " + x + " and " + y
                        + " name one server (" + String.join(", ", shared) + "): its databases are judged once, as one; their "
                        + "capacities are counted apart", NextStep.note("if " + y + " was registered twice by mistake, point it at its own server: "
                        + "tenantctl pools set-uri " + y + " --uri URI")));
            }
        }
        return out;
    }

    /** An org in provisioning, moving or restoring for longer than --stuck-after. */
    private void stuck(Request req, Org o, io.tenantctl.ops.run.OrgLeases leases, Consumer<Seen> seen, List<String> fixed, Instant now) {
        Instant before = now.minus(req.stuckAfter());
        // a restore holds its org's lease for as long as the org is restoring: one nobody holds is a dead restore at once
        // (or one that failed past an in-place drop, which leaves the org restoring and names the restore to re-run)
        // read_only only because a delete froze it for its final backup and died: the tenant cannot write, nothing says why
        boolean frozenByDelete = o.status().equals(Org.READ_ONLY) && !o.updatedAt().isAfter(before)
                && ctx.catalog().orgs().frozenForDelete(o.orgId());
        if (!frozenByDelete && (!TRANSITIONAL.contains(o.status()) || o.updatedAt().isAfter(before) && !o.status().equals(Org.RESTORING))) {
            return;
        }
        if (!asked(req, o)) {
            return;
        }
        // someone is working on it; or it changed since its page was read (its holder let go)
        if (leases.liveHolder(o.orgId()).isPresent()
                || ctx.catalog().orgs().find(o.orgId()).filter(current -> current.version() == o.version()).isEmpty()) {
            return;
        }
        boolean resumable = ctx.catalog().runs().newestWith("provision", o.orgId()).filter(r -> resumes(ctx.catalog(), r, o.orgId()))
                .isPresent();
        String resume = finishProvision(ctx.catalog(), o);
        NextStep fix = switch (o.status()) {
            case PROVISIONING -> NextStep.run(resume, (resumable ? "resumes it" : "provisions it anew") + "; verify --fix marks it failed");
            // the restore that left it so, run again (a --to-org restore names the backup's org, not this one)
            case RESTORING -> NextStep.run(Restore.rerun(ctx.catalog(), o.orgId(), req.storeOnLine()).orElse("tenantctl restore --org " + o.orgId()
                    + req.storeOnLine()),
                    "re-run; a dead restore is rolled back first");
            case READ_ONLY -> Orgs.finishDelete(o.orgId());
            default -> NextStep.run("tenantctl rebalance resume");
        };
        if (req.fix() && req.dryRun() && o.status().equals(Org.PROVISIONING)) {
            fixed.add("org " + o.orgId() + ": stuck provisioning since " + o.updatedAt() + ", would be marked failed");
        } else if (req.fix() && o.status().equals(Org.PROVISIONING)
                && ctx.catalog().orgs().compareAndSetStatus(o.orgId(), o.version(), Org.FAILED)) {
            fixed.add("org " + o.orgId() + ": stuck provisioning since " + o.updatedAt() + ", marked failed (" + resume + (resumable ? " resumes it)" : " provisions it anew)"));
            return;
        }
        seen.accept(new Seen("org_stuck", PROBLEM, o.orgId(), o.poolId(), o.status().db(), "org " + o.orgId() + " has been " + o.status()
                + " since " + o.updatedAt() + " and nobody holds it" + (o.status().equals(Org.RESTORING) ? ": its restore died (or "
                + "failed past what it could undo), and until it is run again the org is not writable and its database may be partial"
                : frozenByDelete ? ": a delete froze it for its final backup and did not finish; the org is not writable" : ""), fix));
    }

    /** Moves unfinished for longer than --stuck-after, nobody holding their org. */
    private void movesStuck(Request req, io.tenantctl.ops.run.OrgLeases leases, Consumer<Seen> seen, Instant now) {
        Instant before = now.minus(req.stuckAfter());
        for (MoveRepository.Move m : ctx.catalog().moves().unfinished()) {
            if (m.updatedAt().isAfter(before) || leases.liveHolder(m.orgId()).isPresent()) {
                continue;
            }
            seen.accept(new Seen("move_stuck", PROBLEM, m.orgId(), m.fromPool(), m.moveId(), "move " + m.moveId() + " of org " + m.orgId()
                    + " has been " + m.state() + " since " + m.updatedAt() + " and nobody holds the org", NextStep.run("tenantctl rebalance resume")));
        }
    }

    /** An org whose provision failed: it holds a place on its pool until it is provisioned again or forgotten. */
    private void failed(Request req, Org o, Consumer<Seen> seen) {
        if (!o.status().equals(Org.FAILED) || !asked(req, o)) {
            return;
        }
        String why = ctx.catalog().runs().newestWith("provision", o.orgId()).map(r -> " ('tenantctl runs show " + r.runId() + "' says why)")
                .orElse("");
        seen.accept(new Seen("org_failed", PROBLEM, o.orgId(), o.poolId(), "", "org " + o.orgId() + " is failed since " + o.updatedAt()
                + why + " and holds a place on pool " + o.poolId(), OrgNext.failedStep(ctx.catalog(), o)));
    }

    /** Whether {@code o} is among what --org and --pool ask for (all orgs when neither is given). */
    private static boolean asked(Request req, Org o) {
        return (req.orgs().isEmpty() || req.orgs().contains(o.orgId())) && (req.pools().isEmpty() || req.pools().contains(o.poolId()));
    }

    /** Runs still marked running whose workers all stopped beating (abandoned). */
    private void runs(Request req, Consumer<Seen> seen, List<String> fixed, String ownRun) {
        Runs runs = new Runs(ctx.catalog(), ctx.actor());
        Instant unstartedBefore = ctx.catalog().now().minus(req.stuckAfter()); // runs.started_at is the catalog's clock
        // a dead restore's run, which --fix's lease recovery closes as failed before this (its dry run's line says so)
        Set<String> closedFirst = req.fix() && req.dryRun() ? LeaseRecovery.runsClosedBySweep(ctx) : Set.of();
        for (RunRepository.Run run : ctx.catalog().runs().allRunning()) {
            if (run.runId().equals(ownRun)) {
                continue;
            }
            Runs.RunView r = runs.view(run);
            RunRepository.Activity activity = r.status().equals(RunStatus.RUNNING.db()) && r.startedAt().isBefore(unstartedBefore)
                    ? ctx.catalog().runs().activity(r.runId(), RunEngine.LIVENESS) : null;
            if (activity != null && !activity.everClaimed()) {
                // detached, and no worker ever came (the Job never started?): it blocks the next rollout of its verb. Its step
                // is the one runs show and orgs show give it; a restore has no --join (its process stopped before it began): ended
                NextStep next = Runs.waitingForAWorker(run, activity);
                seen.accept(new Seen("run_unstarted", PROBLEM, null, null, r.runId(), "run " + r.runId() + " (" + r.verb() + ", started "
                        + r.startedAt() + " by " + r.actor() + ") has had no worker since it was created", next != null ? next
                        : NextStep.run("tenantctl runs cancel " + r.runId(), "a restore has no --join: ends it; then the restore again if still wanted")));
                continue;
            }
            if (!r.status().equals(RunStatus.ABANDONED.db()) || r.verb().equals("verify")) {
                continue; // an abandoned verify (its process out of descriptors, killed) left no org in any state: this one checks again
            }
            if (closedFirst.contains(r.runId())) {
                continue;
            }
            if (r.verb().equals("restore") && ctx.catalog().runs().onlyOrg(r.runId()).flatMap(ctx.catalog().orgs()::find)
                    .map(o -> o.status().equals(Org.RESTORING)).orElse(false)) {
                continue; // a dead restore whose org is still restoring: its org_stuck finding names the same restore to run again
            }
            if (req.fix() && req.dryRun()) {
                fixed.add("run " + r.runId() + " (" + r.verb() + "): abandoned by its workers, would be cancelled");
            } else if (req.fix()) {
                // a provision's cancel ends its orgs too: those it had begun are failed (each with what provisions it again,
                // not the resume of the run cancelled here), those it never started give their places back
                Runs.Unplaced ended = runs.cancel(r.runId(), false).provision();
                fixed.add("run " + r.runId() + " (" + r.verb() + "): abandoned by its workers, cancelled" + (ended == null ? ""
                        : ended.failed().entrySet().stream().map(e -> "; org " + e.getKey() + " marked failed (" + e.getValue() + " provisions it)")
                        .collect(java.util.stream.Collectors.joining()) + (ended.placesReleased() == 0 ? "" : "; never started, "
                        + (ended.placesReleased() == 1 ? "its row removed and place" : "their rows removed and places") + " given back: "
                        + io.tenantctl.Counted.firstOf(ended.firstReleased(), ended.placesReleased(), Runs.Unplaced.NAMED - 1, ", ", ""))));
                continue;
            }
            seen.accept(new Seen("run_abandoned", PROBLEM, null, null, r.runId(), "run " + r.runId() + " (" + r.verb() + ", started "
                    + r.startedAt() + ") is still marked running but its workers stopped", r.next()));
        }
    }

    /**
     * Active orgs the last rollout that took them ({@link LastRollout}) passed over or that went back since:
     * suspended or deleting while it ran, or restored from a backup taken before it — their databases match their own
     * manifest, so no schema finding tells that the application's new indexes and collections are not there.
     */
    private void behind(Request req, LastRollout last, Org read, Consumer<Seen> seen) {
        if (!behind(last, read) || !asked(req, read)) {
            return;
        }
        // the org was read before: a rollout that ended since may have recorded its manifest meanwhile
        Org o = ctx.catalog().orgs().find(read.orgId()).filter(now -> behind(last, now)).orElse(null);
        if (o == null) {
            return;
        }
        last.passedOver(o, o.schemaHash()).ifPresent(r -> seen.accept(new Seen("schema_behind", PROBLEM, o.orgId(), o.poolId(),
                r.args().schemaHash(), "org " + o.orgId() + " has manifest " + hash12(o.schemaHash()) + ", not " + hash12(r.args().schemaHash())
                + ", which the last rollout that took it (run " + r.runId() + ", started " + r.startedAt() + ") "
                + (r.status() != RunStatus.SUCCEEDED ? "was to apply; that run " + (r.status() == RunStatus.FAILED ? "failed" : "was cancelled "
                + "after it had taken every org") + ": " : "applied: ") + (o.createdAt() != null && o.createdAt().isAfter(r.startedAt())
                ? "the org was created since (provisioned, adopted or restored to a new id) with that older manifest"
                : r.status() != RunStatus.SUCCEEDED ? "on this org, or it passed over it or it went back since ('tenantctl runs show "
                + r.runId() + "' says which)" : "it was passed over (suspended or deleting then) or went back since (a restore)"),
                r.catchUpStep(ctx.catalog(), o))));
    }

    /** An active org with a recorded manifest (one with none is no_schema_record's) the last rollout that took it left behind. */
    private static boolean behind(LastRollout last, Org o) {
        return o.status().equals(Org.ACTIVE) && o.schemaHash() != null && last.passedOver(o, o.schemaHash()).isPresent();
    }

    private static String hash12(String hash) {
        return hash.substring(0, Math.min(12, hash.length()));
    }

    /**
     * An active org whose newest complete backup ({@code newest}: by org, as {@link FindingRepository#newestCompleteBackups}
     * reads them) is older than its tier's frequency (or --backups-max-age), or missing.
     */
    private void backups(Request req, BackupPolicyRepository policies, Map<String, Object[]> newest, Org o, Consumer<Seen> seen, Instant now) {
        // a suspended org is judged too while no backup was taken since it last changed (it was written until it was
        // suspended; backup --due takes it then): those writes are only in its pool
        Object[] last = newest.get(o.orgId());
        boolean unbacked = o.status().equals(Org.READ_ONLY) && (last == null || ((Instant) last[2]).isBefore(o.updatedAt()));
        if (!o.status().equals(Org.ACTIVE) && !unbacked || !asked(req, o)) {
            return;
        }
        Duration maxAge = req.backupsMaxAge() != null ? req.backupsMaxAge() : Duration.ofHours(policies.forTier(o.tier()).frequencyHours());
        Object[] b = newest.get(o.orgId());
        Instant at = b == null ? null : (Instant) b[1];
        if (at == null || at.plus(maxAge).isBefore(now)) {
            seen.accept(new Seen("backup_stale", PROBLEM, o.orgId(), o.poolId(), "", at == null ? "org " + o.orgId() + " has no complete backup"
                    : "the newest complete backup of org " + o.orgId() + " is from " + at + ", older than " + describe(maxAge)
                    + (req.backupsMaxAge() != null ? "" : " (tier " + o.tier() + ")"), NextStep.run("tenantctl backup --org " + o.orgId() + req.storeOnLine())));
        }
    }

    /** {@code d} in the largest unit that holds it whole (never rounded: 30 s is not "0 min", 90 min not "1 h"). */
    private static String describe(Duration d) {
        long ms = d.toMillis();
        return ms > 0 && ms % 86_400_000 == 0 ? ms / 86_400_000 + " d" : ms > 0 && ms % 3_600_000 == 0 ? ms / 3_600_000 + " h"
                : ms > 0 && ms % 60_000 == 0 ? ms / 60_000 + " min" : ms % 1_000 == 0 ? ms / 1_000 + " s" : ms + " ms";
    }
}
