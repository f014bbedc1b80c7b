package io.tenantctl.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tenantctl.catalog.Catalog;
import io.tenantctl.catalog.ItemStatus;
import io.tenantctl.catalog.Org;
import io.tenantctl.catalog.OrgLeaseRepository;
import io.tenantctl.catalog.RunRepository;
import io.tenantctl.catalog.RunStatus;
import io.tenantctl.ops.run.RunEngine;
import io.tenantctl.ops.run.RunReport;
import io.tenantctl.ops.run.Worker;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The {@code runs} noun: the recorded history of fan-out verbs. */
public final class Runs {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** A run as shown to people: its stored arguments and summary as JSON values, not as strings holding JSON. */
    public record RunView(String runId, String verb, JsonNode args, Instant startedAt, Instant finishedAt, String status,
                          String actor, JsonNode summary, String reason, @com.fasterxml.jackson.annotation.JsonIgnore io.tenantctl.NextStep next,
                          Integer perPool) implements io.tenantctl.NextStep.Shown {

        /**
         * {@code superseded}: why going on with the run is no next step any more (it is cancelled instead), or null;
         * {@code waiting}: for a running run, its {@link #waitingForAWorker} step, or null.
         */
        static RunView of(RunRepository.Run r, RunStatus status, String superseded, io.tenantctl.NextStep waiting) {
            String verb = r.verb();
            JsonNode args = tree(r.args());
            io.tenantctl.NextStep next = switch (status) {
                case ABANDONED -> io.tenantctl.NextStep.run(continuation(verb, r.runId(), args), "or: tenantctl runs cancel " + r.runId());
                case INTERRUPTED, ABORTED -> io.tenantctl.NextStep.run(continuation(verb, r.runId(), args));
                // its --resume tries its failed orgs again; a restore's failure is no step on (it has no --resume, and the
                // same restore again fails alike: its error said what to do)
                case FAILED -> verb.equals("restore") ? null : io.tenantctl.NextStep.run(continuation(verb, r.runId(), args));
                case RUNNING -> waiting;
                default -> null;
            };
            if (next != null && superseded != null) {
                next = io.tenantctl.NextStep.run("tenantctl runs cancel " + r.runId(), superseded);
            }
            return new RunView(r.runId(), verb, args, r.startedAt(), r.finishedAt(), status.db(), r.actor(),
                    tree(r.summary()), r.reason(), next, r.perPool());
        }

        RunView withoutNextStep() {
            return with(null);
        }

        RunView with(io.tenantctl.NextStep step) {
            return new RunView(runId, verb, args, startedAt, finishedAt, status, actor, summary, reason, step, perPool);
        }

        /** A restore's view whose step is the same restore into a fresh database (its note kept), not the way it was run. */
        RunView intoAFreshDatabase() {
            com.fasterxml.jackson.databind.node.ObjectNode fresh = args.deepCopy();
            fresh.put("mode", Restore.FRESH);
            String command = continuation(verb, runId, fresh);
            return new RunView(runId, verb, args, startedAt, finishedAt, status, actor, summary, reason,
                    next.note() == null ? io.tenantctl.NextStep.run(command) : io.tenantctl.NextStep.run(command, next.note()), perPool);
        }

        /**
         * The command that goes on with a run: VERB --resume for the fan-out verbs, but 'rebalance apply --resume' (rebalance
         * is a group, its runs are continued by apply) and, for a restore (which has no --resume), the restore run again,
         * with the --store its line typed (pasted without it, it would read TENANTCTL_STORE, another store).
         */
        static String continuation(String verb, String runId, JsonNode args) {
            if (verb.equals("restore") && args != null && args.hasNonNull("org") && args.hasNonNull("backup")) {
                StringBuilder cmd = new StringBuilder("tenantctl restore --org ").append(args.get("org").asText())
                        .append(" --backup ").append(args.get("backup").asText());
                String mode = args.path("mode").asText("");
                // --target-pool only as it was typed: a pool placement chose may be full or draining by the time it is run
                boolean typedPool = args.hasNonNull("pool") && !args.path("placed").asBoolean(false);
                if (mode.equals(Restore.NEW_ORG) && args.hasNonNull("to_org")) {
                    cmd.append(" --to-org ").append(args.get("to_org").asText());
                    if (typedPool) {
                        cmd.append(" --target-pool ").append(args.get("pool").asText());
                    }
                } else if (mode.equals(Restore.IN_PLACE)) {
                    cmd.append(" --in-place --drop-existing");
                } else if (typedPool) {
                    cmd.append(" --target-pool ").append(args.get("pool").asText()); // the pool it was restoring onto, not the org's
                }
                if (args.hasNonNull("store")) {
                    cmd.append(" --store ").append(io.tenantctl.NextStep.shellWord(args.get("store").asText()));
                }
                return cmd.toString();
            }
            return command(verb) + " --resume " + runId;
        }
    }

