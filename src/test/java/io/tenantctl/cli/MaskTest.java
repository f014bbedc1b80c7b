package io.tenantctl.cli;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** The last mask before stderr and error documents ({@link Mask#secrets}): what it hides and what it leaves readable. */
class MaskTest {

    /**
     * Found by a probing helper: with -v, the driver's {@code password=<hidden>, mechanismProperties=<hidden>} came out as
     * {@code password=*** mechanismProperties=***}: the value ran to the next space, swallowing the list's comma. A comma
     * followed by a space ends the value (a password's own space would end it anyway); a comma inside a password does not,
     * so no part of a password holding one is shown.
     */
    @Test
    void aPasswordValueEndsAtTheCommaOfAListButNotAtOneInsideIt() {
        assertThat(Mask.secrets("MongoCredential{mechanism=SCRAM-SHA-1, userName='app', source='admin', password=<hidden>, "
                + "mechanismProperties=<hidden>}"))
                .isEqualTo("MongoCredential{mechanism=SCRAM-SHA-1, userName='app', source='admin', password=***, "
                        + "mechanismProperties=<hidden>}");
        assertThat(Mask.secrets("connect failed: password=Snt-a,b,c-Pw"))
                .isEqualTo("connect failed: password=***")
                .doesNotContain("b,c");
        assertThat(Mask.secrets("proxyPassword=x,y; then")).isEqualTo("proxyPassword=***; then");
    }

    /**
     * Found on 12-07: a URL typed without its scheme whose password holds '@' or '/', or whose host is mistyped with a
     * leading '-', showed its password (whole, or the part after its first '@'): the mask stopped at the password's
     * first '@' or '/'. Now it runs to the token's last '@', as the driver reads userinfo; the user stays readable.
     */
    @Test
    void aPasswordWithoutAUrlsSchemeIsMaskedWholeWhateverItHolds() {
        for (String typed : java.util.List.of("app:p@ss@host:27017", "app:Hunter2/PW@host", "app:PW@-host", "app:a@b/c@db.example")) {
            String masked = Mask.secrets("invalid --uri '" + typed + "': expected mongodb://host[:port]");
            assertThat(masked).as(typed).startsWith("invalid --uri 'app:***@").doesNotContain("ss@host").doesNotContain("Hunter2")
                    .doesNotContain("PW").doesNotContain("a@b").doesNotContain("b/c");
        }
        // what holds no password stays as it was: a masked URL, a user alone, a time, an e-mail address
        assertThat(Mask.secrets("mongodb://app:***@host/db")).isEqualTo("mongodb://app:***@host/db");
        assertThat(Mask.secrets("at 12:30 by ops@example.com")).isEqualTo("at 12:30 by ops@example.com");
    }

    /**
     * Found on 12-07: a password holding a quote ('pa"ss', "pa'ss") came out whole, in text and JSON-escaped ('pa\\"ss') in
     * an error document: the URL's user info stopped at the quote, so no '@' followed and nothing was masked (picocli quotes
     * an argument it could not match: "Unknown options: 'mongodb://u:pa"ss@h/'"); a password= value showed what followed
     * its quote. A quote, '<' or '>' is the password's own unless followed by what ends a quoted token (a space, ',', ';',
     * ':', a bracket, the end), so the other URI-legal punctuation and the quote are masked with the rest of it.
     */
    @Test
    void aPasswordHoldingAQuoteOrOtherPunctuationIsMaskedWhole() {
        for (String pw : java.util.List.of("PA\"ZZ", "PA'ZZ", "PA\\\"ZZ", "Q\"UO'TE\"", "P<A>ZZ", "P!$&'()*+,;=ZZ",
                "P`{|}^[]~ZZ", "'QTD'", "\"DQ\"", "PA\"@ZZ")) {
            for (String text : java.util.List.of("Unknown options: '--bogus', 'mongodb://u:" + pw + "@h:27017/'",
                    "Unknown options: '--bogus', \"mongodb://u:" + pw + "@h:27017/\"", "unreachable: postgres://u:" + pw + "@h/db now",
                    "{\"message\":\"Unknown options: 'mongodb://u:" + pw.replace("\\", "\\\\").replace("\"", "\\\"") + "@h:27017/'\"}",
                    "invalid --uri 'u:" + pw + "@h:27017': expected mongodb://")) {
                String masked = Mask.secrets(text);
                assertThat(masked).as(text).contains("u:***@h").doesNotContain("ZZ").doesNotContain("UO").doesNotContain("DQ")
                        .doesNotContain("QTD").doesNotContain("PA");
                assertThat(masked.substring(0, masked.indexOf("u:***@h"))).as(text).isEqualTo(text.substring(0, text.indexOf("u:")));
            }
        }
        assertThat(Mask.secrets("connect failed: password=pa\"ss&authSource=admin"))
                .isEqualTo("connect failed: password=***&authSource=admin");
        assertThat(Mask.secrets("POOL1_PASSWORD=\"s3 cr'et\" in env")).isEqualTo("POOL1_PASSWORD=*** in env");
        assertThat(Mask.secrets("AWS_SESSION_TOKEN='IQo\"Jb3'")).isEqualTo("AWS_SESSION_TOKEN=***");
    }

    /**
     * Found on 12-07: a password holding a quote followed by what would end a quoted URL (a space, ',', ';', ':', a
     * closing bracket: 'PA',ZZ', 'PA" ZZ', 'PA>)ZZ') came out whole in every form: the URL ended at that quote, so no
     * '@' followed and nothing was masked. Such a quote is the password's own when the URL goes on from it to its '@'
     * and host, then ends (at a closing quote, or at a space or the end for a URL not in quotes).
     */
    @Test
    void aPasswordHoldingAQuoteThenWhatWouldEndTheUrlIsMaskedWhole() {
        java.util.List<String> passwords = new java.util.ArrayList<>(java.util.List.of("PA',Z',ZZ", "PA\" Z;'ZZ", "PA'), ZZ"));
        for (String quote : java.util.List.of("'", "\"", "<", ">")) {
            for (String then : java.util.List.of(" ", ",", ";", ":", ")", "]", "}")) {
                passwords.add("PA" + quote + then + "ZZ");
            }
        }
        for (String pw : passwords) {
            String escaped = pw.replace("\\", "\\\\").replace("\"", "\\\"");
            for (String text : java.util.List.of("Unknown options: '--bogus', 'mongodb://u:" + pw + "@h:27017/'",
                    "Unknown options: '--bogus', \"mongodb://u:" + pw + "@h:27017/\"", "unreachable: postgres://u:" + pw + "@h/db now",
                    "{\"message\":\"Unknown options: 'mongodb://u:" + escaped + "@h:27017/'\"}",
                    "{\"uri\":\"mongodb://u:" + escaped + "@h:27017/\",\"by\":\"ops@example.com\"}",
                    "Unknown option: '--urx=mongodb://u:" + pw + "@h:27017/'",
                    "invalid --uri 'u:" + pw + "@h:27017': expected mongodb://")) {
                String masked = Mask.secrets(text);
                assertThat(masked).as(text).contains("u:***@h").doesNotContain("ZZ").doesNotContain("PA");
                assertThat(masked.substring(0, masked.indexOf("u:***@h"))).as(text).isEqualTo(text.substring(0, text.indexOf("u:")));
                assertThat(masked.substring(masked.indexOf("u:***@h") + 6)).as(text)
                        .isEqualTo(text.substring(text.indexOf("ZZ@h") + 3));
            }
        }
    }

    /**
     * Found on 12-07: a secret quoted back as JSON — {"password":"…"}, a MongoDB command's "pwd": "…", an environment
     * dumped as {"AWS_SECRET_ACCESS_KEY":"…"} — came out whole, on stderr and in the error document: only KEY=value was
     * masked. A JSON member whose key names a secret (the keys KEY=value knows) keeps its key and shows "***", also in
     * JSON quoted inside a JSON string; the document stays JSON.
     */
    @Test
    void aJsonMemberWhoseKeyNamesASecretIsMasked() {
        assertThat(Mask.secrets("{\"password\":\"Hunter2\"}")).isEqualTo("{\"password\":\"***\"}");
        assertThat(Mask.secrets("bad body {\"user\": \"app\", \"password\" : \"pa\\\"s, s\\\\\", \"db\": \"x\"}"))
                .isEqualTo("bad body {\"user\": \"app\", \"password\" : \"***\", \"db\": \"x\"}");
        assertThat(Mask.secrets("command failed: {\"createUser\":\"app\",\"pwd\":\"s3 cr3t\",\"roles\":[]}"))
                .isEqualTo("command failed: {\"createUser\":\"app\",\"pwd\":\"***\",\"roles\":[]}");
        assertThat(Mask.secrets("{\"AWS_SECRET_ACCESS_KEY\":\"wJal/rXU+K\",\"AWS_SESSION_TOKEN\":\"IQo=Jb\",\"proxyPassword\":\"p;w\"}"))
                .isEqualTo("{\"AWS_SECRET_ACCESS_KEY\":\"***\",\"AWS_SESSION_TOKEN\":\"***\",\"proxyPassword\":\"***\"}");
        // JSON in a JSON string: an error document quoting a body, its password holding an escaped quote and a comma
        String inner = "{\"user\":\"app\",\"password\":\"pa\\\"s,s\"}";
        String quoted = "{\"message\":\"bad body " + inner.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
        assertThat(Mask.secrets(quoted)).isEqualTo("{\"message\":\"bad body {\\\"user\\\":\\\"app\\\",\\\"password\\\":\\\"***\\\"}\"}");
        assertThat(Mask.holdsSecret("{\"api_key\": \"k\"}")).isTrue();
        // a key spelt with a hyphen, as an option or a header is: the same secret
        assertThat(Mask.secrets("--api-key=abc123 --pool p1")).isEqualTo("--api-key=*** --pool p1");
        assertThat(Mask.secrets("{\"x-api-key\": \"abc123\", \"private-key\":\"k\"}"))
                .isEqualTo("{\"x-api-key\": \"***\", \"private-key\":\"***\"}");
        // what holds no secret stays as it was
        for (String text : java.util.List.of("{\"password\":\"***\"}", "{\"password\":null,\"user\":\"app\"}", "{\"password\":\"\"}",
                "{\"org\":\"acme\",\"by\":\"ops@example.com\"}")) {
            assertThat(Mask.secrets(text)).as(text).isEqualTo(text);
        }
    }

    /**
     * Found in review: a name, a colon and a quoted e-mail address (by:'ops@example.com', by:"ops@example.com", and so in a
     * JSON document by:\"ops@example.com\") came out as by:***@example.com' — the address's user taken for a password, a
     * stray quote left: the quote after the colon was read as a password's own. A value that opens with a quote and whose
     * closing quote comes after the '@' holds that '@': it is a quoted value, not a password, and a user:password@ inside it
     * is still masked. A password that opens with a quote (u:'QTD'@h) and a URL quoted whole ('u:'p@ss@h') stay masked.
     */
    @Test
    void aQuotedAddressAfterANameAndColonIsNotTakenForAPassword() {
        for (String text : java.util.List.of("by:'ops@example.com'", "orgs show by:\"ops@example.com\": no such org",
                "{\"message\":\"filter by:\\\"ops@example.com\\\" matched nothing\"}", "owner:'ops@example.com', tier:'gold'")) {
            assertThat(Mask.secrets(text)).as(text).isEqualTo(text);
        }
        assertThat(Mask.secrets("uri:'app:Hunter2@host'")).isEqualTo("uri:'app:***@host'");
        assertThat(Mask.secrets("invalid --uri 'u:'QTD'@h:27017': expected")).isEqualTo("invalid --uri 'u:***@h:27017': expected");
        assertThat(Mask.secrets("invalid --uri 'u:'p@ss@h:27017': expected")).isEqualTo("invalid --uri 'u:***@h:27017': expected");
        assertThat(Mask.secrets("u:'p@ss@h")).isEqualTo("u:***@h");
    }

    /**
     * Found in review: a secret quoted back as a Python or JavaScript dict ({'password': 'x'}, a driver's or script's repr)
     * or as a JSON number ("token":123, "password": 123) came out whole: only "key":"string" was masked. A member whose
     * key names a secret, its key in single or double quotes, keeps its key and shows '***' in its value's quotes, a
     * number or other bare value "***" (in the key's quotes, so JSON stays JSON); null, true and false stay.
     */
    @Test
    void aSingleQuotedOrNumericMemberWhoseKeyNamesASecretIsMasked() {
        assertThat(Mask.secrets("{'password': 'x'}")).isEqualTo("{'password': '***'}");
        assertThat(Mask.secrets("bad config {'user': 'app', 'password': 'pa\\'s, s', 'db': 'x'}"))
                .isEqualTo("bad config {'user': 'app', 'password': '***', 'db': 'x'}");
        assertThat(Mask.secrets("{'pwd': \"it's\", 'AWS_SESSION_TOKEN':'IQo=Jb'}")).isEqualTo("{'pwd': \"***\", 'AWS_SESSION_TOKEN':'***'}");
        assertThat(Mask.secrets("{\"password\": 'Hunter2'}")).isEqualTo("{\"password\": '***'}");
        assertThat(Mask.secrets("{\"token\":123}")).isEqualTo("{\"token\":\"***\"}");
        assertThat(Mask.secrets("{\"user\":\"app\",\"password\": 123456, \"pin_token\": -1.5e3}"))
                .isEqualTo("{\"user\":\"app\",\"password\": \"***\", \"pin_token\": \"***\"}");
        assertThat(Mask.secrets("{'token': 123}")).isEqualTo("{'token': '***'}");
        // in JSON quoted inside a JSON string (an error document quoting a body)
        assertThat(Mask.secrets("{\"message\":\"bad body {\\\"token\\\":123,\\\"a\\\":1} and {'password': 'x'}\"}"))
                .isEqualTo("{\"message\":\"bad body {\\\"token\\\":\\\"***\\\",\\\"a\\\":1} and {'password': '***'}\"}");
        // what holds no secret stays as it was
        for (String text : java.util.List.of("{'password': None}", "{'password': ''}", "{\"password\": null, \"token\": false}",
                "{'password': '***'}", "{\"tokens\": \"***\"}", "{'by': 'ops@example.com', 'count': 3}",
                "no org named 'password': see 'tenantctl orgs list'", "invalid bucket 'my-secret-bucket': 3-63 characters")) {
            assertThat(Mask.secrets(text)).as(text).isEqualTo(text);
        }
    }

    /**
     * Found in review: a password given as plain text after its key, with no '=', came out whole. It shows in two forms:
     * an option and its value — picocli's "Unknown options: '--password', 'hunter2'" (and an echoed command line's
     * --password hunter2) — and a quoted item opening with a YAML-style KEY: value, as an error quotes a line of a
     * compose file passed as an org list ("org id 'POSTGRES_PASSWORD: hunter2' must match …"). Both are masked, the key
     * kept. Prose is not: "password authentication failed" (PostgreSQL's), "inline password: put it in …" and a
     * collection's "password_resets: 12 documents" are our own and the drivers' words, no secret after them.
     */
    @Test
    void aPasswordAfterAnOptionOrAQuotedKeyAndColonIsMasked() {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("Unknown options: '--password', 'hunter2'", "Unknown options: '--password', '***'");
        expected.put("Unmatched arguments from index 3: 'b', '--aws-secret-access-key', 'wJal/rX, U', '-v'",
                "Unmatched arguments from index 3: 'b', '--aws-secret-access-key', '***', '-v'");
        expected.put("ran tenantctl pools add p1 --password hunter2 --token 'a b' -v", "ran tenantctl pools add p1 --password *** --token *** -v");
        expected.put("{\"message\":\"Unknown options: '--password', 'hunter2'\"}", "{\"message\":\"Unknown options: '--password', '***'\"}");
        expected.put("org id 'POSTGRES_PASSWORD: hunter2' must match ^[a-z0-9]", "org id 'POSTGRES_PASSWORD: ***' must match ^[a-z0-9]");
        expected.put("org id 'password: \"s3 cr3t\"'; org id 'x'", "org id 'password: ***'; org id 'x'");
        expected.put("org id 'POSTGRES_PASSWORD: ${POOL1_PASSWORD:-tenantctl-pool1}'", "org id 'POSTGRES_PASSWORD: ***'");
        expected.put("{\"message\":\"org id 'api_key:k3y' must match\"}", "{\"message\":\"org id 'api_key:***' must match\"}");
        // what holds no secret stays as it was
        for (String text : java.util.List.of("FATAL: password authentication failed for user \"app\"",
                "admin URL has an inline password: put it in an environment variable", "password_resets: 12 documents at the move, 13 now",
                "Unknown options: '--password', '--pool', 'p1'", "Unknown option: '--password'", "'--password', '-o', 'json'",
                "Unmatched arguments: '--allow-inline-password', 'p3'", "[--allow-inline-password] --uri=URI",
                "org id 'POSTGRES_PASSWORD: ${POOL1_PASSWORD}'", "no org named 'secret-garden': see 'tenantctl orgs list'",
                "(password: did you mean pool?)", "'mongodb://token:***@h/'", "invalid --uri 'token:***@h'")) {
            expected.put(text, text);
        }
        expected.forEach((text, masked) -> assertThat(Mask.secrets(text)).as(text).isEqualTo(masked));
        assertThat(Mask.holdsSecret("'--password', 'hunter2'")).isTrue();
    }

    /** What holds no password stays as it was, a quote ending a quoted URL included: JSON documents keep their shape. */
    @Test
    void quotesThatEndAUrlAreNotTakenForAPassword() {
        for (String text : java.util.List.of(
                "{\"uri\":\"mongodb://app@h/\",\"contact\":\"ops@example.com\"}",
                "{\"uri\":\"mongodb://h:27017/?appName=x\",\"by\":\"ops@example.com\"}",
                "'mongodb://app@h/','ops@example.com'",
                "\"mongodb://app:${POOL_PW}@h/\", 'ops@example.com'",
                "[\"mongodb://app:***@h/\"] ops@example.com",
                "{\"t\":\"12:30\",\"by\":\"ops@example.com\"}",
                "'12:30','ops@example.com'",
                "'mongodb://h/' ops@example.com",
                "'mongodb://h/', ops@example.com",
                "\"mongodb://h/\": ops@example.com",
                "refused 'mongodb://h/':ops@example.com",
                "'--uri=mongodb://h/','ops@example.com'",
                "{\"uri\":\"--uri=mongodb://h/\",\"by\":\"ops@example.com\"}",
                "ServerAddress{uri='mongodb://h/', contact='ops@example.com'}",
                "pools 'mongodb://h1/', 'mongodb://app@h2/'",
                "<mongodb://h/>,ops@example.com",
                "MongoCredential{mechanism=SCRAM-SHA-1, userName='app', source='admin', password=***, mechanismProperties=<hidden>}")) {
            assertThat(Mask.secrets(text)).as(text).isEqualTo(text);
        }
    }

    /**
     * Found by a helper: advice naming the variable to set ({@code export POOL3_PASSWORD=… (or set POOL3_PASSWORD=… in the
     * --config file)}, verify's fix note) reached stderr and the error document as {@code export POOL3_PASSWORD=***}: the
     * KEY=value mask took the placeholder for a value, so the operator never saw what to set. A placeholder ({@code …},
     * {@code ...}, {@code <password>}) is kept; any other value, a password printed by mistake after {@code export}
     * included, is masked as before.
     */
    @Test
    void adviceNamingTheVariableToSetKeepsItsPlaceholderButAValueIsMasked() {
        for (String advice : java.util.List.of(
                "pool pool-3: its URI references ${POOL3_PASSWORD}, which is not set in the environment: export POOL3_PASSWORD=… "
                        + "(or set POOL3_PASSWORD=… in the --config file), then run this again",
                "export A_PASSWORD=… B_TOKEN=…   (or set them in the --config file: A_PASSWORD=…, B_TOKEN=…); then: tenantctl verify --pool p",
                "export TENANTCTL_CATALOG_PASSWORD=...", "set X_PASSWORD=<password>.", "AWS_SECRET_ACCESS_KEY=<aws-secret-access-key>",
                "X_PASSWORD='…' and Y_TOKEN=\"<TOKEN>\"")) {
            assertThat(Mask.secrets(advice)).as(advice).isEqualTo(advice);
            assertThat(Mask.holdsSecret(advice)).as(advice).isFalse();
        }
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("export X_PASSWORD=hunter2", "export X_PASSWORD=***");
        expected.put("export X_PASSWORD=hunter2 (or set X_PASSWORD=… in the --config file)",
                "export X_PASSWORD=*** (or set X_PASSWORD=… in the --config file)");
        for (String value : java.util.List.of("…hunter2", "hunter2…", "...hunter2", "….hunter2", "…)hunter2", "<hunter2>", "<password1>",
                "<Hunter-Password>", "<password>hunter2", "'… hunter2'", "\"<password\"", "****", "..")) {
            expected.put("export X_PASSWORD=" + value + " now", "export X_PASSWORD=*** now");
        }
        expected.put("password=<hidden>, mechanismProperties=<hidden>", "password=***, mechanismProperties=<hidden>");
        expected.forEach((text, masked) -> assertThat(Mask.secrets(text)).as(text).isEqualTo(masked));
    }

    /**
     * Found on call (3 a.m. audit): a pool whose stored URI keeps a query secret as ${VAR} ('pools add
     * --allow-inline-password' moves it there) and does not answer: provision's stderr line read 'pool dead
     * (mongodb://app:${P_2}@127.0.0.1:1/?authSource=admin&password=*** is unreachable: …' — a placeholder masked as if it
     * were a password, the bracket closing the URI eaten with it — where the table's line showed the URI as stored. A
     * ${VAR} value is kept, as user:${VAR}@ is; a literal value beside it is still masked.
     */
    @Test
    void aPlaceholderAsAQuerySecretsValueIsKeptWithTheBracketAfterIt() {
        String line = "pool dead (mongodb://app:${P_2}@127.0.0.1:1/?authSource=admin&password=${P}) is unreachable: timed out; "
                + "new orgs are placed on the other pools";
        assertThat(Mask.secrets(line)).isEqualTo(line);
        assertThat(Mask.secrets("pool dead (mongodb://127.0.0.1:1/?password=hunter2) is unreachable"))
                .isEqualTo("pool dead (mongodb://127.0.0.1:1/?password=*** is unreachable");
        assertThat(Mask.secrets("password=${P}hunter2 and password=hunter2${P}")).isEqualTo("password=*** and password=***");
    }

    /**
     * Found by a colleague: a token of some 40,000 characters or more with no space ("mongodb://" or "u:" then letters,
     * a password= value, a JSON member's) threw StackOverflowError out of the mask, each character one more level of the
     * regex's recursion; a long run of key characters ("password" over and over) took seconds backing off. LogLines masks
     * lines of up to 64 KB, so one long library log line could throw out of a stderr write or hang the CLI. Each such line
     * of 64 KB now comes back at once (the bound guards against a hang, it is no benchmark), whole when it holds no
     * secret, masked when it does.
     */
    @Test
    void aTokenOf64KbComesBackAtOnceWholeOrMasked() {
        String letters = "a".repeat(64 * 1024);
        Map<String, String> expected = new LinkedHashMap<>();
        for (String whole : java.util.List.of("mongodb://" + letters, "'mongodb://" + letters + "'", "u:" + letters, "by " + letters,
                "password".repeat(8 * 1024), "\"" + "password".repeat(8 * 1024), ",u:".repeat(20 * 1024), "'u:/".repeat(16 * 1024),
                "'--password', ".repeat(4 * 1024), "--password --".repeat(5 * 1024), "{'password': ".repeat(5 * 1024), "\"token\":1x".repeat(6 * 1024))) {
            expected.put(whole, whole);
        }
        expected.put("mongodb://u:" + letters + "@h/", "mongodb://u:***@h/");
        expected.put("'mongodb://u:" + letters + "@h/'", "'mongodb://u:***@h/'");
        expected.put("invalid 'u:" + letters + "@h'", "invalid 'u:***@h'");
        expected.put("u:" + letters + "@h", "u:***@h");
        expected.put("connect failed: password=" + letters, "connect failed: password=***");
        expected.put("POOL1_PASSWORD=\"" + letters + "\" in env", "POOL1_PASSWORD=*** in env");
        expected.put("{\"password\":\"" + letters + "\"}", "{\"password\":\"***\"}");
        expected.put("{\\\"pwd\\\":\\\"" + letters + "\\\"}", "{\\\"pwd\\\":\\\"***\\\"}");
        expected.put("{'password': '" + letters + "'}", "{'password': '***'}");
        expected.put("{\"token\":" + "1".repeat(64 * 1024) + "}", "{\"token\":\"***\"}");
        expected.put("Unknown options: '--password', '" + letters + "'", "Unknown options: '--password', '***'");
        expected.put("--password " + letters, "--password ***");
        expected.put("org id 'POSTGRES_PASSWORD: " + letters + "' must match", "org id 'POSTGRES_PASSWORD: ***' must match");
        expected.put("{\"password\": 'x".repeat(4 * 1024), "{\"password\": '***'x"); // no quote closes it: masked to the line's last
        expected.put("'password:".repeat(6 * 1024), "'password:***'password:");
        expected.forEach((text, masked) -> assertThat(assertTimeoutPreemptively(Duration.ofSeconds(5), () -> Mask.secrets(text)))
                .as(text.substring(0, 24)).isEqualTo(masked));
    }
}
