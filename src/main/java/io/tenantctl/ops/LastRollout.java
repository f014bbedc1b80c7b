package io.tenantctl.ops;

import io.tenantctl.catalog.Catalog;
import io.tenantctl.catalog.Org;
import io.tenantctl.catalog.RunRepository;
import io.tenantctl.catalog.RunStatus;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The rollouts an org may have been passed over by (resume's and restore's hint, verify's {@code schema_behind},
 * {@code orgs show}'s next): the recent migrate-all runs, newest first, and when each manifest was first recorded. For
 * an org, the one that counts is the newest whose --pool, --org and --tier take it — a rollout narrowed to other orgs
 * (a one-org catch-up, a canary pool) does not hide the fleet's — and only if it ran to its end: it succeeded, or it
 * failed (it went through every org and failed on some: the release goes out with it, and an org it failed on is behind
 * it) — and so did one cancelled after it had taken every org (a failed run cancelled, which does not make its orgs
 * any less behind). One still running, aborted, interrupted or cancelled before it reached every org does not count
 * itself, nor hides the one before it that did: an org restored from an old backup while the newest run is stopped is
 * still behind the last finished one, and its hint names the unfinished run as such — unless that run has worked on the
 * org (it cleared the org's manifest before its first write, or recorded its own), whose state is then that run's
 * (verify's no_schema_record). Read once, asked per org.
 */
record LastRollout(List<Rollout> newestFirst, Map<String, Instant> manifestsRecordedAt) {

    /** How many recent migrate-all runs are looked through for the one that took an org. */
    private static final int RECENT = 500;

    /**
     * One migrate-all run: its id, status, start and the arguments it recorded; whether it took every org it selected;
     * {@code unfinished}, when it is the rollout that counts for an org, the newest run begun since that took the org too
     * and has not run to its end (or null), named with its catch-up.
     */
    record Rollout(String runId, RunStatus status, Instant startedAt, MigrateAll.Args args, boolean ranToItsEnd, Rollout unfinished) {
        Rollout(String runId, RunStatus status, Instant startedAt, MigrateAll.Args args, boolean ranToItsEnd) {
            this(runId, status, startedAt, args, ranToItsEnd, null);
        }

        /** What an unfinished run is: "still running", "aborted", … */
        String state() {
            return status == RunStatus.RUNNING ? "still running" : status == RunStatus.CANCELLED ? "cancelled before it had taken every org"
                    : status.name().toLowerCase(java.util.Locale.ROOT);
        }

        /** Says that a newer run that took the org has not finished, so is not what it is behind (nothing when there is none). */
        String unfinishedNote() {
            return unfinished == null ? null : "the last rollout that finished, run " + runId + "; the newer run " + unfinished.runId()
                    + " (to apply " + unfinished.args().schemaHash().substring(0, Math.min(12, unfinished.args().schemaHash().length()))
                    + ", started " + unfinished.startedAt() + ") is " + unfinished.state() + " and has not migrated it";
        }

        /**
         * The migrate-all that brings {@code org} up to this rollout, with the flags that let it change the indexes the
         * way it changed the others' (not {@code --allow-expiry}: that one deletes documents, and a refusal names it).
         */
        String catchUp(Org org) {
            MigrateAll.Flags f = args.flags();
            return "tenantctl migrate-all --org " + org.orgId() + " --schema-hash " + args.schemaHash()
                    + (f != null && f.replaceConflicting() ? " --replace-conflicting" : "") + (f != null && f.prune() ? " --prune" : "");
        }

        /**
         * {@link #catchUp} as a next step: the bare command, unless this rollout failed {@code org} on duplicate keys (its
         * unique pre-flight found them), which that command finds again until the documents are changed by hand, or found its
         * database gone from its pool, which that command refuses until the data is back: verify says how A conflicting index
         * (the rollout had no --replace-conflicting) or expiring documents (no --allow-expiry), which that command meets again,
         * name the flag's --dry-run first, as migrate-all's own next does.
         */
        io.tenantctl.NextStep catchUpStep(Catalog catalog, Org org) {
            Optional<String> error = catalog.runs().itemError(runId, org.orgId());
            boolean duplicates = error.filter(e -> e.contains(SchemaApply.DUPLICATE_KEYS)).isPresent();
            if (catalog.runs().itemDetail(runId, org.orgId()).filter(SchemaApply::dataGone).isPresent()) { // refused again until the data is back
                return io.tenantctl.NextStep.run("tenantctl verify --org " + org.orgId(), "run " + runId + " found its database gone from its "
                        + "pool: verify says where a copy may be and how to bring it back");
            }
            if (error.filter(e -> e.contains("pass --replace-conflicting")).isPresent()) { // the bare catch-up meets the same conflict
                return io.tenantctl.NextStep.run(catchUp(org) + " --replace-conflicting --dry-run", "then without --dry-run"
                        + (unfinished == null ? "" : "; " + unfinishedNote()));
            }
            if (error.filter(e -> e.contains("--allow-expiry")).isPresent()) { // refused again: what would expire comes first
                return io.tenantctl.NextStep.run(catchUp(org) + " --dry-run", "see how many documents would expire; if intended, a backup, "
                        + "then without --dry-run with --allow-expiry" + (unfinished == null ? "" : "; " + unfinishedNote()));
            }
            return duplicates ? io.tenantctl.NextStep.note("remove the duplicate documents run " + runId + " found on it ('tenantctl runs show "
                    + runId + "' names them), then: " + catchUp(org) + (unfinished == null ? "" : "   (" + unfinishedNote() + ")"))
                    : unfinished == null ? io.tenantctl.NextStep.run(catchUp(org)) : io.tenantctl.NextStep.run(catchUp(org), unfinishedNote());
        }

        boolean takes(Org org) {
            return (args.pools() == null || args.pools().contains(org.poolId())) && (args.orgs() == null || args.orgs().contains(org.orgId()))
                    && (args.tier() == null || args.tier().equals(org.tier()));
        }
    }

    static LastRollout of(Catalog catalog) {
        List<RunRepository.Run> runs = catalog.runs().list(RECENT, MigrateAll.VERB);
        java.util.Set<String> cut = catalog.runs().withCancelledItems(runs.stream().filter(r -> r.runStatus() == RunStatus.CANCELLED)
                .map(RunRepository.Run::runId).toList());
        return new LastRollout(runs.stream().map(r -> new Rollout(r.runId(), r.runStatus(), r.startedAt(),
                Json.read(r.runId(), r.args(), MigrateAll.Args.class), r.runStatus() == RunStatus.SUCCEEDED || r.runStatus() == RunStatus.FAILED
                || r.runStatus() == RunStatus.CANCELLED && !cut.contains(r.runId()))).toList(),
                runs.isEmpty() ? Map.of() : catalog.manifests().recordedAt());
    }

    /**
     * The rollout that counts for {@code org}, whose manifest is {@code schemaHash}: the newest that took it and ran to its
     * end, carrying the newest unfinished run since that took it too — none when such a run has worked on the org (the org's
     * manifest is its, or none: that run cleared it before its first write).
     */
    Optional<Rollout> of(Org org, String schemaHash) {
        Rollout unfinished = null;
        for (Rollout r : newestFirst.stream().filter(r -> r.takes(org)).toList()) {
            if (r.ranToItsEnd()) {
                return Optional.of(unfinished == null ? r : new Rollout(r.runId(), r.status(), r.startedAt(), r.args(), true, unfinished));
            }
            if (schemaHash == null || schemaHash.equals(r.args().schemaHash())) {
                return Optional.empty(); // the org is that run's: reached by it, or left between two manifests
            }
            unfinished = unfinished == null ? r : unfinished;
        }
        return Optional.empty();
    }

    /**
     * The migrate-all that brings {@code org}, whose manifest is {@code schemaHash}, up to the rollout that counts for it,
     * when the org's manifest is another one, recorded before that rollout began (it passed over a suspended or deleting
     * org; a restore brings a backup's manifest back) — not one first recorded since (an org provisioned with a newer
     * manifest is ahead).
     */
    Optional<String> catchUp(Org org, String schemaHash) {
        return passedOver(org, schemaHash).map(r -> r.catchUp(org) + (r.unfinished() == null ? "" : "   (" + r.unfinishedNote() + ")"));
    }

    /** As {@link #catchUp}: the rollout {@code org} is behind, if any. */
    Optional<Rollout> passedOver(Org org, String schemaHash) {
        return of(org, schemaHash).filter(r -> behind(r, schemaHash));
    }

    private boolean behind(Rollout r, String schemaHash) {
        Instant recorded = schemaHash == null ? null : manifestsRecordedAt.get(schemaHash);
        return !r.args().schemaHash().equals(schemaHash) && (recorded == null || recorded.isBefore(r.startedAt()));
    }
}