    /** The command that works on a {@code verb} run (--join, --resume): 'tenantctl VERB', and for rebalance its 'apply'. */
    public static String command(String verb) {
        return verb.equals("rebalance") ? "tenantctl rebalance apply" : "tenantctl " + verb;
    }

    /**
     * The step for a run still running that no worker ever claimed from (a --detach whose workers have not come): its
     * --join, as verify's run_unstarted names it, and the cancel that ends it instead; null for any other (a restore has
     * no --join). {@code orgs show} names it for an org such a provision run has still to do, runs list/show for the run.
     */
    public static io.tenantctl.NextStep waitingForAWorker(RunRepository.Run r, RunRepository.Activity activity) {
        return r.runStatus() != RunStatus.RUNNING || activity.everClaimed() || r.verb().equals("restore") ? null
                : io.tenantctl.NextStep.run(command(r.verb()) + " --join " + r.runId(), "run " + r.runId() + " was detached and "
                + "is waiting for a worker: start its workers; or end it: tenantctl runs cancel " + r.runId());
    }

    /**
     * A run as {@code runs show} gives it: first the header the verb's own -o json starts with (run id, verb, status,
     * counts by outcome, p50/p95/max per-org ms), so a detached run's result reads as a live one's; then the run's
     * recorded row and its items, each with its {@code outcome} in the verb's words beside its item status.
     */
    public record Detail(String runId, String verb, String status, Map<String, Integer> counts, long p50Ms, long p95Ms, long maxMs,
                         RunView run, StreamedJsonArray<ItemView> items) {
        /** Each item, read from the catalog a page at a time as it is handed over (as JSON, {@code items} is written so). */
        public void forEachItem(java.util.function.Consumer<ItemView> each) {
            items.items().accept(each);
        }
    }

    /** One org of a run as shown to people: its recorded detail as a JSON value, not a string holding JSON. */
    public record ItemView(String orgId, String status, String outcome, int attempts, Long millis, String error, String poolId,
                           JsonNode detail) {
        /** {@code abandoned}: recorded running, but nobody works on it: shown {@code abandoned}, as a run nobody works on is. */
        static ItemView of(RunRepository.Item i, String verb, io.tenantctl.ops.run.OutcomeNames names, boolean abandoned, RunReport report) {
            JsonNode detail = tree(i.detail());
            String outcome = Verify.outcome(verb, names.of(i.itemStatus()), detail);
            // one its ended run did not start says why, as the verb's own report said it ("not started: run aborted")
            String error = report.why(new RunReport.Org(i.orgId(), i.poolId(), outcome, i.attempts(), 0, i.error(), null), false);
            return new ItemView(i.orgId(), abandoned && i.itemStatus() == ItemStatus.RUNNING ? RunStatus.ABANDONED.db() : i.status(),
                    outcome, i.attempts(), i.millis(), error, i.poolId(), detail);
        }
    }

    /**
     * Each verb's word for an org it did, as its run's report names it, taken from where the verb runs its run (verify's
     * "clean"; an org with problems is told below). A restore runs no fan-out: its word is spelled here alone.
     */
    private static final Map<String, String> DONE = Map.of(Provision.VERB, Provision.DONE, MigrateAll.VERB, MigrateAll.DONE, Backup.VERB,
            Backup.DONE, Rebalance.VERB, Rebalance.DONE, Verify.VERB, Verify.DONE, "restore", "restored");

    private final Catalog catalog;
    private final String actor;

    public Runs(Catalog catalog) {
        this(catalog, "unknown");
    }

    public Runs(Catalog catalog, String actor) {
        this.catalog = catalog;
        this.actor = actor;
    }

    /** The verbs that record runs, as {@code runs list --verb} takes them. */
    public static final List<String> VERBS = List.of(Provision.VERB, MigrateAll.VERB, Backup.VERB, "restore", Rebalance.VERB, Verify.VERB);

