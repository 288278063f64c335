package org.mera.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.mera.data.Example;
import org.mera.data.Task;
import org.mera.data.TaskDefinition;
import org.mera.data.TaskDirectory;
import org.mera.io.AtomicFiles;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mera task inspect DIR}: what mera makes of a task directory, before anything trains on it. */
@Command(
        name = "task",
        mixinStandardHelpOptions = true,
        description = "Task directories: see how mera reads one.",
        subcommands = {TaskCommand.Inspect.class, CommandLine.HelpCommand.class})
public final class TaskCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 2;
    }

    @Command(
            name = "inspect",
            mixinStandardHelpOptions = true,
            description = {
                "Print what mera makes of a task directory: its definition, files and examples per label.",
                "The definition comes from its task.yaml, or is inferred from its files; --write saves it as"
                        + " DIR/task.yaml, to edit."
            })
    static final class Inspect implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "DIR", description = "the task directory")
        Path dir;

        @Option(
                names = "--write",
                description = "save the definition as DIR/task.yaml (refused if one exists, unless --overwrite)")
        boolean write;

        @Option(names = "--overwrite", description = "with --write: replace an existing task.yaml")
        boolean overwrite;

        @Override
        public Integer call() throws Exception {
            return CommandErrors.run("task inspect", spec.commandLine().getErr(), this::run);
        }

        private int run() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            TaskDirectory td = TaskDirectory.open(dir);
            TaskDefinition def = td.definition();
            Task t = def.task();
            out.printf(
                    Locale.ROOT,
                    "task %s (%s; definition %s)%n",
                    t.name(),
                    t.isRegression() ? "regression" : t.labels().size() + " classes",
                    def.origin());
            out.print(def.toYamlText().lines().map(l -> "  " + l).reduce("", (a, b) -> a + b + "\n"));
            Map<String, Path> files = new LinkedHashMap<>();
            for (int k : td.kshotKs()) {
                for (int seed : td.kshotSeeds(k)) {
                    files.put("k-shot " + k + "-" + seed + " train", td.kshotTrainFile(k, seed));
                    files.put("k-shot " + k + "-" + seed + " dev", td.kshotDevFile(k, seed));
                }
            }
            put(files, "train", td.trainFile());
            put(files, "dev", td.devFile());
            put(files, "test", td.testFileIfAny());
            if (!td.poolTrainFileIfAny().equals(td.trainFile())) {
                put(files, "pool train", td.poolTrainFileIfAny());
            }
            if (!td.poolDevFileIfAny().equals(td.devFile())) {
                put(files, "pool dev", td.poolDevFileIfAny());
            }
            out.println("splits (examples per label):");
            List<String> gaps = new java.util.ArrayList<>();
            for (Map.Entry<String, Path> e : files.entrySet()) {
                List<Example> rows = td.read(e.getValue());
                out.printf(
                        Locale.ROOT,
                        "  %-22s %6d  %s  %s%n",
                        e.getKey(),
                        rows.size(),
                        counts(t, rows),
                        td.taskDir().relativize(e.getValue().toAbsolutePath().normalize()));
                if (!t.isRegression()) {
                    java.util.Set<String> seen = new java.util.HashSet<>();
                    rows.forEach(x -> seen.add(x.label()));
                    List<String> missing =
                            t.labels().stream().filter(l -> !seen.contains(l)).toList();
                    if (!missing.isEmpty() && !rows.isEmpty()) {
                        gaps.add(e.getKey() + " has no example of " + missing);
                    }
                }
            }
            for (String gap : gaps) {
                // Not an error (a small test file may lack a class), but its scores then say nothing about that class.
                out.println("note: " + gap + "; its scores say nothing about "
                        + (gap.contains(", ") ? "those classes" : "that class"));
            }
            if (td.kshotSeeds(16).isEmpty() && td.trainFile().isPresent()) {
                out.println("no k-shot splits: train, fewshot and experiment sample them from "
                        + td.trainFile().get().getFileName() + " (--k K --seeds ...) and save them with the run");
            }
            if (write) {
                Path yaml = td.taskDir().resolve(TaskDefinition.FILE);
                if (Files.exists(yaml) && !overwrite) {
                    throw new IllegalArgumentException(yaml + " exists; add --overwrite to replace it");
                }
                AtomicFiles.writeString(yaml, def.toYamlText());
                out.println("wrote " + yaml);
            }
            out.flush();
            return 0;
        }

        private static void put(Map<String, Path> files, String name, Optional<Path> file) {
            file.ifPresent(f -> files.put(name, f));
        }

        /** "A=16 B=16" for classification; "mean 2.71 (min 0.0, max 5.0)" for regression. */
        static String counts(Task t, List<Example> rows) {
            if (t.isRegression()) {
                double sum = 0;
                double min = Double.POSITIVE_INFINITY;
                double max = Double.NEGATIVE_INFINITY;
                for (Example e : rows) {
                    double v = Double.parseDouble(e.label());
                    sum += v;
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
                return String.format(Locale.ROOT, "mean %.2f (min %.2f, max %.2f)", sum / rows.size(), min, max);
            }
            Map<String, Integer> c = new TreeMap<>(
                    (a, b) -> Integer.compare(t.labels().indexOf(a), t.labels().indexOf(b)));
            t.labels().forEach(l -> c.put(l, 0));
            rows.forEach(e -> c.merge(e.label(), 1, Integer::sum));
            StringBuilder sb = new StringBuilder();
            c.forEach((l, n) ->
                    sb.append(sb.length() == 0 ? "" : " ").append(l).append('=').append(n));
            return sb.toString();
        }
    }
}
