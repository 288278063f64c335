package org.mera.merge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.mera.io.Json;

/**
 * Tracks: families of tasks whose adapters MerA merges ("same-track"). The built-ins follow AdapterHub's
 * grouping of the GLUE adapters: paraphrase (sts) = MRPC, QQP, STS-B; inference (nli) = MNLI, QNLI, RTE;
 * sentiment = SST-2; acceptability (lingaccept) = CoLA; plus the WordNet suite's tracks. Task names match ignoring case and punctuation
 * (STS-B = stsb = sts_b). A task belongs to at most one track.
 */
public final class Tracks {
    private final Map<String, List<String>> tracks;

    private Tracks(Map<String, List<String>> tracks) {
        Map<String, List<String>> copy = new LinkedHashMap<>();
        Map<String, String> owner = new java.util.HashMap<>();
        tracks.forEach((track, tasks) -> {
            for (String t : tasks) {
                String prev = owner.put(normalize(t), track);
                if (prev != null) {
                    throw new IllegalArgumentException("task '" + t + "' is in two tracks: " + prev + " and " + track);
                }
            }
            copy.put(track, List.copyOf(tasks));
        });
        this.tracks = Collections.unmodifiableMap(copy);
    }

    /** The tracks of every built-in task (GLUE and the WordNet suite), as the task registry defines them. */
    public static Tracks builtIn() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (org.mera.data.Task t : org.mera.data.TaskRegistry.standard().tasks()) {
            m.computeIfAbsent(t.track(), k -> new java.util.ArrayList<>()).add(t.name());
        }
        return new Tracks(m);
    }

    public static Tracks of(Map<String, List<String>> tracks) {
        return new Tracks(tracks);
    }

    /**
     * Reads tracks from YAML or JSON: either {@code {tracks: {name: [task, ...]}}} or the map itself. With
     * {@code extendBuiltIn}, the file's tracks replace or add to the built-ins.
     */
    public static Tracks load(Path file, boolean extendBuiltIn) throws IOException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        ObjectMapper mapper = name.endsWith(".yaml") || name.endsWith(".yml") ? Json.YAML : Json.PLAIN;
        JsonNode root;
        try {
            root = mapper.readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not valid YAML/JSON: " + e.getOriginalMessage(), e);
        }
        if (root != null && root.has("tracks")) {
            root = root.get("tracks");
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(file + ": expected a map of track name to a list of task names");
        }
        Map<String, List<String>> m = new LinkedHashMap<>(extendBuiltIn ? builtIn().tracks : Map.of());
        var it = root.properties().iterator();
        while (it.hasNext()) {
            var e = it.next();
            if (!e.getValue().isArray()) {
                throw new IllegalArgumentException(
                        file + ": track '" + e.getKey() + "' must be a list of task names, got " + e.getValue());
            }
            List<String> tasks = new ArrayList<>();
            for (JsonNode t : e.getValue()) {
                if (!t.isTextual()) {
                    throw new IllegalArgumentException(
                            file + ": track '" + e.getKey() + "' holds a non-string task " + t);
                }
                tasks.add(t.textValue());
            }
            m.put(e.getKey(), tasks);
        }
        try {
            return new Tracks(m);
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException(file + ": " + ex.getMessage(), ex);
        }
    }

    /** Track name → its tasks, in definition order. */
    public Map<String, List<String>> tracks() {
        return tracks;
    }

    public Optional<String> trackOf(String task) {
        String n = normalize(task);
        for (var e : tracks.entrySet()) {
            for (String t : e.getValue()) {
                if (normalize(t).equals(n)) {
                    return Optional.of(e.getKey());
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The candidates in the target's track, in the candidates' order, never the target itself. An unknown
     * target task has no track: the result is empty.
     */
    public List<String> sameTrackSources(String target, List<String> candidates) {
        Optional<String> track = trackOf(target);
        if (track.isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String c : candidates) {
            if (!normalize(c).equals(normalize(target)) && track.equals(trackOf(c))) {
                out.add(c);
            }
        }
        return out;
    }

    /** Lower case without punctuation: STS-B, sts_b and stsb are one task. */
    public static String normalize(String task) {
        return task.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    }
}
