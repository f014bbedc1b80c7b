package io.tenantctl.ops;

import io.tenantctl.catalog.Catalog;
import io.tenantctl.catalog.RunRepository;

import java.util.List;

/** The {@code runs} noun: the recorded history of fan-out verbs. */
public final class Runs {

    public record Detail(RunRepository.Run run, List<RunRepository.Item> items) {
    }

    private final Catalog catalog;

    public Runs(Catalog catalog) {
        this.catalog = catalog;
    }

    public List<RunRepository.Run> list(int limit) {
        return catalog.runs().list(limit);
    }

    public Detail show(String runId) {
        return new Detail(catalog.runs().get(runId), catalog.runs().items(runId));
    }
}
