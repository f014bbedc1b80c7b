package io.tenantctl.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tenantctl.cli.TenantCtl;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.pool.PoolClients;
import io.tenantctl.pool.PoolConnector;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/** Runs tenantctl in-process against a given environment and captures exit code, stdout and stderr. */
public final class Cli {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Map<String, String> env;
    private UnaryOperator<PoolConnector> decorator = UnaryOperator.identity();

    /**
     * A CLI with {@code env} as its environment. Unless {@code env} says otherwise, a pool that does not answer is given
     * up on after a second rather than the 3 s default ({@code TENANTCTL_POOL_CONNECT_TIMEOUT_MS}): the pools here are
     * in-process and answer in milliseconds when they are up, and tests kill pools often enough that the default's
     * waits add up over the suite.
     */
    public Cli(Map<String, String> env) {
        this.env = new HashMap<>(env);
        this.env.putIfAbsent(PoolClients.CONNECT_TIMEOUT_ENV, QUICK_CONNECT_TIMEOUT_MS);
    }

    /** The catalog URL this CLI's environment gives ({@code TENANTCTL_CATALOG_URL}), or null. */
    public String catalogUrl() {
        return env.get("TENANTCTL_CATALOG_URL");
    }

    /** The pool connect timeout tests run with unless they choose one. */
    public static final String QUICK_CONNECT_TIMEOUT_MS = "1000";

    public static Cli withCatalog(String catalogUrl) {
        return new Cli(Map.of("TENANTCTL_CATALOG_URL", catalogUrl, "USER", "test"));
    }

    /**
     * This CLI (its pools decorated alike) with the pool connect timeout cut to a second, even where its environment
     * chose another: for a test that kills a pool, whose every look at it would otherwise wait for that timeout.
     */
    public Cli quickToGiveUpOnDeadPools() {
        Map<String, String> more = new HashMap<>(env);
        more.put(PoolClients.CONNECT_TIMEOUT_ENV, QUICK_CONNECT_TIMEOUT_MS);
        return new Cli(more).decoratePools(decorator);
    }

    public Cli decoratePools(UnaryOperator<PoolConnector> decorator) {
        this.decorator = decorator;
        return this;
    }

    public Result run(String... args) {
        return run(new CancelToken(), args);
    }

    public Result run(CancelToken cancel, String... args) {
        return run(cancel, text -> { }, args);
    }

    /** As {@link #run(CancelToken, String...)}, with {@code onErr} told each piece of stderr as it is written (to wait for a line). */
    public Result run(CancelToken cancel, java.util.function.Consumer<String> onErr, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        java.io.Writer errTee = new java.io.Writer() {
            @Override
            public void write(char[] buf, int off, int len) {
                err.write(buf, off, len);
                onErr.accept(new String(buf, off, len));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        int code = TenantCtl.run(new PrintWriter(out), new PrintWriter(errTee), env, decorator, cancel, args);
        return new Result(code, out.toString(), err.toString());
    }

    /**
     * Starts {@code run(cancel, onErr, args)} on a thread of its own, for a command that runs while the test does something
     * else. Not on the common pool: it has one thread on two cores, so a second command would queue behind a held first.
     */
    public java.util.concurrent.CompletableFuture<Result> start(CancelToken cancel, java.util.function.Consumer<String> onErr,
                                                                 String... args) {
        java.util.concurrent.CompletableFuture<Result> result = new java.util.concurrent.CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                result.complete(run(cancel, onErr, args));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, "cli-" + String.join(" ", args));
        t.setDaemon(true);
        t.start();
        return result;
    }

    public java.util.concurrent.CompletableFuture<Result> start(String... args) {
        return start(new CancelToken(), text -> { }, args);
    }

    /** What one invocation did; toString carries both streams so failed assertions show them. */
    public record Result(int exitCode, String out, String err) {
        public JsonNode json() {
            try {
                return MAPPER.readTree(out);
            } catch (Exception e) {
                throw new AssertionError("stdout is not one JSON document: " + this, e);
            }
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err;
        }
    }
}
