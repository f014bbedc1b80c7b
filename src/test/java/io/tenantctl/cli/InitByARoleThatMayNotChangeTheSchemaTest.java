package io.tenantctl.cli;

import io.tenantctl.Main;
import io.tenantctl.testing.ChildJvm;
import io.tenantctl.testing.Cli;
import io.tenantctl.testing.TestCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper running the catalog as a DBA does: the catalog owned by one role, tenantctl run by another
 * with only DML on its tables. Every command works so, but an upgrade's {@code tenantctl init} (the catalog one schema
 * version behind) printed Flyway's own log line ("[main] ERROR org.flywaydb… Migration of schema "public" to version
 * "15 …" failed! Changes successfully rolled back.") and then "could not be migrated: Failed to execute script
 * V15__….sql; run with -v for details": two lines, and neither said why. One line now, exit 3, with the catalog's
 * refusal and who may run init.
 */
class InitByARoleThatMayNotChangeTheSchemaTest {

    @Test
    void anUpgradeByARoleWithOnlyDmlSaysInOneLineThatTheOwnerMustRunIt(@TempDir Path dir) throws Exception {
        String url = TestCatalog.initialisedDatabase();
        String role = "dml_only_" + ProcessHandle.current().pid();
        TestCatalog.execute(url, "create role " + role + " login");
        try {
            TestCatalog.execute(url, "revoke create on schema public from public");
            TestCatalog.execute(url, "grant usage on schema public to " + role);
            TestCatalog.execute(url, "grant select, insert, update, delete on all tables in schema public to " + role);
            // the catalog as the tenantctl before this one left it: version 16
            TestCatalog.execute(url, "drop table finding_sightings"); // version 17's
            TestCatalog.execute(url, "drop index backups_complete_location_idx"); // version 18's
            TestCatalog.execute(url, "alter table findings drop column only_deep_finds, drop column fix_puts_right"); // version 19's
            TestCatalog.execute(url, "alter table org_verifications drop column rules_version"); // version 20's
            TestCatalog.execute(url, "delete from flyway_schema_history where version in ('17', '18', '19', '20')");
            String asRole = url.replaceFirst("user=[^&]*", "user=" + role);

            ChildJvm.Exit init = ChildJvm.run(dir, Map.of("TENANTCTL_CATALOG_URL", asRole), 120, Main.class.getName(), "init");

            assertThat(init.code()).as(init.err()).isEqualTo(3);
            assertThat(init.err().strip().lines()).as(init.err()).hasSize(1);
            assertThat(init.err()).as(init.err()).startsWith("error: catalog ").contains("could not be migrated")
                    .contains("permission denied for schema public").contains("42501").contains("run init as the catalog's owner")
                    .doesNotContain("flywaydb");

            Cli.Result byOwner = Cli.withCatalog(url).run("init");
            assertThat(byOwner.exitCode()).as(byOwner.toString()).isZero();
            Cli.Result list = Cli.withCatalog(asRole).run("orgs", "list");
            assertThat(list.exitCode()).as(list.toString()).isZero();
        } finally {
            TestCatalog.execute(url, "drop owned by " + role);
            TestCatalog.execute(url, "drop role " + role);
        }
    }
}
