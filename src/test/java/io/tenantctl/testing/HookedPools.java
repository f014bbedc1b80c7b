package io.tenantctl.testing;

import com.mongodb.MongoCommandException;
import com.mongodb.ServerAddress;
import com.mongodb.client.MongoDatabase;
import io.tenantctl.pool.PoolConnector;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.Document;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

/**
 * Fault injection at the pool seam: a {@link PoolConnector} whose databases pass every {@code runCommand} through a
 * hook first (which may count it, block on a latch, cancel a run, or throw to fail it like FerretDB would).
 */
public final class HookedPools {

    /** Called before every runCommand on any database handed out; throwing fails the command. */
    @FunctionalInterface
    public interface CommandHook {
        void before(String database, Document command);
    }

    private HookedPools() {
    }

    public static PoolConnector onCommand(PoolConnector real, CommandHook hook) {
        return onCommand(real, hook, () -> { });
    }

    /** As {@link #onCommand(PoolConnector, CommandHook)}, with {@code after} run once each command has returned or failed. */
    public static PoolConnector onCommand(PoolConnector real, CommandHook before, CommandHook after) {
        return onCommand(real, before, poolId -> { }, after);
    }

    /** As {@link #onCommand(PoolConnector, CommandHook)}, with {@code onPing} run before every pool ping. */
    public static PoolConnector onCommand(PoolConnector real, CommandHook hook, Runnable onPing) {
        return onCommand(real, hook, poolId -> onPing.run(), (db, cmd) -> { });
    }

    /** Pools whose ping first runs {@code beforePing} with the pool's id; throwing fails that pool's ping (a dead pool). */
    public static PoolConnector onPing(PoolConnector real, java.util.function.Consumer<String> beforePing) {
        return onCommand(real, (db, cmd) -> { }, beforePing, (db, cmd) -> { });
    }

    private static PoolConnector onCommand(PoolConnector real, CommandHook hook, java.util.function.Consumer<String> onPing,
                                           CommandHook after) {
        return new PoolConnector() {
            @Override
            public MongoDatabase database(String poolId, String uri, String name) {
                MongoDatabase db = real.database(poolId, uri, name);
                return (MongoDatabase) Proxy.newProxyInstance(MongoDatabase.class.getClassLoader(), new Class<?>[]{MongoDatabase.class},
                        (proxy, method, args) -> {
                            boolean command = method.getName().equals("runCommand") && args != null && args.length > 0
                                    && args[0] instanceof Document;
                            if (command) {
                                hook.before(name, (Document) args[0]);
                            }
                            try {
                                return method.invoke(db, args);
                            } catch (InvocationTargetException e) {
                                throw e.getCause();
                            } finally {
                                if (command) {
                                    after.before(name, (Document) args[0]);
                                }
                            }
                        });
            }

            @Override
            public void ping(String poolId, String uri) {
                onPing.accept(poolId);
                real.ping(poolId, uri);
            }

            @Override
            public void close() {
                real.close();
            }
        };
    }

    /** Pools whose databases {@code wrap} may replace (by database name), e.g. with a proxy that fails one call. */
    public static PoolConnector onDatabase(PoolConnector real, java.util.function.BiFunction<String, MongoDatabase, MongoDatabase> wrap) {
        return databases(real, (poolId, uri, name) -> wrap.apply(name, real.database(poolId, uri, name)));
    }

    /** How a test hands out a pool's databases: by pool id, URI and database name (it calls the real connector itself). */
    @FunctionalInterface
    public interface DatabaseSource {
        MongoDatabase database(String poolId, String uri, String name);
    }

    /** Pools whose databases come from {@code source} (by pool too, unlike {@link #onDatabase}); ping and close are {@code real}'s. */
    public static PoolConnector databases(PoolConnector real, DatabaseSource source) {
        return new PoolConnector() {
            @Override
            public MongoDatabase database(String poolId, String uri, String name) {
                return source.database(poolId, uri, name);
            }

            @Override
            public void ping(String poolId, String uri) {
                real.ping(poolId, uri);
            }

            @Override
            public void close() {
                real.close();
            }
        };
    }

