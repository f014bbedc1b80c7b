package io.tenantctl.pool;

import com.mongodb.MongoCommandException;
import com.mongodb.MongoException;
import com.mongodb.MongoSocketException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.MongoWriteException;

import java.util.Set;

/** Which FerretDB errors are worth retrying (see shared/FERRETDB.md), and how to say an error in one line. */
public final class FerretErrors {

    private static final Set<Integer> RETRYABLE_CODES = Set.of(16908292, 16777220, 50);
    private static final Set<Integer> FATAL_CODES = Set.of(11000, 67, 85, 86, 2, 238, 59, 13, 18);

    private FerretErrors() {
    }

    public static boolean isRetryable(Throwable t) {
        if (t instanceof MongoSocketException || t instanceof MongoTimeoutException) {
            return true;
        }
        if (t instanceof MongoException me) {
            int code = code(me);
            if (FATAL_CODES.contains(code)) {
                return false;
            }
            if (RETRYABLE_CODES.contains(code)) {
                return true;
            }
            String msg = String.valueOf(me.getMessage()).toLowerCase(java.util.Locale.ROOT);
            return code == 1 && (msg.contains("deadlock detected") || msg.contains("could not serialize"));
        }
        return false;
    }

    /**
     * Whether {@code t} (or a cause) is a connection lost mid-command (reset, closed mid-reply), as opposed to a
     * timeout or a refused connect: worth one immediate try on a fresh connection.
     */
    public static boolean lostConnection(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof com.mongodb.MongoSocketReadTimeoutException || c instanceof MongoTimeoutException
                    || c instanceof com.mongodb.MongoSocketOpenException) {
                return false;
            }
            if (c instanceof MongoSocketException) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code t} (or a cause) says a server did not answer: its connection lost, refused or timed out. */
    public static boolean notAnswering(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof MongoSocketException || c instanceof MongoTimeoutException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@code t} (or a cause) is the pool refusing tenantctl's credentials (a wrong or rotated password, an unknown
     * user): the driver's {@code MongoSecurityException}, never retried, and nothing a network check would mend.
     */
    public static boolean authenticationFailed(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof com.mongodb.MongoSecurityException) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code t} (or a cause) is the server refusing a command to tenantctl's user: code 13, Unauthorized. */
    public static boolean unauthorized(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof MongoException me && code(me) == 13) {
                return true;
            }
        }
        return false;
    }

    /** What to add to a code 13's line: which user it is that must be granted more. */
    public static final String UNAUTHORIZED_HINT = "its user lacks a privilege tenantctl needs (listDatabases, dbStats, "
            + "listCollections, find, insert, createIndexes, dropDatabase on the orgs' databases)";

    private static int code(MongoException e) {
        if (e instanceof MongoWriteException we) {
            return we.getError().getCode();
        }
        return e.getCode();
    }

    /** One line: "code 85 (IndexOptionsConflict): ..." for server errors, the message otherwise. */
    public static String describe(Throwable t) {
        if (t instanceof MongoCommandException ce) {
            String name = ce.getErrorCodeName();
            return "code " + ce.getErrorCode() + (name == null || name.isEmpty() ? "" : " (" + name + ")") + ": "
                    + firstLine(ce.getErrorMessage());
        }
        if (t instanceof com.mongodb.MongoBulkWriteException bw && !bw.getWriteErrors().isEmpty()) { // not "…[BulkWriteError{index=0, …}]"
            com.mongodb.bulk.BulkWriteError w = bw.getWriteErrors().get(0);
            int more = bw.getWriteErrors().size() - 1;
            return "code " + w.getCode() + ": " + firstLine(w.getMessage()) + (more > 0 ? " (and " + io.tenantctl.Counted.of(more, "more write error") + ")" : "");
        }
        if (t instanceof com.mongodb.MongoWriteException we) {
            return "code " + we.getError().getCode() + ": " + firstLine(we.getError().getMessage());
        }
        if (t instanceof com.mongodb.MongoSecurityException se) {
            // "Exception authenticating MongoCredential{…}" says neither why nor what the server answered: its cause does
            com.mongodb.MongoCredential c = se.getCredential();
            java.util.List<String> as = new java.util.ArrayList<>();
            if (c != null && c.getUserName() != null) {
                as.add("user '" + c.getUserName() + "'");
            }
            if (c != null && c.getSource() != null) {
                as.add("source " + c.getSource());
            }
            if (c != null && c.getMechanism() != null) {
                as.add(c.getMechanism());
            }
            Throwable cause = se.getCause();
            // a user the URI took from the environment (${VAR}) is kept from stdout and the catalog too, not only stderr:
            // where the credential names it, and where the server's answer quotes it
            return io.tenantctl.SecretValues.mask("authentication failed" + (as.isEmpty() ? "" : " (" + String.join(", ", as) + ")")
                    + (cause == null || cause == se ? "" : ": " + describe(cause)));
        }
        if (t instanceof MongoTimeoutException) {
            java.util.List<String> why = new java.util.ArrayList<>();
            java.util.regex.Matcher server = UNREACHED.matcher(firstLine(t.getMessage()));
            while (server.find()) {
                why.add(server.group(1) + ": " + cause(server.group(3) != null ? server.group(3) : server.group(2)));
            }
            // a mongodb+srv:// name whose SRV record could not be looked up has no server to list: the lookup is the reason
            java.util.regex.Matcher srv = SRV_FAILED.matcher(firstLine(t.getMessage()));
            if (why.isEmpty() && srv.find()) {
                why.add("DNS: " + srv.group(1));
            }
            return "timed out waiting for the server (" + (why.isEmpty() ? firstLine(t.getMessage()).replaceAll("\\. Client view.*", "")
                    : String.join("; ", why)) + ")";
        }
        if (t instanceof com.mongodb.MongoSocketException && t.getCause() != null && t.getCause().getMessage() != null) {
            // "Exception opening socket" says nothing; its cause says why, and may be this process's own limit, not the pool
            return firstLine(t.getMessage()) + ": " + outOfDescriptors(firstLine(t.getCause().getMessage()));
        }
        return firstLine(io.tenantctl.IoErrors.describe(t));
    }

    /**
     * A socket's cause as said, and for EMFILE who ran out: this process, of file descriptors (a low {@code ulimit -n}
     * and a high concurrency), which "the pool is unreachable, check its FerretDB and network" would otherwise blame on a
     * pool that is fine.
     */
    private static String outOfDescriptors(String message) {
        return io.tenantctl.OutOfDescriptorsException.explained(message, "pool");
    }

    /**
     * One server in the driver's "Client view of cluster state": its address, the exception it was left with and that
     * exception's cause — the part that says why ("Connection refused", an unknown host), which the rest of the message,
     * "Timed out while waiting for a server that matches ReadPreferenceServerSelector{…}", does not.
     */
    private static final java.util.regex.Pattern UNREACHED = java.util.regex.Pattern.compile(
            "\\{address=([^,{}]+), type=[^,{}]+, state=[^,{}]+, exception=\\{([^{}]+)}(?:, caused by \\{([^{}]+)})?");

    /** The driver's "srvResolutionException=com.mongodb.MongoConfigurationException: Failed looking up SRV record for '…'." */
    private static final java.util.regex.Pattern SRV_FAILED = java.util.regex.Pattern.compile(
            "srvResolutionException=(?:[\\w.$]+(?:Exception|Error): )?(.+?), servers=\\[");

    /** "java.net.UnknownHostException: h" as "unknown host h", "java.net.ConnectException: Connection refused" as "connection refused". */
    private static String cause(String exception) {
        int colon = exception.indexOf(": ");
        String type = (colon < 0 ? exception : exception.substring(0, colon)).replaceAll(".*\\.", "");
        String message = colon < 0 ? "" : exception.substring(colon + 2);
        return switch (type) {
            case "UnknownHostException" -> "unknown host " + message;
            case "ConnectException", "SocketTimeoutException" -> message.toLowerCase(java.util.Locale.ROOT);
            default -> colon < 0 ? type : type + ": " + outOfDescriptors(message);
        };
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
