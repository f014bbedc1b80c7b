package io.tenantctl.catalog;

import io.tenantctl.testing.TestCatalog;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Found by a probing helper: a DBA sets {@code idle_session_timeout} on the catalog's database or role (PostgreSQL 14+)
 * to end leaked idle sessions. An advisory lock's session is idle by design while its holder works — migrate-all holds
 * the rollout lock for the whole rollout — so the server ended it, the lock went with it without a word, and a second
 * rollout could start beside the first. The lock's session is exempt; every other session keeps the DBA's timeout.
 */
class AnAdvisoryLockOutlivesAnIdleSessionTimeoutTest {

    private static final long KEY = 0x5eed_1d1eL;

    @Test
    void anIdleSessionTimeoutDoesNotEndTheSessionThatHoldsALock() throws Exception {
        String url = TestCatalog.initialisedDatabase();
        String db = url.substring(url.lastIndexOf('/') + 1, url.indexOf('?'));
        TestCatalog.execute(url, "alter database " + db + " set idle_session_timeout = '100ms'");
        try (Catalog catalog = Catalog.connect(url); AdvisoryLock lock = catalog.advisoryLock(KEY);
             Connection watcher = DriverManager.getConnection(url); Statement w = watcher.createStatement()) {
            w.execute("set idle_session_timeout = 0");
            assertThat(lock.tryTake()).isTrue();
            // a session opened after the lock was taken, left idle: once the server has ended it for its timeout, the
            // lock's session, idle for longer, would have been ended too
            try (Connection control = DriverManager.getConnection(url); Statement c = control.createStatement();
                 ResultSet rs = c.executeQuery("select pg_backend_pid()")) {
                rs.next();
                int pid = rs.getInt(1);
                assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                    while (count(w, "select count(*) from pg_stat_activity where pid = " + pid) > 0) {
                        Thread.onSpinWait();
                    }
                });
            }
            assertThat(count(w, "select count(*) from pg_locks where locktype = 'advisory' and granted and objid::bigint = "
                    + (KEY & 0xffff_ffffL))).as("the lock is still held").isEqualTo(1);
        }
    }

    private static long count(Statement s, String query) throws Exception {
        try (ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