    /**
     * {@code db}, except that a call to a method whose name starts with {@code method} throws the server error
     * {@code code}/{@code message}.
     */
    public static MongoDatabase failing(MongoDatabase db, String method, int code, String message) {
        return (MongoDatabase) Proxy.newProxyInstance(MongoDatabase.class.getClassLoader(), new Class<?>[]{MongoDatabase.class},
                (proxy, m, args) -> {
                    if (m.getName().startsWith(method)) {
                        throw commandError(code, message);
                    }
                    try {
                        return m.invoke(db, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** Run before a call of a database's method; what it throws, the call throws. */
    @FunctionalInterface
    public interface CallHook {
        void before() throws Exception;
    }

    /** As {@link CallHook}, given the call's arguments ({@code null} for a method without any). */
    @FunctionalInterface
    public interface CallArgsHook {
        void before(Object[] args) throws Exception;
    }

    /** {@code db}, running {@code hook} before each call of its method {@code method} (e.g. "listCollectionNames"). */
    public static MongoDatabase beforeEach(MongoDatabase db, String method, CallHook hook) {
        return beforeEach(db, method, args -> hook.before());
    }

    /** As {@link #beforeEach(MongoDatabase, String, CallHook)}, the hook given each call's arguments. */
    public static MongoDatabase beforeEach(MongoDatabase db, String method, CallArgsHook hook) {
        return (MongoDatabase) Proxy.newProxyInstance(MongoDatabase.class.getClassLoader(), new Class<?>[]{MongoDatabase.class},
                (proxy, m, args) -> {
                    if (m.getName().equals(method)) {
                        hook.before(args);
                    }
                    try {
                        return m.invoke(db, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /**
     * Pools on which {@code hook} runs before each unfiltered {@code find()} of {@code collection} in database
     * {@code database} (a restore's read-back of that collection); what it throws, the find throws.
     */
    public static PoolConnector beforeWholeFind(PoolConnector real, String database, String collection, CallHook hook) {
        return aroundCollectionCall(real, database::equals, "find", (name, args, find) -> {
            if (name.equals(collection) && (args == null || args.length == 0)) {
                hook.before();
            }
            return find.get();
        });
    }

    /** What a test does in place of one collection call: {@code call.get()} makes the call (or not) and returns its result. */
    @FunctionalInterface
    public interface Around {
        Object call(String collection, Object[] args, Call call) throws Throwable;
    }

    /** The call an {@link Around} wraps. */
    @FunctionalInterface
    public interface Call {
        Object get() throws Throwable;
    }

    /**
     * Pools on which each call of the collection method {@code method} (e.g. "insertMany") in a database {@code database}
     * accepts goes through {@code around}: to fail it before or after it is made, as a connection lost there would.
     */
    public static PoolConnector aroundCollectionCall(PoolConnector real, java.util.function.Predicate<String> database, String method,
                                                     Around around) {
        return onDatabase(real, (name, db) -> !database.test(name) ? db : aroundCollectionCall(db, method, around));
    }

    /** {@code db}, each call of the collection method {@code method} on any of its collections going through {@code around}. */
    public static MongoDatabase aroundCollectionCall(MongoDatabase db, String method, Around around) {
        return forwarding(MongoDatabase.class, db, (m, args, call) -> m.getName().equals("getCollection")
                ? forwarding(com.mongodb.client.MongoCollection.class, call.get(), (cm, cargs, inner) ->
                        cm.getName().equals(method) ? around.call((String) args[0], cargs, inner) : inner.get())
                : call.get());
    }

    /**
     * {@code find} (a collection's find, as an {@link Around} is handed it), except that a cursor opened from it, when
     * {@code drops} says so (given the projection asked for, or null), fails once it has served {@code served} documents as
     * one whose connection was cut before its next batch came: "Prematurely reached end of stream".
     */
    public static Object dropsItsCursor(Object find, int served, java.util.function.Predicate<org.bson.conversions.Bson> drops) {
        org.bson.conversions.Bson[] projection = {null};
        Object[] self = {null};
        self[0] = forwarding(com.mongodb.client.FindIterable.class, find, (m, args, call) -> {
            if (m.getName().equals("projection")) {
                projection[0] = (org.bson.conversions.Bson) args[0];
            }
            Object result = call.get();
            if (result == find) {
                return self[0]; // a setter (projection, sort, batchSize…): the chain goes on through this proxy
            }
            if (!(result instanceof com.mongodb.client.MongoCursor<?> cursor) || !drops.test(projection[0])) {
                return result;
            }
            int[] seen = {0};
            return forwarding(com.mongodb.client.MongoCursor.class, cursor, (cm, cargs, next) -> {
                boolean reads = java.util.Set.of("hasNext", "next", "tryNext").contains(cm.getName());
                if (reads && seen[0] == served) {
                    seen[0]++; // once
                    throw new com.mongodb.MongoSocketReadException("Prematurely reached end of stream", new ServerAddress());
                }
                Object out = next.get();
                if (!cm.getName().equals("hasNext") && reads && out != null && seen[0] < served) {
                    seen[0]++;
                }
                return out;
            });
        });
        return self[0];
    }

    /** What a {@link #forwarding} proxy does with one call: {@code call.get()} makes it on the target. */
    private interface Forward {
        Object on(java.lang.reflect.Method method, Object[] args, Call call) throws Throwable;
    }

    @SuppressWarnings("unchecked")
    private static <T> T forwarding(Class<T> type, Object target, Forward forward) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[]{type}, (p, method, args) -> forward.on(method, args, () -> {
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }));
    }

    /**
     * Pools of which {@code poolId} falls silent while {@code silent} says so, as a pool whose server died does: its
     * ping, every call on a database handed out, and every call on a collection of one, refused as a connection to its
     * address is refused ({@link #refusedBy}). The real server is left as it was, for the test to read afterwards.
     */
    public static PoolConnector silentWhile(PoolConnector real, String poolId, java.util.function.BooleanSupplier silent) {
        return new PoolConnector() {
            @Override
            public MongoDatabase database(String pool, String uri, String name) {
                MongoDatabase db = real.database(pool, uri, name);
                return !pool.equals(poolId) ? db : forwarding(MongoDatabase.class, db, (m, args, call) -> {
                    if (silent.getAsBoolean()) {
                        throw refusedBy(uri);
                    }
                    Object out = call.get();
                    return !(out instanceof com.mongodb.client.MongoCollection<?> c) ? out
                            : forwarding(com.mongodb.client.MongoCollection.class, c, (cm, cargs, inner) -> {
                                if (silent.getAsBoolean()) {
                                    throw refusedBy(uri);
                                }
                                return inner.get();
                            });
                });
            }

            @Override
            public void ping(String pool, String uri) {
                if (pool.equals(poolId) && silent.getAsBoolean()) {
                    throw refusedBy(uri);
                }
                real.ping(pool, uri);
            }

            @Override
            public void close() {
                real.close();
            }
        };
    }

    /** What the driver throws when the server at {@code uri}'s address refuses a connection (its process gone). */
    public static com.mongodb.MongoSocketOpenException refusedBy(String uri) {
        return new com.mongodb.MongoSocketOpenException("Exception opening socket", new ServerAddress(new com.mongodb.ConnectionString(uri)
                .getHosts().get(0)), new java.net.ConnectException("Connection refused"));
    }

    /** True when {@code command} is the command {@code name} (its first key), e.g. "createIndexes". */
    public static boolean is(Document command, String name) {
        return !command.isEmpty() && command.keySet().iterator().next().equals(name);
    }

    /** The error a server answers with: {@code {ok: 0, code, errmsg}}, e.g. FerretDB's deadlock (1, "deadlock detected"). */
    public static MongoCommandException commandError(int code, String message) {
        return new MongoCommandException(new BsonDocument("ok", new BsonDouble(0)).append("code", new BsonInt32(code))
                .append("errmsg", new BsonString(message)), new ServerAddress());
    }
}