    /** The newest {@code limit} runs, of {@code verb} only unless it is null (one no verb records is a usage error). */
    public List<RunView> list(int limit, String verb) {
        if (verb != null && !VERBS.contains(verb)) {
            throw io.tenantctl.TenantctlException.usage("--verb " + verb + ": runs are recorded by " + String.join(", ", VERBS));
        }
        return (verb == null ? catalog.runs().list(limit) : catalog.runs().list(limit, verb)).stream().map(this::view).toList();
    }

    /** How many of a run's items {@code runs show} reads at once, each with its detail (a verify's: the org's findings, hundreds). */
    private static final int ITEM_PAGE = 100;

    /**
     * Run {@code runId} as {@code runs show} gives it, no item held: its status, counts and timings worked out by the
     * catalog, and its items (a fleet's, each with its detail) read a page at a time as they are handed over.
     */
    public Detail show(String runId) {
        RunView run = view(catalog.runs().get(runId));
        io.tenantctl.ops.run.OutcomeNames names = io.tenantctl.ops.run.OutcomeNames.of(DONE.getOrDefault(run.verb(), "succeeded"));
        RunReport report = RunEngine.report(catalog, runId, names.withoutDetail().withoutLines());
        Map<String, Integer> counts = new java.util.TreeMap<>(report.counts());
        if (run.verb().equals(Verify.VERB)) { // an org verified clean whose recorded findings hold a problem is "problems"
            int[] problems = {0};
            catalog.runs().forEachItemPage(runId, ITEM_PAGE, page -> page.forEach(i -> problems[0] += i.itemStatus() == ItemStatus.SUCCEEDED
                    && !Verify.outcome(run.verb(), Verify.DONE, tree(i.detail())).equals(Verify.DONE) ? 1 : 0));
            counts.merge(Verify.DONE, -problems[0], Integer::sum);
            counts.merge("problems", problems[0], Integer::sum);
            counts.values().removeIf(n -> n == 0);
        }
        // an org recorded running that nobody works on (its worker stopped or died, its claim let go) is not running
        java.util.Set<String> abandoned = catalog.runs().abandonedItems(runId, RunEngine.LIVENESS.knownDead());
        StreamedJsonArray<ItemView> items = StreamedJsonArray.of(each -> catalog.runs().forEachItemPage(runId, ITEM_PAGE, page -> page
                .forEach(i -> each.accept(ItemView.of(i, run.verb(), names, abandoned.contains(i.orgId()), report)))));
        return new Detail(runId, run.verb(), report.statusText(), counts, report.timings().p50(), report.timings().p95(),
                report.timings().max(), run, items);
    }

    /**
     * Ends a run for good ({@code runs cancel}): orgs in flight (their worker holds the org's lease) finish and are
     * recorded, the rest are recorded cancelled — one a live worker claimed and has not started too: that worker finds it
     * so once it has the lease — and the run no longer blocks the next rollout. Refused for a run that already ended otherwise;
     * one cancelled already is left as it is ({@code changed} false).
     */
    public Cancelled cancel(String runId, boolean dryRun) {
        return cancel(runId, dryRun, id -> {
        });
    }

