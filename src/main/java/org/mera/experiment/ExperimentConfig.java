package org.mera.experiment;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One experiment grid as written in YAML. Relative paths are resolved against the config file's folder.
 * Lists keep their order (it fixes the order cells run in). Checking (unknown tasks, missing files...)
 * is {@link ConfigValidator}'s job, so that every problem is reported at once rather than the first.
 *
 * @param tracks          track name → tasks; empty = AdapterHub's grouping ({@link TaskCatalog#DEFAULT_TRACKS})
 * @param primaryMetrics  task → metric, overriding/extending {@link TaskCatalog#GLUE_METRICS}
 * @param dataRoot        folder holding the built-in tasks' data (GLUE layout); may be null when every target and source
 *                        is a directory
 * @param targets         built-in task names or task directories (docs/tasks.md)
 * @param sources         built-in task names, task directories or adapter directories (mera, AdapterHub, PEFT LoRA);
 *                        empty = every built-in task with a pool under dataRoot
 * @param allowTargetSource if true, a target's own pretrained adapter may be among its sources (leaks the
 *                          target's pool into its few-shot result; off by default and flagged in reports)
 * @param cacheDir        artifact cache (source/merged adapters); null = {@code <outputDir>/artifacts}
 * @param exclude         combinations left out of the grid (like a CI matrix's exclude), e.g. same-track merging
 *                        for targets whose track has no other task
 */
public record ExperimentConfig(
        String name,
        Path dataRoot,
        Path outputDir,
        Path cacheDir,
        List<String> encoders,
        List<String> targets,
        List<Integer> k,
        List<Integer> seeds,
        List<String> methods,
        List<String> sources,
        boolean allowTargetSource,
        Map<String, List<String>> tracks,
        Map<String, String> primaryMetrics,
        Map<String, Map<String, Object>> hyperparameters,
        List<Exclusion> exclude) {
    public static final List<Integer> DEFAULT_SEEDS = List.of(13, 21, 42, 87, 100);
    public static final List<Integer> DEFAULT_K = List.of(16);

    public ExperimentConfig {
        encoders = copy(encoders);
        targets = copy(targets);
        k = k == null || k.isEmpty() ? DEFAULT_K : copy(k);
        seeds = seeds == null || seeds.isEmpty() ? DEFAULT_SEEDS : copy(seeds);
        methods = copy(methods);
        sources = copy(sources);
        Map<String, List<String>> t = new LinkedHashMap<>();
        if (tracks != null) {
            tracks.forEach((key, v) -> t.put(key, copy(v)));
        }
        tracks = Collections.unmodifiableMap(t);
        primaryMetrics =
                primaryMetrics == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(primaryMetrics));
        Map<String, Map<String, Object>> h = new LinkedHashMap<>();
        if (hyperparameters != null) {
            hyperparameters.forEach(
                    (key, v) -> h.put(key, v == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(v))));
        }
        hyperparameters = Collections.unmodifiableMap(h);
        exclude = copy(exclude);
    }

    /**
     * Leaves out every cell whose encoder, target and method are each listed (an empty or absent list matches
     * anything).
     */
    public record Exclusion(List<String> encoders, List<String> targets, List<String> methods) {
        public Exclusion {
            encoders = copy(encoders);
            targets = copy(targets);
            methods = copy(methods);
        }

        public boolean matches(String encoder, String target, String method) {
            return (encoders.isEmpty() || encoders.contains(encoder))
                    && (targets.isEmpty() || targets.contains(target))
                    && (methods.isEmpty() || methods.contains(method));
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            if (!encoders.isEmpty()) {
                m.put("encoders", encoders);
            }
            if (!targets.isEmpty()) {
                m.put("targets", targets);
            }
            if (!methods.isEmpty()) {
                m.put("methods", methods);
            }
            return m;
        }
    }

    /** True if an {@link #exclude} entry leaves this combination out. */
    public boolean excluded(String encoder, String target, String method) {
        return exclude.stream().anyMatch(e -> e.matches(encoder, target, method));
    }

    private static <T> List<T> copy(List<T> list) {
        // List.copyOf rejects nulls; a YAML "- " entry would be null, which the validator reports by position.
        return list == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(list));
    }

    /** Where cached artifacts go. */
    public Path effectiveCacheDir() {
        return cacheDir != null ? cacheDir : outputDir.resolve("artifacts");
    }

    /** The same grid written to another output folder (the CLI's --out). */
    public ExperimentConfig withOutputDir(Path out) {
        return new ExperimentConfig(
                name,
                dataRoot,
                out,
                cacheDir,
                encoders,
                targets,
                k,
                seeds,
                methods,
                sources,
                allowTargetSource,
                tracks,
                primaryMetrics,
                hyperparameters,
                exclude);
    }

    /** The YAML file's shape; fields are public so Jackson reads them, unknown fields are an error. */
    static final class Raw {
        public String name;
        public String dataRoot;
        public String outputDir;
        public String cacheDir;
        public List<String> encoders;

        @JsonProperty("targets")
        public List<String> targets;

        public List<Integer> k;
        public List<Integer> seeds;
        public List<String> methods;
        public List<String> sources;
        public boolean allowTargetSource;
        public Map<String, List<String>> tracks;
        public Map<String, String> primaryMetrics;
        public Map<String, Map<String, Object>> hyperparameters;
        public List<RawExclusion> exclude;
    }

    static final class RawExclusion {
        public List<String> encoders;
        public List<String> targets;
        public List<String> methods;
    }

    public static ExperimentConfig load(Path file) throws IOException {
        return load(file, null);
    }

    /**
     * Reads a config; {@code outputOverride} (the CLI's --out, may be null) replaces {@code outputDir}, which may
     * then be absent from the file. Every fault names the file, and the field or line.
     */
    public static ExperimentConfig load(Path file, Path outputOverride) throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        Raw raw;
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfigFileException(file, "experiment config " + file + " does not exist", e);
        }
        if (new String(bytes, java.nio.charset.StandardCharsets.UTF_8)
                .lines()
                .allMatch(l ->
                        l.isBlank() || l.strip().startsWith("#") || l.strip().equals("---"))) {
            throw new ConfigFileException(
                    file, "experiment config " + file + " is empty; see docs/experiments.md for the fields");
        }
        try {
            raw = yaml.readValue(bytes, Raw.class);
        } catch (UnrecognizedPropertyException e) {
            List<String> known = e.getKnownPropertyIds().stream()
                    .map(String::valueOf)
                    .sorted()
                    .toList();
            throw new ConfigFileException(
                    file,
                    "experiment config " + file + at(e) + ": unknown field '" + e.getPropertyName() + "'"
                            + org.mera.io.NearestName.hint(e.getPropertyName(), known) + " (known: "
                            + String.join(", ", known) + ")",
                    e);
        } catch (JsonMappingException e) {
            if (e.getCause() instanceof com.fasterxml.jackson.core.JsonProcessingException parse) {
                throw new ConfigFileException(
                        file,
                        "experiment config " + file + at(parse) + ": "
                                + (e.getPath().isEmpty()
                                        ? "not valid YAML: "
                                        : "cannot read field " + fieldPath(e) + ": ")
                                + parse.getOriginalMessage().lines().findFirst().orElse(""),
                        e);
            }
            throw new ConfigFileException(
                    file,
                    "experiment config " + file + at(e) + ": "
                            + e.getOriginalMessage().lines().findFirst().orElse("")
                            + (e.getPath().isEmpty() ? "" : " in field " + fieldPath(e)),
                    e);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ConfigFileException(
                    file,
                    "experiment config " + file + at(e) + ": not valid YAML: "
                            + e.getOriginalMessage().lines().findFirst().orElse(""),
                    e);
        }
        if (raw == null) {
            throw new ConfigFileException(file, "experiment config " + file + " is empty");
        }
        if (outputOverride != null) {
            raw.outputDir = outputOverride.toAbsolutePath().toString();
        }
        Path base = file.toAbsolutePath().getParent();
        List<String> missing = new ArrayList<>();
        if (raw.name == null || raw.name.isBlank()) {
            missing.add("name");
        }
        if (raw.outputDir == null) {
            missing.add("outputDir");
        }
        if (!missing.isEmpty()) {
            throw new ConfigFileException(
                    file,
                    "experiment config " + file + ": missing required field(s) " + missing
                            + (missing.contains("outputDir") ? " (or give --out DIR)" : ""));
        }
        return new ExperimentConfig(
                raw.name,
                raw.dataRoot == null ? null : resolve(base, raw.dataRoot),
                resolve(base, raw.outputDir),
                raw.cacheDir == null ? null : resolve(base, raw.cacheDir),
                raw.encoders,
                directories(base, raw.targets),
                raw.k,
                raw.seeds,
                raw.methods,
                directories(base, raw.sources),
                raw.allowTargetSource,
                raw.tracks,
                raw.primaryMetrics,
                raw.hyperparameters,
                raw.exclude == null
                        ? List.of()
                        : raw.exclude.stream()
                                .map(e -> e == null
                                        ? new Exclusion(null, null, null)
                                        : new Exclusion(e.encoders, e.targets, e.methods))
                                .toList());
    }

    /**
     * Entries that are task or adapter directories (relative to the config file's folder) become absolute paths;
     * built-in task names stay as they are.
     */
    private static List<String> directories(Path base, List<String> entries) {
        if (entries == null) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (String e : entries) {
            out.add(
                    org.mera.data.TaskCatalogue.isDirectory(e, base)
                            ? resolve(base, e).toString()
                            : e);
        }
        return out;
    }

    private static String at(com.fasterxml.jackson.core.JsonProcessingException e) {
        return e.getLocation() == null || e.getLocation().getLineNr() < 1
                ? ""
                : " line " + e.getLocation().getLineNr();
    }

    private static String fieldPath(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                sb.append(sb.length() == 0 ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return "'" + sb + "'";
    }

    private static Path resolve(Path base, String p) {
        return base.resolve(p).normalize();
    }

    /** A JSON/YAML-friendly view (paths as strings), stored next to the results and shown in reports. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("dataRoot", dataRoot == null ? null : dataRoot.toString());
        m.put("outputDir", String.valueOf(outputDir));
        m.put("cacheDir", String.valueOf(effectiveCacheDir()));
        m.put("encoders", encoders);
        m.put("targets", targets);
        m.put("k", k);
        m.put("seeds", seeds);
        m.put("methods", methods);
        m.put("sources", sources);
        m.put("allowTargetSource", allowTargetSource);
        m.put("tracks", tracks);
        m.put("primaryMetrics", primaryMetrics);
        m.put("hyperparameters", hyperparameters);
        if (!exclude.isEmpty()) {
            m.put("exclude", exclude.stream().map(Exclusion::toMap).toList());
        }
        return m;
    }
}
