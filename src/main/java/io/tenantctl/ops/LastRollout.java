package io.tenantctl.ops;

import io.tenantctl.catalog.Catalog;
import io.tenantctl.catalog.Org;
import io.tenantctl.catalog.RunStatus;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The last rollout, to tell the orgs it passed over (resume's and restore's hint, verify's {@code schema_behind}): the
 * newest migrate-all run if it succeeded ({@code args} null if not: one still running, failed or cancelled tells nothing
 * yet), and when each manifest was first recorded. Read once, asked per org.
 */
record LastRollout(String runId, MigrateAll.Args args, Instant startedAt, Map<String, Instant> manifestsRecordedAt) {

    static LastRollout of(Catalog catalog) {
        return catalog.runs().newest(MigrateAll.VERB).filter(r -> r.runStatus() == RunStatus.SUCCEEDED)
                .map(r -> new LastRollout(r.runId(), Json.read(r.runId(), r.args(), MigrateAll.Args.class), r.startedAt(),
                        catalog.manifests().recordedAt()))
                .orElse(new LastRollout(null, null, null, Map.of()));
    }

    /**
     * The migrate-all that brings {@code org}, whose manifest is {@code schemaHash}, up to this rollout — when its --pool,
     * --org and --tier take the org (a rollout to other pools was not meant for it) and the org's manifest is another
     * one, recorded before the rollout began (it passed over a suspended or deleting org; a restore brings a backup's
     * manifest back) — not one first recorded since (an org provisioned with a newer manifest is ahead).
     */
    Optional<String> catchUp(Org org, String schemaHash) {
        Instant recorded = schemaHash == null ? null : manifestsRecordedAt.get(schemaHash);
        if (args == null || args.schemaHash().equals(schemaHash) || recorded != null && !recorded.isBefore(startedAt)
                || args.pools() != null && !args.pools().contains(org.poolId()) || args.orgs() != null && !args.orgs().contains(org.orgId())
                || args.tier() != null && !args.tier().equals(org.tier())) {
            return Optional.empty();
        }
        return Optional.of("tenantctl migrate-all --org " + org.orgId() + " --schema-hash " + args.schemaHash());
    }
}