    /**
     * As {@link #cancel(String, boolean)}, each org whose place a provision's cancel gives back (would give back) handed to
     * {@code released} as it is, in org order: a fleet's 50,000 are never held, only counted and the first named.
     */
    public Cancelled cancel(String runId, boolean dryRun, java.util.function.Consumer<String> released) {
        RunRepository.Run run = catalog.runs().get(runId);
        if (run.verb().equals("restore")) {
            // an in-place restore past its drop cannot be stopped: the org has no other data than what it is writing
            for (RunRepository.Item item : catalog.runs().items(runId)) {
                catalog.leases().findLive(item.orgId()).filter(l -> l.state() != null).map(l -> org.bson.Document.parse(l.state()))
                        .filter(state -> runId.equals(state.getString("run_id")) && state.getBoolean("current_dropped", false)).ifPresent(l -> {
                    throw new io.tenantctl.TenantctlException(io.tenantctl.TenantctlException.Category.FAILED, "run " + runId
                            + " is an in-place restore of org " + item.orgId() + " that has already dropped the org's database: "
                            + "stopping it now would leave the org with no data; let it finish, then restore the backup you want");
                });
            }
        }
        if (run.status().equals("cancelled")) { // a second cancel (two people on call, a retry): what was asked, nothing to do
            return new Cancelled(view(run), null, dryRun, false);
        }
        boolean cancellable = java.util.Set.of("running", "interrupted", "aborted", "failed").contains(run.status());
        // a provision's orgs not started yet hold their places (rows 'provisioning'): settled below once they are cancelled
        // (pending or held ones, and those the cancel finds claimed but not started)
        boolean provision = run.verb().equals(Provision.VERB);
        // a worker of this host whose process is gone (a kill -9 a moment ago) holds nothing: its orgs are ended with
        // those whose lease ran out, now, not a lease's length later with nobody left to say so
        Worker me = Worker.current(actor);
        Map<String, String> claims = catalog.runs().liveClaims(runId); // org → its worker, for items whose lease runs
        java.util.Set<String> deadHolders = new java.util.TreeSet<>();
        claims.values().stream().filter(h -> Worker.parse(h).knownDeadFrom(me)).forEach(deadHolders::add);
        boolean orgLeased = leasesItsOrgs(run);
        if (dryRun && cancellable) {
            // as the cancel ends them, a page of items at a time (without their detail): not started (pending, held, or claimed
            // by a live worker that has yet to take the org's lease too), or claimed by a worker whose lease (its claim's, or
            // the org's it took) ran out or whose process is gone
            Settling settling = new Settling(runId, true, me, released);
            if (provision) {
                catalog.runs().forEachItemPage(runId, SETTLE_PAGE, false, page -> {
                    List<RunRepository.Ended> ended = new java.util.ArrayList<>();
                    for (RunRepository.Item i : page) {
                        if (i.itemStatus() == ItemStatus.PENDING || i.itemStatus() == ItemStatus.HELD) {
                            ended.add(new RunRepository.Ended(i.orgId(), true));
                        } else if (i.itemStatus() == ItemStatus.RUNNING) {
                            String worker = claims.get(i.orgId());
                            if (worker != null && orgLeased && !deadHolders.contains(worker)) {
                                Optional<OrgLeaseRepository.Lease> lease = catalog.leases().find(i.orgId());
                                if (lease.filter(l -> l.holder().equals(worker)).isEmpty()) {
                                    ended.add(new RunRepository.Ended(i.orgId(), true));
                                } else if (lease.get().expired()) {
                                    ended.add(new RunRepository.Ended(i.orgId(), false));
                                }
                            } else if (worker == null || deadHolders.contains(worker)) {
                                ended.add(new RunRepository.Ended(i.orgId(), false));
                            }
                        }
                    }
                    settling.settle(ended);
                });
            }
            return new Cancelled(view(run), provision ? settling.done() : null, true, true);
        }
        if (cancellable) {
            deadHolders.forEach(h -> catalog.runs().expireHolder(runId, h, null, 0));
        }
        Optional<RunRepository.Cancelled> done = cancellable ? catalog.runs().cancel(runId, "cancelled by " + actor, orgLeased, me.id())
                : Optional.empty();
        // as the run is now, not as read above: its worker may have ended it as the cancel came
        RunRepository.Run now = done.isEmpty() ? catalog.runs().get(runId) : run;
        if (done.isEmpty() && now.status().equals("cancelled")) { // another cancel came first
            return new Cancelled(view(now), null, false, false);
        }
        if (done.isEmpty()) { // succeeded: only a running, interrupted, aborted or failed run can be cancelled
            throw io.tenantctl.TenantctlException.usage("run " + runId + " (" + now.verb() + ") had already " + now.status()
                    + (now.finishedAt() == null ? "" : " (ended " + now.finishedAt() + ")") + ": there is nothing to cancel; "
                    + "'tenantctl runs show " + runId + "' says what it did").withRunId(runId);
        }
        RunView view = view(catalog.runs().get(runId));
        if (!provision) {
            return new Cancelled(view, null, false, true);
        }
        // what the cancel's own transaction ended, not the items read again: an org a worker ends meanwhile is that worker's
        Settling settling = new Settling(runId, false, me, released);
        catalog.runs().forEachEndedPage(runId, done.get(), SETTLE_PAGE, settling::settle);
        return new Cancelled(view, settling.done(), false, true);
    }

