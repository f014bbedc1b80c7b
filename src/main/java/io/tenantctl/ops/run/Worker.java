package io.tenantctl.ops.run;

import java.net.InetAddress;
import java.security.SecureRandom;

/**
 * Who holds a claim or an org lease: host, process id and a nonce (one per engine), written as {@code host/pid/nonce}.
 * A resume on the same host can tell that a holder's process is gone and take over its work at once.
 */
public record Worker(String host, long pid, String nonce) {

    private static final SecureRandom RANDOM = new SecureRandom();

    public static Worker current(String actor) {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (Exception e) {
                host = actor.contains("@") ? actor.substring(actor.indexOf('@') + 1) : "unknown";
            }
        }
        return new Worker(host.replace('/', '_'), ProcessHandle.current().pid(), Integer.toHexString(RANDOM.nextInt()));
    }

    /** Reads {@code host/pid/nonce}; anything else (an older tenantctl's worker) parses to a holder never known dead. */
    public static Worker parse(String id) {
        String[] p = id == null ? new String[0] : id.split("/");
        if (p.length == 3) {
            try {
                return new Worker(p[0], Long.parseLong(p[1]), p[2]);
            } catch (NumberFormatException ignored) {
                // fall through
            }
        }
        return new Worker(String.valueOf(id), -1, "");
    }

    public String id() {
        return host + "/" + pid + "/" + nonce;
    }

    /** True when this holder ran on {@code observer}'s host and its process no longer exists. */
    public boolean knownDeadFrom(Worker observer) {
        return pid > 0 && host.equals(observer.host()) && !(pid == observer.pid() && nonce.equals(observer.nonce()))
                && ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true);
    }
}
