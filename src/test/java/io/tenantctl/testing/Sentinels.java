package io.tenantctl.testing;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sentinel secrets for suites that run tenantctl with an environment full of secrets it must never show (the crash
 * and network-fault suites, beside the output-contract test): what to put in a child's environment, and the scan of
 * its output and of the catalog for any of them — raw, JSON-escaped, percent-encoded, base64-encoded, or a 12-character prefix.
 */
public final class Sentinels {

    /** Environment variables a process of an operator typically has, each holding a sentinel value. */
    public static final Map<String, String> ENV = new LinkedHashMap<>();

    static {
        ENV.put("AWS_SECRET_ACCESS_KEY", "SntA-AwsSecretKey-4Hq");
        ENV.put("AWS_SESSION_TOKEN", "SntB-AwsSessionTok-5Jr");
        ENV.put("PGPASSWORD", "SntC-PgPassword-6Ks");
        ENV.put("POOL9_PASSWORD", "SntD-Pool9Password-7Lt");
        ENV.put("GITHUB_TOKEN", "SntE-GithubToken-8Mu");
    }

    private Sentinels() {
    }

    /** Fails naming the variable and the place when any sentinel of {@code sentinels} shows in {@code text}. */
    public static void assertNone(Map<String, String> sentinels, String text, String where) {
        for (Map.Entry<String, String> e : sentinels.entrySet()) {
            String v = e.getValue();
            String enc = URLEncoder.encode(v, StandardCharsets.UTF_8);
            String json = jsonEscaped(v); // as a JSON document carries it: a quote or backslash in it escaped
            for (String form : List.of(v, json, enc, enc.replace("+", "%20"),
                    Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8)))) {
                assertThat(text).as("the " + e.getKey() + " leaked into " + where).doesNotContain(form);
            }
            // a partial leak (a prefix cut by a width limit or a mask that shows the start) is a leak too
            assertThat(text).as("part of the " + e.getKey() + " leaked into " + where).doesNotContain(v.substring(0, 12))
                    .doesNotContain(jsonEscaped(v.substring(0, 12)));
        }
    }

    private static String jsonEscaped(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    /** Every row of every table of the catalog's public schema, as text (tab-separated), for a sentinel scan. */
    public static String dumpCatalog(String jdbcUrl) throws Exception {
        StringBuilder dump = new StringBuilder();
        try (Connection c = DriverManager.getConnection(jdbcUrl); Statement s = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("select table_name from information_schema.tables where table_schema = 'public'")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            for (String t : tables) {
                try (ResultSet rs = s.executeQuery("select * from \"" + t + "\"")) {
                    int cols = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        for (int i = 1; i <= cols; i++) {
                            dump.append(rs.getString(i)).append('\t');
                        }
                        dump.append('\n');
                    }
                }
            }
        }
        return dump.toString();
    }
}
