package io.tenantctl.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An in-process TCP proxy on loopback in front of one target (a stand-in pool, S3Proxy), switchable at run time between
 * the network faults tenantctl must survive:
 * <ul>
 *   <li>{@link #passThrough()}: bytes flow both ways untouched;</li>
 *   <li>{@link #latency(Duration)}: every chunk forwarded, in either direction, waits that long first;</li>
 *   <li>{@link #cutAll()}: every open connection is closed now, both sides (new connections are still accepted);
 *       {@link #cutEvery(long)} keeps doing it: each connection is closed once it has carried N bytes;</li>
 *   <li>{@link #blackHole()}: connections are accepted and read, nothing is forwarded or answered, so the client waits
 *       for its own socket or operation timeout.</li>
 * </ul>
 * Faults can be armed on deterministic triggers instead of timers: {@link #afterBytes(long, Runnable)} runs an action
 * (e.g. {@code proxy::cutAll}, {@code proxy::blackHole}) once N more bytes have flowed through the proxy (both directions
 * counted, the chunk that crosses the line is not forwarded), {@link #afterConnections(int, Runnable)} once K more
 * connections were accepted (before the K-th is served). One thread accepts; two threads per connection copy.
 */
public final class FaultProxy implements AutoCloseable {

    private enum Mode { PASS, BLACK_HOLE }

    private final InetSocketAddress target;
    private final ServerSocket server;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private volatile Mode mode = Mode.PASS;
    private volatile long latencyMillis;
    private volatile long cutEveryBytes = -1;
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicReference<Trigger> trigger = new AtomicReference<>();
    private volatile boolean closed;

    private record Trigger(boolean onBytes, long threshold, Runnable action) {
    }

    private FaultProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "fault-proxy-accept-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A proxy on 127.0.0.1 in front of {@code host:port}, passing everything through. */
    public static FaultProxy to(String host, int port) {
        try {
            return new FaultProxy(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A proxy in front of the host:port of a {@code mongodb://host:port…} or {@code http://host:port…} URI. */
    public static FaultProxy to(String uri) {
        java.net.URI u = java.net.URI.create(uri);
        return to(u.getHost(), u.getPort());
    }

    public int port() {
        return server.getLocalPort();
    }

    /** {@code uri} with its host:port replaced by the proxy's (the scheme, path and query kept). */
    public String uriFor(String uri) {
        return uri.replaceFirst("//[^/?]+", "//127.0.0.1:" + port());
    }

    public FaultProxy passThrough() {
        trigger.set(null);
        latencyMillis = 0;
        cutEveryBytes = -1;
        mode = Mode.PASS;
        return this;
    }

    /** Each chunk waits {@code perChunk} before it is forwarded. */
    public FaultProxy latency(Duration perChunk) {
        latencyMillis = perChunk.toMillis();
        return this;
    }

    /** Accept and read, never forward nor answer, on open connections and new ones. */
    public FaultProxy blackHole() {
        mode = Mode.BLACK_HOLE;
        return this;
    }

    /** Closes every open connection now. */
    public FaultProxy cutAll() {
        for (Link l : links) {
            l.close();
        }
        return this;
    }

    /** From now on every connection is closed as soon as it has carried {@code n} bytes (0: as soon as it is accepted). */
    public FaultProxy cutEvery(long n) {
        cutEveryBytes = n;
        cutAll();
        return this;
    }

    /** Runs {@code action} once, when {@code n} more bytes have flowed; the chunk that reaches {@code n} is held back. */
    public FaultProxy afterBytes(long n, Runnable action) {
        trigger.set(new Trigger(true, bytes.get() + n, action));
        return this;
    }

    /** Runs {@code action} once, when the {@code k}-th connection from now is accepted, before it is served. */
    public FaultProxy afterConnections(int k, Runnable action) {
        trigger.set(new Trigger(false, connections.get() + k, action));
        return this;
    }

    /** Whether an armed trigger has fired (or none is armed). */
    public boolean fired() {
        return trigger.get() == null;
    }

    /** Bytes forwarded or swallowed so far, both directions. */
    public long bytes() {
        return bytes.get();
    }

    public int connectionsAccepted() {
        return connections.get();
    }

    public int openConnections() {
        return links.size();
    }

    private void fire(boolean onBytes, long value) {
        Trigger t = trigger.get();
        if (t != null && t.onBytes() == onBytes && value >= t.threshold() && trigger.compareAndSet(t, null)) {
            t.action().run();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            fire(false, connections.incrementAndGet());
            Link link = new Link(client);
            links.add(link);
            if (cutEveryBytes == 0) {
                link.close();
                continue;
            }
            try {
                link.upstream = new Socket();
                link.upstream.connect(target, 2_000);
            } catch (IOException e) {
                link.close();
                continue;
            }
            if (link.closed) {
                link.close();
                continue;
            }
            start(link, link.client, link.upstream, "c2s");
            start(link, link.upstream, link.client, "s2c");
        }
    }

    private void start(Link link, Socket from, Socket to, String dir) {
        Thread t = new Thread(() -> pump(link, from, to), "fault-proxy-" + port() + "-" + dir);
        t.setDaemon(true);
        t.start();
    }

    private void pump(Link link, Socket from, Socket to) {
        byte[] buf = new byte[16 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            for (int n; (n = in.read(buf)) >= 0; ) {
                long total = bytes.addAndGet(n);
                long carried = link.carried.addAndGet(n);
                fire(true, total);
                if (link.closed) {
                    return;
                }
                long every = cutEveryBytes;
                if (every >= 0 && carried >= every) {
                    link.close();
                    return;
                }
                if (mode == Mode.BLACK_HOLE) {
                    continue; // swallowed: read, never forwarded, never answered
                }
                long delay = latencyMillis;
                if (delay > 0) {
                    Thread.sleep(delay);
                }
                if (link.closed) {
                    return;
                }
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // the other side or cutAll closed it
        } finally {
            link.close();
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        cutAll();
    }

    /** One client connection and its upstream. */
    private final class Link {
        final Socket client;
        volatile Socket upstream;
        final AtomicLong carried = new AtomicLong();
        volatile boolean closed;

        Link(Socket client) {
            this.client = client;
        }

        void close() {
            closed = true;
            links.remove(this);
            quietly(client);
            Socket u = upstream;
            if (u != null) {
                quietly(u);
            }
        }

        private void quietly(Socket s) {
            try {
                s.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

}
