package io.tenantctl.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tenantctl.catalog.Catalog;
import io.tenantctl.catalog.RunRepository;

import java.time.Instant;
import java.util.List;

/** The {@code runs} noun: the recorded history of fan-out verbs. */
public final class Runs {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** A run as shown to people: its stored arguments and summary as JSON values, not as strings holding JSON. */
    public record RunView(String runId, String verb, JsonNode args, Instant startedAt, Instant finishedAt, String status,
                          String actor, JsonNode summary) {
        static RunView of(RunRepository.Run r) {
            return new RunView(r.runId(), r.verb(), tree(r.args()), r.startedAt(), r.finishedAt(), r.status(), r.actor(),
                    tree(r.summary()));
        }
    }

    public record Detail(RunView run, List<RunRepository.Item> items) {
    }

    private final Catalog catalog;

    public Runs(Catalog catalog) {
        this.catalog = catalog;
    }

    public List<RunView> list(int limit) {
        return catalog.runs().list(limit).stream().map(RunView::of).toList();
    }

    public Detail show(String runId) {
        return new Detail(RunView.of(catalog.runs().get(runId)), catalog.runs().items(runId));
    }

    private static JsonNode tree(String json) {
        if (json == null) {
            return null;
        }
        try {
            return MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            return MAPPER.getNodeFactory().textNode(json);
        }
    }
}
