package io.tenantctl.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Drops the catalog databases a test class made once it has ended (after its own {@code @AfterAll}), so that a test
 * JVM's embedded server holds one class's databases at a time rather than every database of the suite — in memory
 * ({@link TestCatalog}). Registered for every test class (META-INF/services, junit-platform.properties); a nested
 * class's end leaves its enclosing class's databases alone.
 */
public final class DropTestDatabases implements AfterAllCallback {

    @Override
    public void afterAll(ExtensionContext context) {
        if (context.getParent().filter(p -> p.getParent().isEmpty()).isPresent()) { // a top-level class: its parent is the engine
            TestCatalog.dropCreated();
        }
    }
}
