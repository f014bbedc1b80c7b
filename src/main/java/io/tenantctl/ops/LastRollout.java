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
 * any less behind). One still running, aborted, interrupted or cancelled before it reached every org tells nothing
 * yet. Read once, asked per org.
 */
record LastRollout(List<Rollout> newestFirst, Map<String, Instant> manifestsRecordedAt) {

    /** How many recent migrate-all runs are looked through for the one that took an org. */
    private static final int RECENT = 500;

    /** One migrate-all run: its id, status, start and the arguments it recorded; whether it took every org it selected. */
    record Rollout(String runId, RunStatus status, Instant startedAt, MigrateAll.Args args, boolean ranToItsEnd) {
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
         * unique pre-flight found them), which that command finds again until the documents are changed by hand.
         */
        io.tenantctl.NextStep catchUpStep(Catalog catalog, Org org) {
            boolean duplicates = catalog.runs().itemError(runId, org.orgId()).filter(e -> e.contains(SchemaApply.DUPLICATE_KEYS)).isPresent();
            return duplicates ? io.tenantctl.NextStep.note("remove the duplicate documents run " + runId + " found on it ('tenantctl runs show "
                    + runId + "' names them), then: " + catchUp(org)) : io.tenantctl.NextStep.run(catchUp(org));
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

    /** The rollout that counts for {@code org}, if it ran to its end: the newest that took it. */
    Optional<Rollout> of(Org org) {
        return newestFirst.stream().filter(r -> r.takes(org)).findFirst().filter(Rollout::ranToItsEnd);
    }

    /**
     * The migrate-all that brings {@code org}, whose manifest is {@code schemaHash}, up to the rollout that counts for it,
     * when the org's manifest is another one, recorded before that rollout began (it passed over a suspended or deleting
     * org; a restore brings a backup's manifest back) — not one first recorded since (an org provisioned with a newer
     * manifest is ahead).
     */
    Optional<String> catchUp(Org org, String schemaHash) {
        return passedOver(org, schemaHash).map(r -> r.catchUp(org));
    }

    /** As {@link #catchUp}: the rollout {@code org} is behind, if any. */
    Optional<Rollout> passedOver(Org org, String schemaHash) {
        return of(org).filter(r -> behind(r, schemaHash));
    }

    private boolean behind(Rollout r, String schemaHash) {
        Instant recorded = schemaHash == null ? null : manifestsRecordedAt.get(schemaHash);
        return !r.args().schemaHash().equals(schemaHash) && (recorded == null || recorded.isBefore(r.startedAt()));
    }
}
