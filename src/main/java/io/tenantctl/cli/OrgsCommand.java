package io.tenantctl.cli;

import picocli.CommandLine.Command;

@Command(name = "orgs", description = "Look at orgs in the catalog, adopt existing databases, forget failed orgs; suspend, resume, re-tier, delete and purge orgs.",
        subcommands = {OrgsListCommand.class, OrgsShowCommand.class, OrgsAdoptCommand.class, OrgsForgetCommand.class, OrgsSuspendCommand.class,
                OrgsResumeCommand.class, OrgsSetTierCommand.class, OrgsDeleteCommand.class, OrgsPurgeCommand.class})
final class OrgsCommand {

    /** The first 12 hex digits of a schema hash, enough to tell manifests apart in a table. */
    static String shortHash(String hash) {
        return hash == null ? null : hash.substring(0, Math.min(12, hash.length()));
    }
}
