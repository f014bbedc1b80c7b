package io.tenantctl.catalog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Small JDBC helpers so repositories read as SQL, not boilerplate. */
final class Sql {

    interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private Sql() {
    }

    static <T> List<T> query(Connection c, String sql, RowMapper<T> mapper, Object... params) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, params); ResultSet rs = ps.executeQuery()) {
            List<T> out = new ArrayList<>();
            while (rs.next()) {
                out.add(mapper.map(rs));
            }
            return out;
        }
    }

    /**
     * Hands each row to {@code each} as it is read, {@code fetchSize} rows a round trip (the driver pages only in a
     * transaction: call it inside {@link Catalog#inTransaction}), so that memory does not grow with the result.
     */
    static <T> void stream(Connection c, String sql, RowMapper<T> mapper, java.util.function.Consumer<? super T> each, int fetchSize,
                           Object... params) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, params)) {
            ps.setFetchSize(fetchSize);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    each.accept(mapper.map(rs));
                }
            }
        }
    }

    static <T> Optional<T> one(Connection c, String sql, RowMapper<T> mapper, Object... params) throws SQLException {
        List<T> rows = query(c, sql, mapper, params);
        return rows.isEmpty() ? Optional.empty() : Optional.ofNullable(rows.get(0)); // a NULL value is no value (max() of no rows)
    }

    /**
     * Runs {@code sql}, several statements separated by semicolons, in one round trip, and maps the first row of the last
     * statement's result. On a connection in autocommit they run as one implicit transaction (the server commits at the
     * end, not after each): a transaction-scoped lock the first takes is held to the end of the last, and no longer.
     */
    static <T> Optional<T> last(Connection c, String sql, RowMapper<T> mapper, Object... params) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, params)) {
            boolean isResult = ps.execute();
            ResultSet last = null;
            while (isResult || ps.getUpdateCount() != -1) {
                if (isResult) {
                    last = ps.getResultSet();
                }
                isResult = ps.getMoreResults(java.sql.Statement.KEEP_CURRENT_RESULT); // closed with the statement
            }
            return last != null && last.next() ? Optional.ofNullable(mapper.map(last)) : Optional.empty();
        }
    }

    static int update(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, params)) {
            return ps.executeUpdate();
        }
    }

    static PreparedStatement prepare(Connection c, String sql, Object... params) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        for (int i = 0; i < params.length; i++) {
            Object p = params[i];
            if (p instanceof Instant instant) {
                ps.setTimestamp(i + 1, Timestamp.from(instant));
            } else {
                ps.setObject(i + 1, p);
            }
        }
        return ps;
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
