package io.tenantctl.cli;

import io.tenantctl.Main;
import io.tenantctl.store.S3ProxyFixture;
import io.tenantctl.testing.HookedBlobStore;
import io.tenantctl.testing.ChildJvm;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** No store is a usage error naming --store and TENANTCTL_STORE (exit 2); a store that does not answer exits 3 before any work. */
class BackupStoreErrorsTest {

    @TempDir
    Path dir;

    @Test
    void aMissingStoreIsAUsageErrorAndAnUnreachableOneAConfigError() {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            Cli noStore = new Cli(Map.of("TENANTCTL_CATALOG_URL", f.catalogUrl, "USER", "test"));
            for (String[] args : new String[][]{{"backup", "--org", "acme"}, {"restore", "--org", "acme"}, {"backups", "list"},
                    {"backups", "prune", "--dry-run"}}) {
                Cli.Result r = noStore.run(args);
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
                assertThat(r.err()).contains("--store").contains("TENANTCTL_STORE");
            }

            Cli unreachable = new Cli(Map.of("TENANTCTL_CATALOG_URL", f.catalogUrl, "USER", "test", "TENANTCTL_STORE", "s3://backups/x",
                    "TENANTCTL_S3_ENDPOINT", "http://127.0.0.1:1", "AWS_ACCESS_KEY_ID", "id", "AWS_SECRET_ACCESS_KEY", "secret-not-shown",
                    "AWS_REGION", "us-east-1"));
            Cli.Result r = unreachable.run("backup", "--org", "acme");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
            assertThat(r.err()).contains("s3://backups/x").doesNotContain("secret-not-shown");
            // the listing of every org's backups (the store's top) said "cannot list  in s3://…": what it could not list is named
            for (String[] args : new String[][]{{"backups", "list", "-o", "json"}, {"backups", "prune", "--dry-run", "-o", "json"}}) {
                Cli.Result listing = unreachable.run(args);
                assertThat(listing.exitCode()).as(listing.toString()).isEqualTo(3);
                assertThat(CliFixture.strictJson(listing).get("error").get("message").asText()).as(listing.toString())
                        .contains("cannot list objects in s3://backups/x").doesNotContain("secret-not-shown");
            }
            // a restore's check that the store answers said "cannot list tenantctl-store-probe/ in s3://…", a path no operator made
            // to go looking for at 3 a.m.: it names the store's objects, as the listing of every org's backups does
            for (String[] args : new String[][]{{"restore", "--org", "acme", "-o", "json"}, {"restore", "--org", "acme", "--dry-run", "-o", "json"}}) {
                Cli.Result restore = unreachable.run(args);
                assertThat(restore.exitCode()).as(restore.toString()).isEqualTo(3);
                assertThat(CliFixture.strictJson(restore).get("error").get("message").asText()).as(restore.toString())
                        .contains("cannot list objects in s3://backups/x").doesNotContain("tenantctl-store-probe").doesNotContain("secret-not-shown");
            }
            assertThat(CliFixture.strictJson(CliFixture.ok(f.cli, "runs", "list", "-o", "json")).toString())
                    .as("no run was started").doesNotContain("\"backup\"");
            // end state: the refused restore left acme on its own database, whole
            assertThat(f.org("acme").get("database_name").asText()).isEqualTo("org_acme");
            f.assertClean("acme");
        }
    }

    @Test
    void aFileStoreThatCannotBeWrittenIsAConfigErrorBeforeAnyRun() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            Path aFile = java.nio.file.Files.writeString(dir.resolve("not-a-directory"), "x");
            Path underAFile = aFile.resolve("backups");
            for (Path root : new Path[]{aFile, underAFile}) {
                Cli cli = new Cli(Map.of("TENANTCTL_CATALOG_URL", f.catalogUrl, "USER", "test", "TENANTCTL_STORE", root.toUri().toString()));
                // the dry runs too: they said "would get a final backup" / planned the backup, then the verb itself was refused here
                for (String[] args : new String[][]{{"backup", "--org", "acme"}, {"orgs", "delete", "acme"}, {"orgs", "delete", "acme", "--dry-run"},
                        {"backup", "--org", "acme", "--dry-run"}}) {
                    Cli.Result r = cli.run(args);
                    assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
                    assertThat(r.err()).as(r.toString()).contains(root.toUri().toString()).contains("cannot be written");
                    assertThat(r.err().strip().lines().count()).as("one line: " + r).isEqualTo(1);
                }
            }
            // a store directory not made yet, in one that can be written: the delete's dry run plans it, and makes nothing
            Path fresh = dir.resolve("fresh").resolve("backups");
            Cli.Result planned = CliFixture.ok(new Cli(Map.of("TENANTCTL_CATALOG_URL", f.catalogUrl, "USER", "test", "TENANTCTL_STORE",
                    fresh.toUri().toString())), "orgs", "delete", "acme", "--dry-run");
            assertThat(planned.out()).as(planned.toString()).contains("would get a final backup");
            Cli.Result backupPlanned = CliFixture.ok(new Cli(Map.of("TENANTCTL_CATALOG_URL", f.catalogUrl, "USER", "test", "TENANTCTL_STORE",
                    fresh.toUri().toString())), "backup", "--org", "acme", "--dry-run");
            assertThat(backupPlanned.out()).as(backupPlanned.toString()).contains("acme");
            assertThat(dir.resolve("fresh")).as("a dry run makes no directory").doesNotExist();
            assertThat(CliFixture.strictJson(CliFixture.ok(f.cli, "runs", "list", "-o", "json")).toString())
                    .as("no run was started").doesNotContain("\"backup\"");
            assertThat(f.org("acme").get("status").asText()).as("the refused delete left acme as it was").isEqualTo("active");
            f.assertClean("acme");
        }
    }

    /**
     * A prune in a file:// store whose backup directories this user may not write in (chmod 555; as root, whom chmod does
     * not refuse, made immutable) failed every backup it was to delete with 'permission denied', printed 'deleted 0 backups
     * … failed 1' and 'the others were pruned', exit 1 — none were. As for an s3:// key that may not delete: one line, exit
     * 3, saying what to allow, nothing deleted; once the directories are writable, the same prune prunes.
     */
    @Test
    void aPruneInAFileStoreThatRefusesEveryDeleteSaysSoInOneLine() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "beta");
            String old = f.backups("acme", 2).get(0);
            String betaOld = f.backups("beta", 2).get(0);
            List<Path> refusing = List.of(f.storeDir.resolve("acme"), f.storeDir.resolve("acme").resolve(old));
            try {
                for (Path d : refusing) {
                    java.nio.file.Files.setPosixFilePermissions(d, java.nio.file.attribute.PosixFilePermissions.fromString("r-xr-xr-x"));
                }
                if (!refuses(refusing.get(1))) { // root: chmod does not refuse it, an immutable directory does
                    for (Path d : refusing) {
                        org.junit.jupiter.api.Assumptions.assumeTrue(chattr("+i", d) == 0, "chattr +i, to make a directory root may not write in");
                    }
                }
                // its dry run said 'would delete 1 backups' (exit 0): it asks the file system now, deleting nothing, and says the same
                for (String[] args : new String[][]{{"backups", "prune", "--org", "acme", "--keep-last", "1", "--keep-daily", "0", "--dry-run"},
                        {"backups", "prune", "--org", "acme", "--keep-last", "1", "--keep-daily", "0", "--dry-run", "-o", "json"},
                        {"backups", "prune", "--org", "acme", "--keep-last", "1", "--keep-daily", "0"},
                        {"backups", "prune", "--org", "acme", "--keep-last", "1", "--keep-daily", "0", "-o", "json"}}) {
                    Cli.Result r = f.cli.run(args);
                    boolean json = List.of(args).contains("json");
                    boolean dry = List.of(args).contains("--dry-run");
                    assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
                    String said = json ? CliFixture.strictJson(r).get("error").get("message").asText() : r.err().strip();
                    assertThat(said.lines().count()).as("one line: " + r).isEqualTo(1);
                    assertThat(said).as(r.toString()).contains(dry ? "dry run: backups prune would delete nothing: the store refuses the one "
                                    + "backup it would delete" : "backups prune deleted nothing: the store refused the one backup it was to delete")
                            .contains("cannot delete acme/" + old + "/ in " + f.storeDir.toUri())
                            .contains("give the user tenantctl runs as write access to " + f.storeDir).endsWith("then prune again")
                            .doesNotContain("were pruned");
                    if (!json) {
                        assertThat(r.out()).as("no table claiming deletions: " + r).isEmpty();
                    }
                }
                assertThat(CliFixture.strictJson(CliFixture.ok(f.cli, "backups", "list", "--org", "acme", "-o", "json")).get("backups")
                        .findValuesAsText("status")).as("both backups still there, complete").containsExactly("complete", "complete");

                // beta's may go: the dry run says acme's delete fails and beta's would go (exit 1), as the prune then does
                Cli.Result dry = f.cli.run("backups", "prune", "--keep-last", "1", "--keep-daily", "0", "--dry-run", "-o", "json");
                assertThat(dry.exitCode()).as(dry.toString()).isEqualTo(1);
                com.fasterxml.jackson.databind.JsonNode planned = CliFixture.strictJson(dry);
                assertThat(planned.get("would_delete").asInt()).as(dry.toString()).isEqualTo(1);
                assertThat(planned.get("failed").asInt()).as(dry.toString()).isEqualTo(1);
                Map<String, com.fasterxml.jackson.databind.JsonNode> decided = new java.util.HashMap<>();
                planned.get("decisions").forEach(d -> decided.put(d.get("backup_id").asText(), d));
                assertThat(decided.get(betaOld).get("action").asText()).as(dry.toString()).isEqualTo("would_delete");
                assertThat(decided.get(old).get("action").asText()).as(dry.toString()).isEqualTo("failed");
                assertThat(decided.get(old).get("reason").asText()).as(dry.toString()).startsWith("the prune could not delete it: cannot delete acme/"
                        + old + "/ in " + f.storeDir.toUri());
                Cli.Result dryText = f.cli.run("backups", "prune", "--keep-last", "1", "--keep-daily", "0", "--dry-run");
                assertThat(dryText.exitCode()).as(dryText.toString()).isEqualTo(1);
                assertThat(dryText.out()).as(dryText.toString()).contains("dry run: would delete 1 backup, kept 2, failed 1");
                assertThat(dryText.err().strip()).as(dryText.toString()).startsWith("error: the store would refuse the prune's delete of 1 backup")
                        .doesNotContain("were pruned");
                Cli.Result real = f.cli.run("backups", "prune", "--keep-last", "1", "--keep-daily", "0", "-o", "json");
                assertThat(real.exitCode()).as(real.toString()).isEqualTo(1);
                assertThat(CliFixture.strictJson(real).get("deleted").asInt()).as(real.toString()).isEqualTo(1);
                assertThat(CliFixture.strictJson(real).get("failed").asInt()).as(real.toString()).isEqualTo(1);
            } finally {
                for (Path d : refusing) {
                    chattr("-i", d);
                    java.nio.file.Files.setPosixFilePermissions(d, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
                }
            }
            assertThat(CliFixture.strictJson(CliFixture.ok(f.cli, "backups", "prune", "--keep-last", "1", "--keep-daily", "0",
                    "-o", "json")).get("deleted").asInt()).as("once it may delete there, the same prune prunes").isEqualTo(1);
        }
    }

    /**
     * A prune of a backup whose own folder may be written in but not the org's folder above it (immutable, or another user's):
     * the store deleted its manifest.json and its files, then failed removing its folder, and the prune said it could not
     * delete the backup, the catalog still recording it complete and 'backups list' showing it incomplete — its data gone.
     * The prune asks the file system first now: that backup is refused with nothing of it deleted, one line (exit 3) naming
     * the folder and who needs write access; still complete, listed complete, its manifest and files where they were.
     */
    @Test
    void aPruneWhoseOrgFolderCannotBeWrittenDeletesNothingOfTheBackupAndSaysWhichFolder() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            String old = f.backups("acme", 2).get(0);
            Path folder = f.storeDir.resolve("acme");
            List<String> files;
            try (var listed = java.nio.file.Files.list(folder.resolve(old))) {
                files = listed.map(p -> p.getFileName().toString()).sorted().toList();
            }
            try {
                java.nio.file.Files.setPosixFilePermissions(folder, java.nio.file.attribute.PosixFilePermissions.fromString("r-xr-xr-x"));
                if (!refuses(folder)) { // root: chmod does not refuse it, an immutable directory does
                    org.junit.jupiter.api.Assumptions.assumeTrue(chattr("+i", folder) == 0, "chattr +i, to make a directory root may not write in");
                }
                Cli.Result r = f.cli.run("backups", "prune", "--org", "acme", "--keep-last", "1", "--keep-daily", "0", "-o", "json");
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
                String said = CliFixture.strictJson(r).get("error").get("message").asText();
                assertThat(said.lines().count()).as("one line: " + r).isEqualTo(1);
                assertThat(said).as(r.toString()).contains("backups prune deleted nothing")
                        .contains("cannot delete acme/" + old + "/ in " + f.storeDir.toUri()).contains(folder.toString())
                        .contains("give the user tenantctl runs as write access to " + f.storeDir).doesNotContain("manifest.json");
                try (var listed = java.nio.file.Files.list(folder.resolve(old))) {
                    assertThat(listed.map(p -> p.getFileName().toString()).sorted().toList()).as("nothing of it deleted").isEqualTo(files);
                }
                assertThat(CliFixture.strictJson(CliFixture.ok(f.cli, "backups", "list", "--org", "acme", "-o", "json")).get("backups")
                        .findValuesAsText("status")).as("both backups still there, complete").containsExactly("complete", "complete");
            } finally {
                chattr("-i", folder);
                java.nio.file.Files.setPosixFilePermissions(folder, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            }
        }
    }

    /**
     * A file:// store whose root tenantctl may write in but not the org's folder an earlier backup made (as another user, or
     * immutable): orgs delete --dry-run said acme 'would get a final backup' (exit 0), and the delete then froze the org,
     * recorded a run and failed its final backup there (exit 1). Both are refused up front now, exit 3, one line naming the
     * store and the folder, no run recorded, acme as it was; once it may write there the dry run plans the backup again.
     */
    @Test
    void aDeleteWhoseOrgFolderCannotBeWrittenIsRefusedByItsDryRunAsByItself() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.backups("acme", 1);
            Path folder = f.storeDir.resolve("acme");
            String runs = "select count(*) from runs";
            long recorded = CliFixture.count(f.catalogUrl, runs);
            try {
                java.nio.file.Files.setPosixFilePermissions(folder, java.nio.file.attribute.PosixFilePermissions.fromString("r-xr-xr-x"));
                if (!refuses(folder)) { // root: chmod does not refuse it, an immutable directory does
                    org.junit.jupiter.api.Assumptions.assumeTrue(chattr("+i", folder) == 0, "chattr +i, to make a directory root may not write in");
                }
                for (String[] args : new String[][]{{"orgs", "delete", "acme", "--dry-run"}, {"orgs", "delete", "acme"}}) {
                    Cli.Result r = f.cli.run(args);
                    assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
                    assertThat(r.err().strip().lines().count()).as("one line: " + r).isEqualTo(1);
                    assertThat(r.err()).as(r.toString()).contains("store " + f.storeDir.toUri() + " cannot be written under acme/")
                            .contains("give the user tenantctl runs as write access to " + f.storeDir);
                    assertThat(r.out()).as(r.toString()).isEmpty();
                }
                assertThat(CliFixture.count(f.catalogUrl, runs)).as("no run recorded").isEqualTo(recorded);
                assertThat(f.org("acme").get("status").asText()).isEqualTo("active");
            } finally {
                chattr("-i", folder);
                java.nio.file.Files.setPosixFilePermissions(folder, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            }
            assertThat(CliFixture.ok(f.cli, "orgs", "delete", "acme", "--dry-run").out()).contains("would get a final backup");
        }
    }

    /**
     * The same store for backup itself: 'backup --org acme --dry-run' planned acme's backup (exit 0) and the backup recorded a
     * run and a backup and failed it there late ('cannot create acme/ID/…'); with --org acme,globex it backed globex up and
     * failed acme partway. Named orgs are refused up front now as delete is (exit 3, one line, no run recorded); a fleet run
     * (--all) fails acme as its own item saying why, its dry run says so, globex backed up, no backup of acme recorded; its
     * --resume, retrying acme, fails it alike, where the worker recorded a backup and failed it late.
     */
    @Test
    void aBackupWhoseOrgFolderCannotBeWrittenIsRefusedForNamedOrgsAndFailsThatOrgOfAFleet() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "globex");
            f.backups("acme", 1);
            Path folder = f.storeDir.resolve("acme");
            String runs = "select count(*) from runs", acmeBackups = "select count(*) from backups where org_id = 'acme'";
            long recorded = CliFixture.count(f.catalogUrl, runs);
            String refused = "store " + f.storeDir.toUri() + " cannot be written under acme/";
            try {
                java.nio.file.Files.setPosixFilePermissions(folder, java.nio.file.attribute.PosixFilePermissions.fromString("r-xr-xr-x"));
                if (!refuses(folder)) { // root: chmod does not refuse it, an immutable directory does
                    org.junit.jupiter.api.Assumptions.assumeTrue(chattr("+i", folder) == 0, "chattr +i, to make a directory root may not write in");
                }
                for (String[] args : new String[][]{{"backup", "--org", "acme", "--dry-run"}, {"backup", "--org", "globex,acme"}}) {
                    Cli.Result r = f.cli.run(args);
                    assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
                    assertThat(r.err().strip().lines().count()).as("one line: " + r).isEqualTo(1);
                    assertThat(r.err()).as(r.toString()).contains(refused).contains("give the user tenantctl runs as write access to " + f.storeDir);
                    assertThat(r.out()).as(r.toString()).isEmpty();
                }
                assertThat(CliFixture.count(f.catalogUrl, runs)).as("no run recorded").isEqualTo(recorded);
                assertThat(CliFixture.count(f.catalogUrl, acmeBackups)).isEqualTo(1);

                String runId = null;
                for (String[] args : new String[][]{{"backup", "--all", "--dry-run", "-o", "json"}, {"backup", "--all", "-o", "json"}, null}) {
                    Cli.Result r = args != null ? f.cli.run(args) : f.cli.run("backup", "--resume", runId, "-o", "json"); // a worker retries acme
                    runId = CliFixture.strictJson(r).path("run_id").asText(null);
                    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
                    Map<String, com.fasterxml.jackson.databind.JsonNode> orgs = new java.util.TreeMap<>();
                    CliFixture.strictJson(r).get("orgs").forEach(o -> orgs.put(o.get("org_id").asText(), o));
                    assertThat(orgs.get("acme").get("outcome").asText()).as(r.toString()).isEqualTo("failed");
                    assertThat(orgs.get("acme").get("error").asText()).as(r.toString()).contains(refused);
                    assertThat(orgs.get("globex").get("outcome").asText()).as(r.toString()).isEqualTo(args != null && args.length == 5 ? "planned" : "backed_up");
                    // its next step was 'tenantctl backup --org acme', which fails the same way: the access to give first, then that backup
                    com.fasterxml.jackson.databind.JsonNode failed = CliFixture.strictJson(r).get("failed").get(0);
                    assertThat(failed.get("org_id").asText()).as(r.toString()).isEqualTo("acme");
                    assertThat(failed.get("next_step").isNull()).as("a hand first: no command to paste " + r).isTrue();
                    assertThat(failed.get("next_note").asText()).as(r.toString()).startsWith("give the user tenantctl runs as write access to org acme's folder")
                            .contains("then: tenantctl backup " + (args == null ? "--resume" : "--org acme"));
                }
                Cli.Result text = f.cli.run("backup", "--all");
                assertThat(text.exitCode()).as(text.toString()).isEqualTo(1);
                assertThat(text.err()).as(text.toString()).contains("next: give the user tenantctl runs as write access to org acme's folder")
                        .contains("then: tenantctl backup --org acme").doesNotContain("next: tenantctl backup");
                assertThat(CliFixture.count(f.catalogUrl, acmeBackups)).as("no backup of acme recorded").isEqualTo(1);

                // that next step went by the error's wording (" cannot be written under "): an error worded otherwise named the
                // backup that fails alike again; it goes by what the item recorded ("store_refuses_writes": true in its detail)
                String textRun = text.out().lines().filter(l -> l.startsWith("run ")).findFirst().orElseThrow().split(" ")[1].replace(":", "");
                CliFixture.sql(f.catalogUrl, "update run_items set error = 'the store will not take acme''s files (reworded)' where run_id = '"
                        + textRun + "' and org_id = 'acme'");
                Cli.Result joined = f.cli.run("backup", "--join", textRun, "-o", "json"); // the run is over: only reported
                assertThat(joined.exitCode()).as(joined.toString()).isEqualTo(1);
                com.fasterxml.jackson.databind.JsonNode reworded = CliFixture.strictJson(joined).get("failed").get(0);
                assertThat(reworded.get("error").asText()).as(joined.toString()).isEqualTo("the store will not take acme's files (reworded)");
                assertThat(reworded.get("next_step").isNull()).as("a hand first: no command to paste " + joined).isTrue();
                assertThat(reworded.get("next_note").asText()).as(joined.toString()).startsWith("give the user tenantctl runs as write access to org acme's folder");
            } finally {
                chattr("-i", folder);
                java.nio.file.Files.setPosixFilePermissions(folder, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            }
            assertThat(CliFixture.ok(f.cli, "backup", "--org", "acme", "--dry-run").out()).contains("1 org would be backed up");
        }
    }

    /** Whether this process may not create a file in {@code dir}. */
    private static boolean refuses(Path dir) {
        try {
            java.nio.file.Files.delete(java.nio.file.Files.createFile(dir.resolve(".probe")));
            return false;
        } catch (java.io.IOException e) {
            return true;
        }
    }

    /** chattr {@code flag} {@code path}: its exit code, -1 where there is no chattr. */
    private static int chattr(String flag, Path path) {
        try {
            return new ProcessBuilder("chattr", flag, path.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        } catch (java.io.IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /**
     * An S3 store whose key may read the bucket but not write it (or whose bucket policy denies writes) passed the dry runs'
     * check, a listing: {@code backup --dry-run} planned the backup and {@code orgs delete --dry-run} said acme would get its
     * final backup there (exit 0), and the backup itself recorded a run that stopped at its first org. They start an upload
     * and abort it now: refused, exit 3 before any run, one line naming the bucket and prefix and what to allow; allowed,
     * they plan as before and leave nothing in the bucket, no object and no upload.
     */
    @Test
    void anS3StoreThatRefusesWritesIsRefusedByTheDryRunsWhichLeaveNothingThere() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean readOnly = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicBoolean full = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicReference<org.jclouds.blobstore.BlobStore> memory = new java.util.concurrent.atomic.AtomicReference<>();
        List<String> started = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (S3ProxyFixture s3 = S3ProxyFixture.start(real -> {
            memory.set(real);
            return HookedBlobStore.onCall(real, (call, key) -> {
                if (call.equals("initiate")) {
                    started.add(key);
                }
                if (readOnly.get() && List.of("put", "initiate", "part", "complete").contains(call)) { // a read-only key's 403
                    throw new org.jclouds.rest.AuthorizationException("s3:PutObject denied (test)");
                }
                if (full.get() && call.equals("initiate")) { // MinIO's answer once its disks are full
                    throw new org.jclouds.http.HttpResponseException("storage full (test)", null,
                            org.jclouds.http.HttpResponse.builder().statusCode(507).build());
                }
            });
        })) {
            String bucket = s3.newBucket();
            Map<String, String> env = new java.util.HashMap<>(s3.env());
            env.put("TENANTCTL_STORE", "s3://" + bucket + "/fleet");
            try (BackupFixture f = new BackupFixture(1, dir, env)) {
                f.provision("acme");
                for (String[] args : new String[][]{{"backup", "--org", "acme", "--dry-run"}, {"orgs", "delete", "acme", "--dry-run"},
                        {"backup", "--org", "acme"}}) {
                    Cli.Result r = f.cli.run(args);
                    assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
                    assertThat(r.err().strip().lines().count()).as("one line: " + r).isEqualTo(1);
                    assertThat(r.err()).as(r.toString()).contains("store s3://" + bucket + "/fleet at ").contains("cannot be written")
                            .contains("AccessDenied").contains("s3:PutObject on arn:aws:s3:::" + bucket + "/fleet/*")
                            .doesNotContain(S3ProxyFixture.SECRET_KEY);
                }
                assertThat(CliFixture.strictJson(CliFixture.ok(f.cli, "runs", "list", "-o", "json")).toString())
                        .as("no run was started").doesNotContain("\"backup\"");
                assertThat(f.org("acme").get("status").asText()).isEqualTo("active");

                readOnly.set(false);
                full.set(true); // a full store is said to be full, as the backup's first upload says it, not "overloaded; try again later"
                Cli.Result refused = f.cli.run("backup", "--org", "acme", "--dry-run");
                assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(3);
                assertThat(refused.err().strip().lines().count()).as("one line: " + refused).isEqualTo(1);
                assertThat(refused.err()).as(refused.toString()).contains("s3://" + bucket + "/fleet").contains("(HTTP 507)")
                        .contains("the store is full").contains("tenantctl backups prune").doesNotContain("try again later");

                full.set(false); // the key may write: both dry runs plan, each having proven it
                started.clear();
                assertThat(CliFixture.ok(f.cli, "orgs", "delete", "acme", "--dry-run").out()).contains("would get a final backup");
                assertThat(CliFixture.ok(f.cli, "backup", "--org", "acme", "--dry-run").out()).contains("acme");
                assertThat(started).as("each dry run started an upload").containsExactly("fleet/tenantctl-store-probe/write-check",
                        "fleet/tenantctl-store-probe/write-check");
                // S3Proxy lists no multipart uploads: its memory holds each one's stub until the upload is completed or aborted
                assertThat(memory.get().list(bucket, org.jclouds.blobstore.options.ListContainerOptions.Builder.recursive()))
                        .as("no object and no upload left in the bucket").isEmpty();
            }
        }
    }

    /**
     * A real {@code orgs delete} on an S3 store whose key may read the bucket but not write it opened the store without its
     * write check (the S3 one only ran for the dry runs and backup): it froze the org, read its database, recorded a backup
     * run and only found out when the final backup's upload was refused. It is refused up front now, as its dry run is:
     * exit 3, the one line naming the bucket, prefix and s3:PutObject, no run, the org as it was. A restore, which only
     * reads the store, works with that key. A prune with it failed each backup it was to delete with the 403 and said
     * 'deleted 0 backups, kept 3, failed 2' and 'the others were pruned' (exit 1): it is one line now, exit 3, naming
     * s3:DeleteObject, nothing deleted.
     */
    @Test
    void anS3StoreThatRefusesWritesRefusesARealDeleteUpFrontAndAPruneInOneLineAndStillRestores() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean readOnly = new java.util.concurrent.atomic.AtomicBoolean();
        try (S3ProxyFixture s3 = S3ProxyFixture.start(real -> HookedBlobStore.onCall(real, (call, key) -> {
            if (readOnly.get() && List.of("put", "initiate", "part", "complete", "delete").contains(call)) { // a read-only key's 403
                throw new org.jclouds.rest.AuthorizationException("s3:PutObject denied (test)");
            }
        }))) {
            String bucket = s3.newBucket();
            Map<String, String> env = new java.util.HashMap<>(s3.env());
            env.put("TENANTCTL_STORE", "s3://" + bucket + "/fleet");
            try (BackupFixture f = new BackupFixture(1, dir, env)) {
                f.provision("acme");
                f.seedNotes("acme", 20);
                Map<String, List<org.bson.RawBsonDocument>> documents = BackupFixture.contents(f.db("acme"));
                List<String> taken = f.backups("acme", 2);
                String runs = "select count(*) from runs";
                long recorded = CliFixture.count(f.catalogUrl, runs);

                readOnly.set(true);
                for (String[] args : new String[][]{{"orgs", "delete", "acme"}, {"orgs", "delete", "acme", "-o", "json"}}) {
                    Cli.Result r = f.cli.run(args);
                    assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
                    String said = args.length > 3 ? CliFixture.strictJson(r).get("error").get("message").asText() : r.err().strip();
                    assertThat(said.lines().count()).as("one line: " + r).isEqualTo(1);
                    assertThat(said).as(r.toString()).contains("store s3://" + bucket + "/fleet at ").contains("cannot be written")
                            .contains("AccessDenied").contains("s3:PutObject on arn:aws:s3:::" + bucket + "/fleet/*")
                            .doesNotContain(S3ProxyFixture.SECRET_KEY);
                }
                assertThat(CliFixture.count(f.catalogUrl, runs)).as("no run recorded").isEqualTo(recorded);
                assertThat(CliFixture.strictJson(CliFixture.ok(f.cli, "backups", "list", "--org", "acme", "-o", "json")).get("backups")
                        .findValuesAsText("backup_id")).as("no backup recorded, none failed").containsExactlyInAnyOrderElementsOf(taken);
                f.assertHolds("acme", documents); // active, on its own database, every document there

                // a restore only reads the store: the read-only key restores the org
                CliFixture.ok(f.cli, "restore", "--org", "acme");
                f.assertHolds("acme", documents);

                // a prune it may not delete in: one line, not every backup 'failed' above 'deleted 0 … the others were pruned'; its
                // dry run said 'would delete 1 backups' (exit 0): it deletes a key that does not exist now, refused alike
                for (String[] args : new String[][]{{"backups", "prune", "--keep-last", "1", "--keep-daily", "0", "--dry-run"},
                        {"backups", "prune", "--keep-last", "1", "--keep-daily", "0", "--dry-run", "-o", "json"},
                        {"backups", "prune", "--keep-last", "1", "--keep-daily", "0"},
                        {"backups", "prune", "--keep-last", "1", "--keep-daily", "0", "-o", "json"}}) {
                    Cli.Result r = f.cli.run(args);
                    boolean json = List.of(args).contains("json");
                    assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
                    String said = json ? CliFixture.strictJson(r).get("error").get("message").asText() : r.err().strip();
                    assertThat(said.lines().count()).as("one line: " + r).isEqualTo(1);
                    assertThat(said).as(r.toString()).contains(List.of(args).contains("--dry-run") ? "dry run: backups prune would delete nothing"
                                    : "backups prune deleted nothing").contains("s3://" + bucket + "/fleet")
                            .contains("AccessDenied").contains("s3:DeleteObject on arn:aws:s3:::" + bucket + "/fleet/*")
                            .doesNotContain("were pruned").doesNotContain(S3ProxyFixture.SECRET_KEY);
                    if (!json) {
                        assertThat(r.out()).as("no table claiming deletions: " + r).isEmpty();
                    }
                }
                assertThat(CliFixture.strictJson(CliFixture.ok(f.cli, "backups", "list", "--org", "acme", "-o", "json")).get("backups")
                        .findValuesAsText("status")).as("both backups still there, complete").containsExactly("complete", "complete");
                readOnly.set(false); // once the key may delete, the dry run plans the delete and the same prune prunes
                assertThat(CliFixture.strictJson(CliFixture.ok(f.cli, "backups", "prune", "--keep-last", "1", "--keep-daily", "0",
                        "--dry-run", "-o", "json")).get("would_delete").asInt()).isEqualTo(1);
                assertThat(CliFixture.strictJson(CliFixture.ok(f.cli, "backups", "prune", "--keep-last", "1", "--keep-daily", "0",
                        "-o", "json")).get("deleted").asInt()).isEqualTo(1);
            }
        }
    }

    /**
     * A file store whose directory is gone (a volume not mounted) while the catalog records backups written there: every
     * form of backup used to make the directory anew on the disk under it and write there (exit 0), filling the wrong disk
     * and splitting the org's backups in two. It is exit 3 and verify's one line before any run is recorded or any
     * directory made (orgs delete's final backup too); a run recorded before waits for the volume; a store directory
     * nothing was written in is made.
     */
    @Test
    void aFileStoreWhoseDirectoryIsGoneWhileBackupsAreRecordedThereIsExit3BeforeAnyRun() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "beta");
            f.backup("acme");
            String runId = CliFixture.strictJson(CliFixture.ok(f.cli, "backup", "--org", "beta", "--detach", "-o", "json"))
                    .get("run_id").asText();
            Path mounted = dir.resolve("volume");
            java.nio.file.Files.move(f.storeDir, mounted); // unmounted: the store's directory is gone
            String runs = "select count(*) from runs where verb = 'backup'";
            long recorded = CliFixture.count(f.catalogUrl, runs);

            for (String[] args : new String[][]{{"backup", "--org", "acme"}, {"backup", "--all"}, {"backup", "--pool", "pool-0"},
                    {"backup", "--due"}, {"backup", "--org", "acme", "--dry-run"}, {"backup", "--join", runId}, {"backup", "--resume", runId}}) {
                Cli.Result r = f.cli.run(args);
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
                assertThat(r.err().strip().lines().count()).as("one line: " + r).isEqualTo(1);
                assertThat(r.err()).contains("store " + f.storeDir.toUri().toString().replaceAll("/$", "") + " does not exist")
                        .contains("1 complete backup of 1 org").contains("mount");
                assertThat(f.storeDir).as("no directory made on the disk under the volume: " + r).doesNotExist();
            }
            // no selection is the usage error (exit 2) it always was: it comes before the store is checked
            for (String[] args : new String[][]{{"backup"}, {"backup", "--dry-run"}, {"backup", "--freeze", "-o", "json"}}) {
                Cli.Result r = f.cli.run(args);
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
                assertThat(r.out() + r.err()).as(r.toString()).contains("choose what to back up").doesNotContain("does not exist");
                assertThat(f.storeDir).as("no directory made: " + r).doesNotExist();
            }
            // two selections (a cron's 'backup --due --org acme'): said as the two that do not go together, not "choose"
            for (String[] args : new String[][]{{"backup", "--due", "--org", "acme"}, {"backup", "--all", "--pool", "pool-0", "-o", "json"}}) {
                Cli.Result r = f.cli.run(args);
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
                assertThat(r.err().strip().lines().count()).as("one line: " + r).isEqualTo(1);
                assertThat(r.err()).as(r.toString()).contains(args[1].equals("--due") ? "--org and --due do not go together" : "--all and --pool do not go"
                        + " together").doesNotContain("choose");
            }
            for (String[] args : new String[][]{{"orgs", "delete", "acme"}, {"orgs", "delete", "acme", "--dry-run"}}) {
                Cli.Result r = f.cli.run(args); // its final backup as well: not written on the wrong disk
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
                assertThat(r.err().strip().lines().count()).as("one line: " + r).isEqualTo(1);
                assertThat(r.err()).contains("does not exist").contains("1 complete backup of 1 org").contains("mount");
                assertThat(f.storeDir).as("no directory made on the disk under the volume: " + r).doesNotExist();
            }
            assertThat(f.org("acme").get("status").asText()).as("the refused delete left acme as it was").isEqualTo("active");
            Cli.Result json = f.cli.run("backup", "--all", "-o", "json");
            assertThat(json.exitCode()).as(json.toString()).isEqualTo(3);
            assertThat(CliFixture.strictJson(json).toString()).contains("does not exist");
            assertThat(CliFixture.count(f.catalogUrl, runs)).as("no run recorded").isEqualTo(recorded);
            assertThat(CliFixture.count(f.catalogUrl, "select count(*) from run_items where run_id = '" + runId + "' and status = 'pending'"))
                    .as("the detached run's org left for it").isEqualTo(1);

            // the first backup into a directory no backup was recorded in makes it
            Path fresh = dir.resolve("fresh");
            assertThat(CliFixture.ok(f.cli, "backup", "--org", "acme", "--store", fresh.toUri().toString()).exitCode()).isZero();
            assertThat(fresh).isDirectory();

            java.nio.file.Files.move(mounted, f.storeDir); // mounted again: the run's worker backs beta up there
            assertThat(CliFixture.strictJson(CliFixture.ok(f.cli, "backup", "--join", runId, "-o", "json")).get("backed_up").asInt())
                    .isEqualTo(1);
        }
    }

    /**
     * zstd-jni unpacks its native library into java.io.tmpdir and loads it from there: in a container whose /tmp is
     * missing, read-only or noexec, every zstd backup used to fail its org with "unexpected IllegalStateException …
     * UnsatisfiedLinkError" (exit 1, a Kubernetes Job retrying in vain). It is a config error before any run, naming
     * the directory and the way out; gzip, which needs nothing there, still works in that process.
     */
    @Test
    void zstdThatCannotLoadItsNativeLibraryIsAConfigErrorBeforeAnyRun() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            Map<String, String> env = Map.of("TENANTCTL_CATALOG_URL", f.catalogUrl, "USER", "test",
                    "TENANTCTL_STORE", f.storeDir.toUri().toString());
            List<String> noTmp = List.of("-Xmx256m", "-Djava.io.tmpdir=" + dir.resolve("no-such-dir"));

            ChildJvm.Exit zstd = ChildJvm.run(dir.resolve("zstd"), env, 120, noTmp, Main.class.getName(), "backup", "--org", "acme");

            assertThat(zstd.code()).as(zstd.err()).isEqualTo(3);
            // the JVM's own line (JDK 23 and later warn of a missing java.io.tmpdir) is not tenantctl's to count
            assertThat(zstd.err().strip().lines().filter(l -> !l.equals("WARNING: java.io.tmpdir directory does not exist")).toList())
                    .as(zstd.err()).singleElement().asString()
                    .startsWith("error: zstd cannot run here").contains(dir.resolve("no-such-dir").toString()).contains("--compression gzip");
            assertThat(CliFixture.strictJson(CliFixture.ok(f.cli, "runs", "list", "-o", "json")).toString())
                    .as("no run was started").doesNotContain("\"backup\"");

            ChildJvm.Exit gzip = ChildJvm.run(dir.resolve("gzip"), env, 120, noTmp, Main.class.getName(), "backup", "--org", "acme",
                    "--compression", "gzip");
            assertThat(gzip.code()).as(gzip.err()).isZero();
        }
    }
}
