package io.tenantctl.cli;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a flag that lets a command drop or overwrite data (restore --drop-existing, migrate-all --prune, orgs delete
 * --no-backup, …): typed on the command line each time, never filled from a config file, where {@code prune=true}
 * would make every rollout drop the indexes its manifest does not list.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
@interface Destroys {
}
