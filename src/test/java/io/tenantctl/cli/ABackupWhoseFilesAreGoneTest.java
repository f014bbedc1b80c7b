package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tenantctl.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.tenantctl.cli.CliFixture.ok;
import static io.tenantctl.cli.CliFixture.strictJson;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Found by a probing helper: a newest backup whose files were deleted from the store was reported by {@code verify
 * --deep} and {@code restore}, but not recorded as damaged as a corrupt one is — so {@code backup --due} never took the
 * org again (it had no restorable backup and was "not due" for a week), and {@code orgs purge} dropped a deleted org's
 * database, the only copy of its data left. And restore's "restore an older one" advice dropped {@code --to-org}: pasted,
 * it rolled the live org back instead of making the copy asked for.
 */
class ABackupWhoseFilesAreGoneTest {

    @TempDir
    Path dir;

    @Test
    void anOrgWhoseNewestBackupIsGoneIsDueAgain() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 10);
            String only = f.backup("acme");
            assertThat(due(f)).isEmpty();
            f.removeFromStore("acme", only);

            assertThat(f.cli.run("verify", "--deep", "--org", "acme").exitCode()).isEqualTo(4);
            assertThat(due(f)).as("no restorable backup: the nightly --due must take it").containsExactly("acme");
            JsonNode listed = strictJson(ok(f.cli, "backups", "list", "--org", "acme", "-o", "json"));
            assertThat(listed.toString()).contains("damaged: recorded complete, but its files are gone from the store");

            Cli.Result restore = f.cli.run("restore", "--org", "acme", "--to-org", "acme-copy");
            assertThat(restore.exitCode()).as(restore.toString()).isEqualTo(1);
            assertThat(restore.err()).contains("files are gone").contains("org acme has no older complete backup")
                    .doesNotContain("restore an older one");

            ok(f.cli, "backup", "--due");
            assertThat(due(f)).isEmpty();
        }
    }

    @Test
    void purgeKeepsADeletedOrgsDatabaseWhenItsFinalBackupIsGone() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 20);
            String finalBackup = strictJson(ok(f.cli, "orgs", "delete", "acme", "-o", "json")).get("backup_id").asText();
            f.removeFromStore("acme", finalBackup);
            assertThat(f.cli.run("restore", "--org", "acme", "--to-org", "acme-back").exitCode()).isEqualTo(1); // found gone

            Cli.Result purge = f.cli.run("orgs", "purge", "--older-than", "0", "-o", "json");
            JsonNode item = strictJson(purge).get("orgs").get(0);
            assertThat(item.get("action").asText()).as(purge.toString()).isEqualTo("kept");
            assertThat(item.get("detail").asText()).contains("its newest backup " + finalBackup + " was found damaged");
            assertThat(f.databaseNames("pool-0")).as("the only copy of acme").contains("org_acme");
            assertThat(f.db("acme").getCollection("notes").countDocuments()).isEqualTo(20);
        }
    }

    /**
     * A deleted org's newest backup gone from the store: prune's reason and show's next step said "take a fresh backup
     * (tenantctl backup --org ORG), then forget it", which backup refuses for a deleted org and forget refuses too.
     */
    @Test
    void aDeletedOrgsNewestBackupGoneNamesNoFreshBackup() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 5);
            String finalBackup = strictJson(ok(f.cli, "orgs", "delete", "acme", "-o", "json")).get("backup_id").asText();
            ok(f.cli, "orgs", "purge", "--older-than", "0");
            assertThat(f.org("acme").get("status").asText()).isEqualTo("deleted");
            f.removeFromStore("acme", finalBackup);

            assertThat(keptBecause(f, finalBackup)).contains("org acme is deleted: nothing newer can replace it")
                    .doesNotContain("tenantctl backup --org");
            Cli.Result show = f.cli.run("backups", "show", finalBackup);
            assertThat(show.exitCode()).as(show.toString()).isEqualTo(4);
            assertThat(show.out()).as(show.toString()).containsPattern("next: +org acme is deleted: nothing newer can replace it")
                    .doesNotContain("tenantctl backup --org");
            JsonNode json = strictJson(f.cli.run("backups", "show", finalBackup, "-o", "json"));
            assertThat(json.get("next_step").isNull()).as(json.toString()).isTrue();
            assertThat(json.get("next_note").asText()).contains("is deleted");
            Cli.Result forget = f.cli.run("backups", "forget", finalBackup);
            assertThat(forget.exitCode()).as("forget refuses it, as the step says").isEqualTo(2);
            assertThat(f.cli.run("backup", "--org", "acme").exitCode()).as("and backup takes the org no more").isNotZero();
        }
    }

    @Test
    void theAdviceToRestoreAnOlderBackupKeepsTheRestoreAsItWasGiven() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 20);
            String older = f.backup("acme");
            f.notes("acme", "more", 5);
            String newest = f.backup("acme");
            Files.delete(f.files("acme", newest).entrySet().stream().filter(e -> e.getKey().startsWith("notes."))
                    .map(java.util.Map.Entry::getValue).findFirst().orElseThrow());

            Cli.Result refused = f.cli.run("restore", "--org", "acme", "--to-org", "acme-copy");
            assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
            String advice = "tenantctl restore --org acme --backup " + older + " --to-org acme-copy";
            assertThat(refused.err()).contains(newest).contains(advice);
            Cli.Result dry = f.cli.run("restore", "--org", "acme", "--to-org", "acme-copy", "--dry-run");
            assertThat(dry.exitCode()).as(dry.toString()).isEqualTo(1);
            assertThat(dry.err()).contains(advice);

            String pasted = refused.err().substring(refused.err().indexOf(advice) + "tenantctl ".length(),
                    refused.err().indexOf(advice) + advice.length());
            ok(f.cli, pasted.split(" "));
            assertThat(f.db("acme-copy").getCollection("notes").countDocuments()).isEqualTo(20);
            assertThat(f.db("acme").getCollection("more").countDocuments()).as("the live org is not rolled back").isEqualTo(5);
            assertThat(f.org("acme").get("database_name").asText()).isEqualTo("org_acme");
        }
    }

    /**
     * Found by a helper: a backup recorded complete whose files someone (or a lifecycle rule) deleted from the store was
     * kept by every prune for ever ("recorded complete but not in the store: check the store"), and no command forgot it
     * short of SQL. {@code backups forget ID} forgets it once the store has none of it — refused for one that is there and
     * for the org's newest (restore's record that nothing newer exists) until a fresh backup replaces it — and prune and
     * verify name it as the next step.
     */
    @Test
    void aBackupGoneFromTheStoreIsForgottenAndPruneSaysSoNoMore() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.notes("acme", "notes", 10);
            String old = f.backup("acme");
            String newer = f.backup("acme");
            f.removeFromStore("acme", old);
            assertThat(keptBecause(f, old)).contains("not in the store").contains("tenantctl backups forget " + old);

            Cli.Result there = f.cli.run("backups", "forget", newer);
            assertThat(there.exitCode()).as(there.toString()).isEqualTo(2);
            assertThat(there.err()).contains("backup " + newer + " of org acme is in the store").contains("not forgotten");
            JsonNode dry = strictJson(ok(f.cli, "backups", "forget", old, "--dry-run", "-o", "json"));
            assertThat(dry.get("forgotten").asBoolean()).isFalse();
            assertThat(keptBecause(f, old)).as("a dry run changes nothing").contains("not in the store");
            f.heldBy("acme", "restore"); // a restore at work on the org reads its backups
            BackupFixture.refusedAsBusy(f.cli.run("backups", "forget", old, "-o", "json"), "acme", "restore");
            io.tenantctl.testing.TestCatalog.execute(f.catalogUrl, "delete from org_leases where org_id = 'acme'");

            assertThat(ok(f.cli, "backups", "forget", old).out()).contains("forgot backup " + old + " of org acme");
            assertThat(decided(f).findValuesAsText("backup_id")).as("the next prune is quiet about it").containsExactly(newer);
            assertThat(f.cli.run("backups", "forget", old).err()).contains("forgotten already");
            // its id pasted from an old log: show and restore said "org acme has no backup …", hiding the row kept for the audit
            for (String[] named : new String[][]{{"backups", "show", old, "-o", "json"},
                    {"restore", "--org", "acme", "--backup", old, "--dry-run", "-o", "json"}}) {
                Cli.Result r = f.cli.run(named);
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
                assertThat(strictJson(r).get("error").get("message").asText()).as(r.toString())
                        .contains("backup " + old + " of org acme was forgotten ('tenantctl backups forget' by test")
                        .contains("its catalog row is kept for the audit trail").doesNotContain("has no backup");
            }

            // the newest gone: verify's fix names the fresh backup, then the forget; forget refuses it until then
            f.removeFromStore("acme", newer);
            JsonNode corrupt = strictJson(f.cli.run("verify", "--org", "acme", "-o", "json")).get("findings").findParents("kind").stream()
                    .filter(x -> x.get("kind").asText().equals("backup_corrupt")).findFirst().orElseThrow();
            assertThat(corrupt.get("fix").asText()).isEqualTo("tenantctl backup --org acme");
            assertThat(corrupt.get("fix_note").asText()).contains("tenantctl backups forget " + newer);
            assertThat(keptBecause(f, newer)).contains("tenantctl backup --org acme").contains("tenantctl backups forget " + newer);
            Cli.Result newest = f.cli.run("backups", "forget", newer);
            assertThat(newest.exitCode()).as(newest.toString()).isEqualTo(2);
            assertThat(newest.err()).contains("newest").contains("tenantctl backup --org acme");

            String fresh = f.backup("acme");
            ok(f.cli, "backups", "forget", newer);
            assertThat(decided(f).findValuesAsText("backup_id")).containsExactly(fresh);
            assertThat(f.cli.run("verify", "--org", "acme").exitCode()).isZero();
        }
    }

    /**
     * Forty backups whose files were deleted took forty runs of {@code backups forget ID}: it takes several ids, each
     * checked as one alone is, and one refused (in the store, or its org held) stops none of the others; the lines say
     * which were forgotten and which refused, and the exit code is the worst of them.
     */
    @Test
    void severalBackupsGoneAreForgottenInOneGoAndARefusalStopsNoneOfTheOthers() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "globex");
            List<String> acme = f.backups("acme", 3);
            String a1 = acme.get(0);
            String a2 = acme.get(1);
            String a3 = acme.get(2);
            String g1 = f.backups("globex", 2).get(0);
            f.removeFromStore("acme", a1);
            f.removeFromStore("acme", a2);
            f.removeFromStore("globex", g1);
            f.heldBy("globex", "restore");

            Cli.Result dry = f.cli.run("backups", "forget", a1, a2, a3, g1, "--dry-run");
            assertThat(dry.exitCode()).as("the worst: globex held, exit 3; " + dry).isEqualTo(3);
            assertThat(dry.out()).contains("dry run: would forget backup " + a1 + " of org acme")
                    .contains("dry run: would forget backup " + a2 + " of org acme")
                    .contains("dry run: would forget 2 of 4 backups; refused 2: " + a3 + " " + g1);
            assertThat(dry.err()).contains("backup " + a3 + " of org acme is in the store").contains("backup " + g1 + ": org globex is busy: restore");
            assertThat(CliFixture.count(f.catalogUrl, "select count(*) from backups where status = 'pruned'")).as("a dry run").isZero();

            JsonNode forgot = strictJson(f.cli.run("backups", "forget", a1, a3, a2, g1, a1, "-o", "json"));
            assertThat(forgot.get("forgotten").asInt()).as(forgot.toString()).isEqualTo(2);
            assertThat(forgot.get("refused").asInt()).isEqualTo(2);
            JsonNode each = forgot.get("backups");
            assertThat(each.findValuesAsText("backup_id")).as("each once, in the order given").containsExactly(a1, a3, a2, g1);
            assertThat(each.get(0).get("forgotten").asBoolean()).isTrue();
            assertThat(each.get(1).get("error").get("code").asInt()).isEqualTo(2);
            assertThat(each.get(1).get("error").get("message").asText()).contains("is in the store");
            assertThat(each.get(2).get("forgotten").asBoolean()).as("after a refusal, the next is forgotten").isTrue();
            assertThat(each.get(3).get("error").get("code").asInt()).isEqualTo(3);
            assertThat(each.findValuesAsText("org_id")).as("a refused one names its org too, as its error does").containsExactly("acme",
                    "acme", "acme", "globex");
            assertThat(decided(f).findValuesAsText("backup_id")).as("acme's gone ones are named no more").containsExactly(a3);

            io.tenantctl.testing.TestCatalog.execute(f.catalogUrl, "delete from org_leases where org_id = 'globex'");
            Cli.Result again = f.cli.run("backups", "forget", g1, a1);
            assertThat(again.exitCode()).as(again.toString()).isEqualTo(2);
            assertThat(again.out()).contains("forgot backup " + g1 + " of org globex").contains("forgot 1 of 2 backups; refused 1: " + a1);
            assertThat(again.err()).contains("forgotten already").contains("1 of 2 backups not forgotten (" + a1 + "): each one's error "
                    + "line says why; 1 was forgotten");

            // every one refused: its last line used to say 'the others were forgotten', of none
            Cli.Result none = f.cli.run("backups", "forget", a1, a3);
            assertThat(none.exitCode()).as(none.toString()).isEqualTo(2);
            assertThat(none.out()).contains("forgot 0 of 2 backups; refused 2: " + a1 + " " + a3);
            assertThat(none.err()).contains("2 of 2 backups not forgotten (" + a1 + " " + a3 + "): each one's error line says why; none "
                    + "was forgotten").doesNotContain("the others");
            JsonNode forgottenAlready = strictJson(f.cli.run("backups", "forget", a1, a3, "-o", "json")).get("backups");
            assertThat(forgottenAlready.get(0).get("error").get("message").asText()).contains("of org acme was forgotten");
            assertThat(forgottenAlready.findValuesAsText("org_id")).as(forgottenAlready.toString()).containsExactly("acme", "acme");
        }
    }

    /**
     * The catalog lost part-way through a forget of several backups (its connection broken as the second is forgotten) went
     * on to meet the same end at each of the others, and no line said which to forget again: it stops there, exit 3, the one
     * forgotten before it listed and the forget that goes on named (the one it stopped at and those not reached); Ctrl-C
     * while it waits (--wait) for a held org stops it so too, exit 130, and that forget of the rest forgets them.
     */
    @Test
    void aForgetOfSeveralStoppedPartWayNamesWhatItForgotAndTheForgetThatGoesOn() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme", "globex");
            List<String> acme = f.backups("acme", 4);
            String g1 = f.backups("globex", 2).get(0);
            for (int i = 0; i < 3; i++) {
                f.removeFromStore("acme", acme.get(i));
            }
            f.removeFromStore("globex", g1);
            String a1 = acme.get(0);
            String a2 = acme.get(1);
            String a3 = acme.get(2);
            io.tenantctl.testing.TestCatalog.execute(f.catalogUrl, "create sequence forgets; create function lose_catalog() returns trigger "
                    + "language plpgsql as $$ begin if nextval('forgets') = 2 then raise exception 'terminating connection (test)' "
                    + "using errcode = '08006'; end if; return new; end $$; create trigger lose_catalog before update on backups "
                    + "for each row when (new.status = 'pruned') execute function lose_catalog()");

            JsonNode lost = strictJson(f.cli.run("backups", "forget", a1, a2, a3, "-o", "json"));
            assertThat(lost.get("forgotten").asInt()).as(lost.toString()).isEqualTo(1);
            assertThat(lost.get("failed").asInt()).isEqualTo(1);
            assertThat(lost.get("not_reached").asInt()).isEqualTo(1);
            assertThat(lost.get("interrupted").asBoolean()).isFalse();
            assertThat(lost.get("next").asText()).isEqualTo("tenantctl backups forget " + a2 + " " + a3);
            assertThat(lost.get("backups").get(0).get("forgotten").asBoolean()).isTrue();
            assertThat(lost.get("backups").get(1).get("error").get("message").asText()).contains("catalog unreachable");
            assertThat(lost.get("backups").get(2).get("error").get("message").asText()).contains("not looked at");
            io.tenantctl.testing.TestCatalog.execute(f.catalogUrl, "drop trigger lose_catalog on backups");
            assertThat(decided(f).findValuesAsText("backup_id")).as("a1 forgotten, a3 not reached")
                    .containsExactlyInAnyOrder(a2, a3, acme.get(3));

            f.heldBy("globex", "restore");
            io.tenantctl.fanout.CancelToken ctrlC = new io.tenantctl.fanout.CancelToken();
            Cli.Result stopped = f.cli.run(ctrlC, text -> {
                if (text.contains("waiting (--wait)")) {
                    ctrlC.cancel("interrupted");
                }
            }, "backups", "forget", a2, g1, a3, "--wait");
            assertThat(stopped.exitCode()).as(stopped.toString()).isEqualTo(130);
            assertThat(stopped.out()).contains("forgot backup " + a2).contains("forgot 1 of 3 backups; stopped at " + g1 + "; not reached 1: " + a3);
            assertThat(stopped.err()).contains("interrupted: stopped before " + g1 + " " + a3 + " (forgot 1 before it): 'tenantctl backups forget "
                    + g1 + " " + a3 + "' goes on");

            io.tenantctl.testing.TestCatalog.execute(f.catalogUrl, "delete from org_leases where org_id = 'globex'");
            assertThat(f.cli.run("backups", "forget", g1, a3).exitCode()).as("the forget that goes on").isZero();
            assertThat(decided(f).findValuesAsText("backup_id")).containsExactly(acme.get(3));
        }
    }

    /**
     * A forget of several backups stopped by a failure tenantctl did not expect (the catalog failing its update: "query
     * failed … run with -v and report it") printed no stack trace with -v, where every other verb's failure does: its error
     * line now carries it on stderr, masked as the rest (the -o json document on stdout still the one); without -v, none.
     */
    @Test
    void aForgetOfSeveralStoppedByAnUnexpectedFailureGivesItsStackTraceWithVerbose() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            List<String> acme = f.backups("acme", 3);
            String a1 = acme.get(0);
            String a2 = acme.get(1);
            f.removeFromStore("acme", a1);
            f.removeFromStore("acme", a2);
            io.tenantctl.testing.TestCatalog.execute(f.catalogUrl, "create function fail_forget() returns trigger language plpgsql as $$ "
                    + "begin raise exception 'broken at postgres://ops:s3cretpw@db.internal/catalog (test)' using errcode = 'XX000'; end $$; "
                    + "create trigger fail_forget before update on backups for each row when (new.status = 'pruned') execute function fail_forget()");

            Cli.Result plain = f.cli.run("backups", "forget", a1, a2);
            assertThat(plain.exitCode()).as(plain.toString()).isEqualTo(1);
            assertThat(plain.err()).contains("error: backup " + a1 + ": catalog").contains("query failed").doesNotContain("\tat ");

            Cli.Result verbose = f.cli.run("backups", "forget", a1, a2, "-v", "-o", "json");
            assertThat(verbose.exitCode()).as(verbose.toString()).isEqualTo(1);
            JsonNode doc = strictJson(verbose);
            assertThat(doc.get("failed").asInt()).as(doc.toString()).isEqualTo(1);
            assertThat(doc.get("next").asText()).isEqualTo("tenantctl backups forget " + a1 + " " + a2);
            assertThat(verbose.err()).as(verbose.toString()).contains("error: backup " + a1 + ": catalog").contains("\tat ")
                    .contains("at io.tenantctl.");
            assertThat(verbose.out() + verbose.err()).as("no password, trace included").contains("db.internal").doesNotContain("s3cretpw");
            assertThat(recordedComplete(f)).as("nothing forgotten").isEqualTo(3);
        }
    }

    /** A file store whose directory is gone (the volume not mounted) lists every backup as gone: none is forgotten for that. */
    @Test
    void aFileStoreWhoseDirectoryIsGoneForgetsNothing() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            String old = twoBackupsThenUnmounted(f, dir.resolve("volume")).get(0);
            for (String[] args : new String[][]{{"backups", "forget", old}, {"backups", "forget", old, "--dry-run", "-o", "json"}}) {
                refusedInOneLine(f.cli.run(args), "does not exist", "2 complete backups of 1 org", "mount");
            }
            assertThat(recordedComplete(f)).as("the good backup is still recorded complete").isEqualTo(2);
        }
    }

    /**
     * A file store whose directory is gone (the volume not mounted): prune kept each backup "recorded complete but not in the
     * store" and advised 'tenantctl backups forget ID', and show called it not restorable with that forget as its next
     * step (exit 4): a forget that refuses the store (exit 3). Both refuse it as forget does: exit 3, one line, nothing done.
     */
    @Test
    void aFileStoreWhoseDirectoryIsGoneIsNotPrunedNorShownAsGone() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            String old = twoBackupsThenUnmounted(f, dir.resolve("volume")).get(0);
            for (String[] args : new String[][]{{"backups", "prune", "--keep-last", "1"}, {"backups", "prune", "--dry-run"},
                    {"backups", "show", old}}) {
                Cli.Result r = f.cli.run(args);
                refusedInOneLine(r, "does not exist", "2 complete backups of 1 org", "mount");
                assertThat(r.out()).as(r.toString()).isEmpty();
                assertThat(r.err()).doesNotContain("backups forget");
            }
            for (String[] args : new String[][]{{"backups", "prune", "-o", "json"}, {"backups", "show", old, "-o", "json"}}) {
                Cli.Result r = f.cli.run(args);
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
                assertThat(strictJson(r).toString()).contains("does not exist").doesNotContain("backups forget");
            }
            assertThat(f.storeDir).as("nothing made on the disk under the volume").doesNotExist();
            assertThat(recordedComplete(f)).as("both backups still recorded complete").isEqualTo(2);
        }
    }

    /**
     * backups list against a file store whose directory is gone (or an empty mount point) while the catalog records
     * backups written there listed each one 'missing' and exited 0, as if they were all gone, where every other backups
     * verb refuses, exit 3: it still lists what the catalog records (read only; the ids are worth seeing), then says the
     * others' one line, that they are not gone, exit 3; -o json still one document, the list.
     */
    @Test
    void aBackupsListOfAFileStoreWhoseDirectoryIsGoneSaysItIsNotMounted() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            Path volume = dir.resolve("volume");
            List<String> both = twoBackupsThenUnmounted(f, volume);
            Cli.Result table = f.cli.run("backups", "list");
            refusedInOneLine(table, "does not exist", "2 complete backups of 1 org", "not gone", "mount");
            assertThat(table.out()).as(table.toString()).contains(both.get(0)).contains(both.get(1));
            Cli.Result json = f.cli.run("backups", "list", "--org", "acme", "-o", "json");
            assertThat(json.exitCode()).as(json.toString()).isEqualTo(3);
            assertThat(strictJson(json).get("backups")).as(json.toString()).hasSize(2);
            assertThat(json.err()).contains("does not exist").contains("not gone");

            Files.createDirectory(f.storeDir); // its mount point left, empty
            Cli.Result empty = f.cli.run("backups", "list");
            assertThat(empty.exitCode()).as(empty.toString()).isEqualTo(3);
            assertThat(empty.err()).as(empty.toString()).contains("is an empty directory").contains("not gone");
            assertThat(f.storeDir).as("nothing written under the mount point").isEmptyDirectory();

            Files.delete(f.storeDir);
            Files.move(volume, f.storeDir); // mounted again
            Cli.Result back = f.cli.run("backups", "list");
            assertThat(back.exitCode()).as(back.toString()).isZero();
            assertThat(back.out()).doesNotContain("missing");
        }
    }

    /**
     * A mount point with nothing mounted on it: the store's directory there but empty while the catalog records backups
     * written there. Verify marked each org's newest backup damaged (still so once the volume was back) and backup wrote
     * onto the disk under the mount point, as for a directory that does not exist; they, restore and prune exit 3 on it,
     * one line saying so and the ways on. A file put there says the backups are gone for good: verify then finds them gone.
     */
    @Test
    void anEmptyStoreDirectoryWhileBackupsAreRecordedThereIsAVolumeNotMounted() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            f.backup("acme");
            Files.move(f.storeDir, dir.resolve("volume")); // unmounted ...
            Files.createDirectory(f.storeDir); // ... its mount point left, empty
            for (String[] args : new String[][]{{"verify"}, {"backup", "--org", "acme"}, {"restore", "--org", "acme", "--to-org", "acme-copy"},
                    {"backups", "prune"}}) {
                Cli.Result r = f.cli.run(args);
                refusedInOneLine(r, "store " + f.storeDir.toUri() + " is an empty directory", "1 complete backup of 1 org", "mount",
                        "at the directory that holds it; if it is gone for good, put a file in it");
                assertThat(f.storeDir).as("nothing written on the disk under the mount point: " + r).isEmptyDirectory();
            }
            assertThat(CliFixture.count(f.catalogUrl, "select count(*) from backups where error is not null"))
                    .as("no backup recorded damaged for a volume not mounted").isZero();

            Files.writeString(f.storeDir.resolve(".emptied"), "acme's backups are gone for good");
            assertThat(f.cli.run("verify").exitCode()).as("gone for good, as the file says: found gone").isEqualTo(4);
        }
    }

    /** A purge against a file store whose directory is gone (not mounted) marks no backup damaged: the volume holds them. */
    @Test
    void aPurgeAgainstAFileStoreWhoseDirectoryIsGoneMarksNoBackupDamaged() throws Exception {
        try (BackupFixture f = new BackupFixture(1, dir)) {
            f.provision("acme");
            ok(f.cli, "orgs", "delete", "acme");
            Files.move(f.storeDir, dir.resolve("volume")); // unmounted
            refusedInOneLine(f.cli.run("orgs", "purge", "--older-than", "0"), "does not exist", "1 complete backup of 1 org", "mount");
            assertThat(CliFixture.count(f.catalogUrl, "select count(*) from backups where error is not null"))
                    .as("no backup recorded damaged for a volume not mounted").isZero();
            assertThat(f.databaseNames("pool-0")).contains("org_acme");
        }
    }

    /** acme with two backups (their ids, oldest first) on a file store whose volume is then unmounted: moved to {@code volume}. */
    private static List<String> twoBackupsThenUnmounted(BackupFixture f, Path volume) throws java.io.IOException {
        f.provision("acme");
        List<String> ids = f.backups("acme", 2);
        Files.move(f.storeDir, volume); // unmounted
        return ids;
    }

    /** A command the store refused (not mounted, or an empty mount point): exit 3, one line on stderr, saying each of {@code says}. */
    private static void refusedInOneLine(Cli.Result r, String... says) {
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
        assertThat(r.err().strip().lines().count()).as("one line: " + r).isEqualTo(1);
        for (String said : says) {
            assertThat(r.err()).as(r.toString()).contains(said);
        }
    }

    /** How many backups the catalog records complete and not damaged. */
    private static long recordedComplete(BackupFixture f) {
        return CliFixture.count(f.catalogUrl, "select count(*) from backups where status = 'complete' and error is null");
    }

    private static JsonNode decided(BackupFixture f) {
        return strictJson(ok(f.cli, "backups", "prune", "--org", "acme", "--dry-run", "-o", "json")).get("decisions");
    }

    /** Why a dry-run prune keeps {@code backupId}. */
    private static String keptBecause(BackupFixture f, String backupId) {
        for (JsonNode d : decided(f)) {
            if (d.get("backup_id").asText().equals(backupId)) {
                assertThat(d.get("action").asText()).isEqualTo("keep");
                return d.get("reason").asText();
            }
        }
        throw new AssertionError(backupId + " not decided on");
    }

    private static List<String> due(BackupFixture f) {
        return strictJson(ok(f.cli, "backup", "--due", "--dry-run", "-o", "json")).get("orgs").findValuesAsText("org_id");
    }
}