    /**
     * Whether a run's workers take each org's lease before they work on it, so that one holding it is at work on the org
     * and one that claimed the org without it has not started: all but a verify without --fix (it changes nothing, and
     * takes no lease).
     */
    private static boolean leasesItsOrgs(RunRepository.Run run) {
        return !run.verb().equals(Verify.VERB) || tree(run.args()) != null && tree(run.args()).path("fix").asBoolean(false);
    }

    /**
     * {@code runs cancel}: the run as it is now; for a provision, the orgs its cancel left unplaced ({@code places_released}:
     * never started by this or any run, their rows gone and their places free again) and those it made {@code failed}
     * (a dead worker, a worker a Ctrl-C stopped in it, or another run had begun them, so a database may be half made), each with the provision that
     * finishes it ('orgs forget' frees its place instead). {@code dryRun}: nothing was cancelled, the run is as it was.
     * {@code changed} false: the run was cancelled already (by an earlier cancel), and is left as it was.
     */
    public record Cancelled(@com.fasterxml.jackson.annotation.JsonUnwrapped RunView run, Unplaced provision, boolean dryRun,
                            boolean changed) {
    }

    /**
     * {@code placesReleased}: how many orgs gave their places back ({@code firstReleased}: the first {@link #NAMED}, in org
     * order; each was handed over as it was released); {@code failed}: org → the provision that finishes it as the run meant
     * it (its manifest by hash, its tier).
     */
    public record Unplaced(long placesReleased, List<String> firstReleased, Map<String, String> failed) {

        /** How many released orgs are kept: as many as a text line names, and one more, named when it is the last. */
        public static final int NAMED = 21;
    }

    /**
     * What cancelling a provision run does to its orgs that never started and are still provisioning (no live lease), a page
     * of the orgs the cancel ended (for a {@code dryRun}, would end) at a time: each released one handed to {@code released},
     * counted, the first {@link Unplaced#NAMED} kept.
     */
    private final class Settling {
        private final String runId;
        private final boolean dryRun;
        private final Worker me;
        private final java.util.function.Consumer<String> released;
        private final List<String> first = new java.util.ArrayList<>();
        private final Map<String, String> failed = new java.util.TreeMap<>();
        private long count;

        Settling(String runId, boolean dryRun, Worker me, java.util.function.Consumer<String> released) {
            this.runId = runId;
            this.dryRun = dryRun;
            this.me = me;
            this.released = released;
        }

        /** One page (a few statements, not an org a few round trips), in org order. */
        void settle(List<RunRepository.Ended> page) {
            if (page.isEmpty()) {
                return;
            }
            List<String> orgs = page.stream().map(RunRepository.Ended::orgId).toList();
            // a worker of this host whose process is gone holds nothing; any other live lease means someone is on the org
            // (but a worker of this run that claimed an org not started holds its lease only to find its item cancelled)
            List<String> dead = catalog.leases().liveHolders(orgs).stream().filter(h -> Worker.parse(h).knownDeadFrom(me)).toList();
            // only a provision begins one: another verb that skipped or refused it meanwhile did nothing to it; one a worker
            // began and handed back (its Ctrl-C) may have its database half made: begun, as one a dead worker left
            io.tenantctl.catalog.OrgRepository.Settled settled = catalog.orgs().settleUnstarted(runId, Provision.VERB, orgs,
                    page.stream().map(RunRepository.Ended::notStarted).toList(), dead, dryRun);
            for (String orgId : settled.released()) {
                if (first.size() < Unplaced.NAMED) {
                    first.add(orgId);
                }
                count++;
                released.accept(orgId);
            }
            settled.failed().forEach(o -> failed.put(o.orgId(), Verify.finishProvision(catalog, o, dryRun ? runId : null)));
        }

        Unplaced done() {
            return new Unplaced(count, List.copyOf(first), failed);
        }
    }

    /** How many orgs a cancel settles at once. */
    private static final int SETTLE_PAGE = 1000;

    /**
     * The one rule for a provision's org left unfinished once begun — ended by its run's cancel (its worker stopped, before
     * the cancel too: a Ctrl-C that handed it back; or another run began it), stopped by its worker's Ctrl-C after that cancel, or failed before its work (its pool down, its org
     * busy): failed, its next step the provision that finishes it ({@link OrgNext#failedStep}). Only the row as read and
     * still provisioning (one provisioned, forgotten or changed meanwhile is left); true when it was marked.
     */
    static boolean unfinishedProvisionFailed(Catalog catalog, Org o) {
        return o.status().equals(Org.PROVISIONING) && catalog.orgs().compareAndSetStatus(o.orgId(), o.version(), Org.FAILED);
    }

