package io.tenantctl.catalog;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class OrgIdTest {

    private static final String MAX_ID = "a" + "b".repeat(46); // 47 characters: the longest valid id

    @ParameterizedTest
    @ValueSource(strings = {"acme", "a", "0", "9lives", "acme-corp", "acme_corp", "a-b_c-1", "a-", "a_"})
    void acceptsValidIds(String id) {
        assertThat(OrgId.problem(id)).isNull();
    }

    @Test
    void acceptsTheLongestId() {
        assertThat(MAX_ID).hasSize(47);
        assertThat(OrgId.problem(MAX_ID)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Acme", "acmE", "-acme", "_acme", "a.b", "a/b", "a b", " acme", "acme ", "a$b", "a\\b", "ä", "a:b"})
    void refusesInvalidIdsNamingThem(String id) {
        assertThat(OrgId.problem(id)).isNotNull().contains("'" + id + "'");
    }

    @Test
    void refuses48Characters() {
        String id = MAX_ID + "c";
        assertThat(id).hasSize(48);
        assertThat(OrgId.problem(id)).isNotNull().contains(id);
    }

    @Test
    void refusesEmptyAndNull() {
        assertThat(OrgId.problem("")).isNotNull().contains("empty");
        assertThat(OrgId.problem(null)).isNotNull().contains("empty");
    }

    @Test
    void databaseNameIsPrefixedWithDashesAsUnderscores() {
        assertThat(OrgId.databaseName("acme")).isEqualTo("org_acme");
        assertThat(OrgId.databaseName("acme-corp-eu")).isEqualTo("org_acme_corp_eu");
        assertThat(OrgId.databaseName("acme_corp")).isEqualTo("org_acme_corp");
    }

    @Test
    void databaseNameOfTheLongestIdIsALegalMongoName() {
        String db = OrgId.databaseName(MAX_ID.substring(0, 20) + "-" + MAX_ID.substring(21));
        assertThat(db.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThanOrEqualTo(63);
        assertThat(db).doesNotContainPattern("[/\\\\. \"$*<>:|?-]");
        assertThat(List.of("admin", "config", "local", "system")).doesNotContain(db);
    }

    @Test
    void reportsEveryProblemInInputOrder() {
        List<String> problems = OrgId.problems(Arrays.asList("good", "Bad", "also-good", "-x", "a.b", "", "y".repeat(60)));
        assertThat(problems).hasSize(5);
        assertThat(problems.get(0)).contains("'Bad'");
        assertThat(problems.get(1)).contains("'-x'");
        assertThat(problems.get(2)).contains("'a.b'");
        assertThat(problems.get(3)).contains("empty");
        assertThat(problems.get(4)).contains("y".repeat(60));
    }

    @Test
    void noProblemsForAllValidIds() {
        assertThat(OrgId.problems(List.of("a", "b-c", "d_e"))).isEmpty();
    }
}