    /** {@code r} as shown to people: its status as its workers leave it, and the command that goes on with it, if any. */
    RunView view(RunRepository.Run r) {
        RunRepository.Activity activity = catalog.runs().activity(r.runId(), RunEngine.LIVENESS);
        RunStatus status = RunReport.displayStatus(r, activity);
        boolean ended = status == RunStatus.ABANDONED || status == RunStatus.INTERRUPTED || status == RunStatus.ABORTED
                || status == RunStatus.FAILED;
        // migrate-all refuses to go on with a run a newer rollout came after (MigrateAll: "came after run"): it would take
        // orgs back to its older manifest; a backup run whose orgs have all been backed up since would back them up again
        String superseded = !ended ? null : r.verb().equals(MigrateAll.VERB)
                ? MigrateAll.supersededBy(catalog, r).map(n -> "run " + n.runId() + " came after it").orElse(null)
                : r.verb().equals(Backup.VERB) && catalog.runs().backedUpSince(r.runId())
                ? "every org it had left has been backed up since" : null;
        RunView view = RunView.of(r, status, superseded, waitingForAWorker(r, activity));
        if (status == RunStatus.FAILED && superseded == null && r.verb().equals(Rebalance.VERB)
                && catalog.runs().everyFailedItemHolds(r.runId(), Rebalance.NEEDS_A_NEW_PLAN)) {
            // every move it failed was refused for a plan out of date: its --resume would be, as the apply said, a new plan
            return view.with(io.tenantctl.NextStep.run("tenantctl rebalance plan", "every move it failed was refused as its plan is out of "
                    + "date (its org moved or was deleted since): its --resume would be refused alike; then, to apply the new plan: "
                    + "tenantctl rebalance apply"));
        }
        if (view.next() == null || !r.verb().equals("restore")) {
            return view;
        }
        return restoreStands(r.runId(), view.args()) ? view : neverClaimed(r, status, view.args()) ? view.intoAFreshDatabase() : view.withoutNextStep();
    }

    /**
     * An abandoned in-place restore that died before it claimed its org (the org's row unchanged since its run was
     * recorded: a claim or a flip changes it): the org never left its own data and stayed writable, so its step is the
     * same restore into a fresh database, which keeps that data (retired), not the in-place one, which would drop it.
     */
    private boolean neverClaimed(RunRepository.Run r, RunStatus status, JsonNode args) {
        return args != null && status == RunStatus.ABANDONED && Restore.IN_PLACE.equals(args.path("mode").asText()) && args.hasNonNull("org")
                && catalog.runs().newestWith("restore", args.get("org").asText()).map(RunRepository.Run::runId).orElse(r.runId()).equals(r.runId())
                && catalog.orgs().find(args.get("org").asText()).filter(o -> !o.status().equals(Org.RESTORING) && o.updatedAt() != null
                && r.startedAt() != null && o.updatedAt().isBefore(r.startedAt())).isPresent();
    }

    /**
     * Whether running an interrupted or abandoned restore again is still the org's next step: it is the newest restore of
     * the org (not once a later one came after it), and an in-place one only while the org is still restoring from it
     * (run again once the org is back on its own data, it would drop what was written since).
     */
    private boolean restoreStands(String runId, JsonNode args) {
        if (args == null || !args.hasNonNull("org")) {
            return false;
        }
        String orgId = Restore.NEW_ORG.equals(args.path("mode").asText()) && args.hasNonNull("to_org") ? args.get("to_org").asText()
                : args.get("org").asText();
        if (!catalog.runs().newestWith("restore", orgId).map(RunRepository.Run::runId).orElse(runId).equals(runId)) {
            return false;
        }
        return !Restore.IN_PLACE.equals(args.path("mode").asText())
                || catalog.orgs().find(orgId).map(o -> o.status().equals(Org.RESTORING)).orElse(false);
    }

    private static JsonNode tree(String json) {
        if (json == null) {
            return null;
        }
        try {
            return MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            return MAPPER.getNodeFactory().textNode(json);
        }
    }
}
