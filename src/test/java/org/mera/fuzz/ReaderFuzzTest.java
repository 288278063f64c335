package org.mera.fuzz;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mera.adapter.AdapterHubFormat;
import org.mera.adapter.EncoderInfo;
import org.mera.adapter.HeadConfig;
import org.mera.adapter.PredictionHead;
import org.mera.adapter.bottleneck.AdapterHubDirectory;
import org.mera.adapter.bottleneck.AdapterWeights;
import org.mera.adapter.bottleneck.BottleneckConfig;
import org.mera.cli.MergeCommand;
import org.mera.data.Example;
import org.mera.data.ExampleFileException;
import org.mera.data.ExampleReader;
import org.mera.data.GlueTasks;
import org.mera.data.Task;
import org.mera.data.TaskDefinition;
import org.mera.experiment.ConfigFileException;
import org.mera.experiment.ConfigValidator;
import org.mera.experiment.ExperimentConfig;
import org.mera.experiment.Grid;
import org.mera.experiment.Hyperparameters;
import org.mera.io.MalformedFileException;
import org.mera.io.SafeTensors;
import org.mera.io.Tensor;
import org.mera.merge.RandomAdapters;
import picocli.CommandLine;

/**
 * Issue 23, item 7: seeded mutations of valid files thrown at mera's readers. Every case must end either in a
 * successful read whose result keeps the reader's promises, or in the exception type the reader documents (whose
 * message names the file): never an unchecked exception of another kind, never a hang (each case runs under
 * {@code assertTimeoutPreemptively}, a guard only: the cases are counted, not timed), never a silent accept of a
 * fault the reader can see. The seed and the number of cases are fixed, so a failure reproduces exactly.
 *
 * <p>Contracts: safetensors → {@link MalformedFileException}; adapter and head config JSON → MalformedFileException or
 * an IllegalArgumentException naming the file (both one line, exit 1, in the CLI); task data files →
 * {@link ExampleFileException}; task.yaml → ExampleFileException; experiment configs → {@link ConfigFileException}
 * at load and problems (never an exception) from validation; merge recipes → through {@code mera merge}, a one-line
 * error with exit code 1 or 2, never exit code 3 (a bug) or a stack trace.
 */
class ReaderFuzzTest {
    /**
     * Fixed for the default suite; {@code -Dmera.fuzz.seed=N -Dmera.fuzz.scale=K} explores further (K times the cases,
     * another seed) by hand, and every defect found that way gets a fixed regression case.
     */
    static final long SEED = Long.getLong("mera.fuzz.seed", 20261202L);

    private static final int SCALE = Integer.getInteger("mera.fuzz.scale", 1);
    static final int SAFETENSORS_CASES = 400 * SCALE;
    static final int ADAPTER_CONFIG_CASES = 200 * SCALE;
    static final int HEAD_CONFIG_CASES = 150 * SCALE;
    static final int DATA_FILE_CASES = 450 * SCALE;
    static final int TASK_YAML_CASES = 150 * SCALE;
    static final int EXPERIMENT_CONFIG_CASES = 200 * SCALE;
    static final int RECIPE_CASES = 120 * SCALE;
    static final int RESULTS_FILE_CASES = 200 * SCALE;
    /** A hang guard: a normal case takes milliseconds. */
    private static final Duration HANG = Duration.ofSeconds(30);

    private static final EncoderInfo ENC = new EncoderInfo("bert-base-uncased", "bert", "BertAdapterModel", 8);

    /** Counts cases and collects every contract breach, so one run reports all of them. */
    private static final class Cases {
        final String reader;
        final List<String> breaches = new ArrayList<>();
        int cases;
        int accepted;

        Cases(String reader) {
            this.reader = reader;
        }

        /** Runs one case: {@code read} must return (then {@code check} its result) or throw what {@code documented} allows. */
        <T> void run(int n, String mutation, Callable<T> read, Predicate<Throwable> documented, Predicate<T> check) {
            cases++;
            Throwable thrown;
            try {
                T result = assertTimeoutPreemptively(
                        HANG, read::call, () -> reader + " case " + n + " hangs (" + mutation + ")");
                if (check != null && !check.test(result)) {
                    breaches.add(reader + " case " + n + " (" + mutation
                            + "): accepted, but the result breaks the reader's promises: " + result);
                }
                accepted++;
                return;
            } catch (org.opentest4j.AssertionFailedError hang) {
                throw hang;
            } catch (Throwable t) {
                thrown = t;
            }
            if (!documented.test(thrown)) {
                StringWriter trace = new StringWriter();
                thrown.printStackTrace(new PrintWriter(trace));
                breaches.add(reader + " case " + n + " (" + mutation + "): " + thrown + "\n"
                        + trace.toString().lines().limit(8).reduce("", (a, b) -> a + "\n    " + b));
            }
        }

        void assertClean() {
            System.out.println("fuzz " + reader + ": " + cases + " cases, " + accepted + " read, " + (cases - accepted)
                    + " refused");
            assertTrue(breaches.isEmpty(), breaches.size() + " contract breach(es):\n" + String.join("\n", breaches));
        }
    }

    private static boolean namesFile(Throwable t, Path file) {
        return t.getMessage() != null && t.getMessage().contains(file.toString());
    }

    // ---- safetensors -------------------------------------------------------------------------------------

    @Test
    void safetensorsHeadersAndBodies(@TempDir Path tmp) throws Exception {
        Random rng = new Random(SEED);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("a.weight", RandomAdapters.gaussian(rng, 1, 3, 4));
        tensors.put("a.bias", RandomAdapters.gaussian(rng, 1, 4));
        tensors.put("b", RandomAdapters.gaussian(rng, 1, 2, 2, 2));
        Path valid = tmp.resolve("valid.safetensors");
        SafeTensors.write(valid, tensors, Map.of("format", "pt"));
        byte[] base = Files.readAllBytes(valid);
        int headerEnd = 8
                + (int) ByteBuffer.wrap(base, 0, 8)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .getLong();

        Mutator m = new Mutator(SEED);
        Cases cases = new Cases("safetensors");
        Path file = tmp.resolve("case.safetensors");
        for (int n = 0; n < SAFETENSORS_CASES; n++) {
            byte[] bytes;
            String what;
            switch (n % 4) {
                case 0 -> { // header JSON, length prefix kept consistent, so the JSON itself is what is tested
                    byte[] header = m.mutate(java.util.Arrays.copyOfRange(base, 8, headerEnd));
                    what = "header: " + m.description();
                    bytes = withHeader(header, java.util.Arrays.copyOfRange(base, headerEnd, base.length));
                }
                case 1 -> {
                    bytes = m.mutate(base, headerEnd, base.length);
                    what = "body: " + m.description();
                }
                case 2 -> {
                    bytes = base.clone();
                    long len = switch (m.random().nextInt(4)) {
                        case 0 -> m.random().nextLong();
                        case 1 -> headerEnd - 8 + m.random().nextInt(64) - 32;
                        case 2 -> -1 - m.random().nextInt(8);
                        default -> (1L << 40) + m.random().nextInt(1000);
                    };
                    ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(len);
                    what = "header length := " + len;
                }
                default -> {
                    bytes = m.mutate(base);
                    what = "anywhere: " + m.description();
                }
            }
            Files.write(file, bytes);
            cases.run(
                    n,
                    what,
                    () -> SafeTensors.read(file),
                    t -> t instanceof MalformedFileException && namesFile(t, file),
                    contents -> contents.tensors().values().stream().allMatch(ReaderFuzzTest::finiteAndShaped));
        }
        cases.assertClean();
    }

    private static boolean finiteAndShaped(Tensor t) {
        if (t.data().length != Tensor.numel(t.shape())) {
            return false;
        }
        for (float v : t.data()) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    private static byte[] withHeader(byte[] header, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + body.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header).put(body);
        return b.array();
    }

    // ---- adapter and head configs ------------------------------------------------------------------------

    @Test
    void adapterAndHeadConfigs(@TempDir Path tmp) throws Exception {
        AdapterWeights a = RandomAdapters.create("mrpc", BottleneckConfig.pfeiffer(), ENC, 2, 4, 0.1, 1);
        Random rng = new Random(SEED);
        PredictionHead head = new PredictionHead(
                "mrpc",
                HeadConfig.classification(Map.of("0", 0, "1", 1)),
                RandomAdapters.gaussian(rng, 0.02, 8, 8),
                RandomAdapters.gaussian(rng, 0.02, 8),
                RandomAdapters.gaussian(rng, 0.02, 2, 8),
                RandomAdapters.gaussian(rng, 0.02, 2));
        Path dir = tmp.resolve("adapter");
        AdapterHubDirectory.write(dir, a, head);
        Path cfg = dir.resolve(AdapterHubFormat.CONFIG);
        Path headCfg = dir.resolve(AdapterHubFormat.HEAD_CONFIG);
        byte[] cfgBase = Files.readAllBytes(cfg);
        byte[] headBase = Files.readAllBytes(headCfg);

        Mutator m = new Mutator(SEED + 1);
        Cases adapters = new Cases("adapter_config.json");
        for (int n = 0; n < ADAPTER_CONFIG_CASES; n++) {
            Files.write(cfg, m.mutate(cfgBase));
            // A name changed in the config is caught by the weights, whose keys carry the name: the error names that
            // file.
            adapters.run(
                    n,
                    m.description(),
                    () -> AdapterHubDirectory.read(dir),
                    t -> userError(t, dir),
                    w -> w.units().size() == 2 && w.encoder().hiddenSize() == 8);
        }
        Files.write(cfg, cfgBase);
        Cases heads = new Cases("head_config.json");
        for (int n = 0; n < HEAD_CONFIG_CASES; n++) {
            Files.write(headCfg, m.mutate(headBase));
            heads.run(
                    n,
                    m.description(),
                    () -> AdapterHubFormat.readHead(dir),
                    t -> userError(t, dir),
                    h -> h.isPresent()
                            && h.get().config().numLabels()
                                    == h.get().outWeight().shape()[0]);
        }
        adapters.assertClean();
        heads.assertClean();
    }

    /** What the CLI reports as one line naming the file (or folder): MalformedFileException or IllegalArgumentException. */
    private static boolean userError(Throwable t, Path file) {
        return (t instanceof MalformedFileException || t instanceof IllegalArgumentException) && namesFile(t, file);
    }

    // ---- task data files and task.yaml --------------------------------------------------------------------

    @Test
    void taskDataFiles(@TempDir Path tmp) throws Exception {
        Task rte = GlueTasks.RTE;
        Map<String, String> valid = Map.of(
                "tsv",
                        "index\tsentence1\tsentence2\tlabel\n0\tA man sleeps.\tA man rests.\tentailment\n"
                                + "1\tIt \"rains\".\tIt is dry.\tnot_entailment\n2\tcafé, naïve\tCafé.\tentailment\n",
                "jsonl",
                        "{\"text_a\": \"A man sleeps.\", \"text_b\": \"A man rests.\", \"label\": \"entailment\"}\n"
                                + "{\"text_a\": \"It rains, \\\"a lot\\\".\", \"text_b\": \"It is dry.\", \"label\": \"not_entailment\"}\n",
                "csv",
                        "text_a,text_b,label\n\"A man, asleep.\",A man rests.,entailment\n\"It \"\"rains\"\".\",\"It is\ndry.\",not_entailment\n");
        for (String ext : valid.keySet()) {
            Path file = tmp.resolve("base." + ext);
            Files.writeString(file, valid.get(ext));
            assertTrue(keepsPromises(ExampleReader.read(file, rte), rte), ext);
        }
        Mutator m = new Mutator(SEED + 2);
        Cases cases = new Cases("task data files");
        List<String> kinds = List.of("tsv", "jsonl", "csv");
        for (int n = 0; n < DATA_FILE_CASES; n++) {
            String ext = kinds.get(n % 3);
            Path file = tmp.resolve("case-" + n + "." + ext);
            Files.write(file, m.mutate(valid.get(ext).getBytes(StandardCharsets.UTF_8)));
            cases.run(
                    n,
                    ext + ": " + m.description(),
                    () -> ExampleReader.read(file, rte),
                    t -> t instanceof ExampleFileException && namesFile(t, file),
                    examples -> keepsPromises(examples, rte));
        }
        cases.assertClean();

        String yaml =
                "name: reviews\nkind: classification\ntext: review\nlabel: stars\nlabels: [bad, good]\nmetrics: [accuracy, f1]\n";
        Path baseYaml = tmp.resolve("base-task").resolve(TaskDefinition.FILE);
        Files.createDirectories(baseYaml.getParent());
        Files.writeString(baseYaml, yaml);
        TaskDefinition.load(baseYaml);
        Cases yamls = new Cases("task.yaml");
        for (int n = 0; n < TASK_YAML_CASES; n++) {
            Path file = tmp.resolve("task-" + n).resolve(TaskDefinition.FILE);
            Files.createDirectories(file.getParent());
            Files.write(file, m.mutate(yaml.getBytes(StandardCharsets.UTF_8)));
            yamls.run(
                    n,
                    m.description(),
                    () -> TaskDefinition.load(file),
                    t -> t instanceof ExampleFileException && namesFile(t, file),
                    d -> d.task().name() != null);
        }
        yamls.assertClean();
    }

    /** A read file holds examples with text, and labels the task knows. */
    private static boolean keepsPromises(List<Example> examples, Task task) {
        return !examples.isEmpty()
                && examples.stream()
                        .allMatch(e -> e.textA() != null
                                && (!task.pair() || e.textB() != null)
                                && task.labels().contains(e.label()));
    }

    // ---- experiment configs -------------------------------------------------------------------------------

    @Test
    void experimentConfigs(@TempDir Path tmp) throws Exception {
        Path rte = tmp.resolve("glue/RTE");
        for (int seed : List.of(13, 21)) {
            Path d = rte.resolve("k-shot/2-" + seed);
            Files.createDirectories(d);
            String two = "{\"text_a\": \"a\", \"text_b\": \"b\", \"label\": \"entailment\"}\n".repeat(2)
                    + "{\"text_a\": \"a\", \"text_b\": \"c\", \"label\": \"not_entailment\"}\n".repeat(2);
            Files.writeString(d.resolve("train.jsonl"), two);
            Files.writeString(d.resolve("dev.jsonl"), two);
        }
        Files.writeString(
                rte.resolve("test.jsonl"), "{\"text_a\": \"a\", \"text_b\": \"b\", \"label\": \"entailment\"}\n");
        String yaml = String.join(
                "\n",
                "name: fuzz",
                "dataRoot: glue",
                "outputDir: out",
                "encoders: [minilm]",
                "targets: [RTE]",
                "k: [2]",
                "seeds: [13, 21]",
                "methods: [adapter, full]",
                "allowTargetSource: false",
                "hyperparameters:",
                "  default: {lr: 1.0e-4, epochs: 2, batchSize: 4}",
                "  adapter: {reductionFactor: 16}",
                "exclude:",
                "  - {methods: [full], encoders: [minilm]}",
                "");
        Path baseFile = tmp.resolve("base.yaml");
        Files.writeString(baseFile, yaml);
        ExperimentConfig baseConfig = ExperimentConfig.load(baseFile);
        assertTrue(
                new ConfigValidator().validate(baseConfig).isEmpty(),
                "the unmutated config is valid: " + new ConfigValidator().validate(baseConfig));
        Mutator m = new Mutator(SEED + 3);
        Cases cases = new Cases("experiment config");
        for (int n = 0; n < EXPERIMENT_CONFIG_CASES; n++) {
            Path file = tmp.resolve("c" + n + ".yaml");
            Files.write(file, m.mutate(yaml.getBytes(StandardCharsets.UTF_8)));
            cases.run(
                    n,
                    m.description(),
                    () -> {
                        ExperimentConfig c = ExperimentConfig.load(file);
                        List<String> problems = new ConfigValidator().validate(c);
                        // A config that validates must expand; one that does not is refused with its problems listed.
                        return problems.isEmpty()
                                ? Grid.expand(c, "fuzz", Hyperparameters.KNOWN).size()
                                : -problems.size();
                    },
                    t -> t instanceof ConfigFileException
                            && namesFile(t, file)
                            && t.getMessage().lines().count() == 1,
                    size -> size != 0);
        }
        cases.assertClean();
    }

    /** mera merge refused the recipe as the contract says: one line, exit code 1 or 2. */
    private static final class Refused extends Exception {
        Refused(int code) {
            super("exit " + code);
        }
    }

    // ---- merge recipes, through the CLI ------------------------------------------------------------------

    @Test
    void mergeRecipes(@TempDir Path tmp) throws Exception {
        AdapterWeights a = RandomAdapters.create("mrpc", BottleneckConfig.pfeiffer(), ENC, 2, 4, 0.3, 2);
        for (String n : List.of("mrpc", "qqp")) {
            AdapterHubDirectory.write(
                    tmp.resolve(n),
                    n.equals("mrpc") ? a.renamed("mrpc") : RandomAdapters.permuteNeurons(a, n, n.hashCode(), null));
        }
        String recipe = String.join(
                "\n",
                "method: ties",
                "name: merged",
                "output: out",
                "sources:",
                "  - path: ../../mrpc",
                "    weight: 1.0",
                "  - path: ../../qqp",
                "    weight: 0.5",
                "parameters:",
                "  density: 0.5",
                "  majority_sign_method: frequency",
                "  seed: 7",
                "");
        String ot =
                "method: ot\nname: m\noutput: out\nsources: [../../mrpc, ../../qqp]\nparameters: {anchor: mrpc, sinkhorn_reg: 0.05, "
                        + "max_iterations: 200, metric: euclidean, normalize: true}\n";
        for (String valid : List.of(recipe, ot)) {
            Path file = tmp.resolve("recipes/base-" + valid.hashCode() + "/recipe.yaml");
            Files.createDirectories(file.getParent());
            Files.writeString(file, valid);
            StringWriter err = new StringWriter();
            CommandLine cl = new CommandLine(new MergeCommand())
                    .setOut(new PrintWriter(new StringWriter()))
                    .setErr(new PrintWriter(err));
            assertTrue(cl.execute("--recipe", file.toString()) == 0, "the unmutated recipe merges: " + err);
        }
        Mutator m = new Mutator(SEED + 4);
        Cases cases = new Cases("merge recipe (mera merge --recipe)");
        for (int n = 0; n < RECIPE_CASES; n++) {
            Path file = tmp.resolve("recipes/" + n + "/recipe.yaml");
            Files.createDirectories(file.getParent());
            Files.write(file, m.mutate((n % 2 == 0 ? recipe : ot).getBytes(StandardCharsets.UTF_8)));
            StringWriter err = new StringWriter();
            cases.run(
                    n,
                    m.description(),
                    () -> {
                        CommandLine cl = new CommandLine(new MergeCommand());
                        cl.setOut(new PrintWriter(new StringWriter()));
                        cl.setErr(new PrintWriter(err));
                        int code = cl.execute("--recipe", file.toString());
                        if (code == 0) {
                            return code;
                        }
                        List<String> lines =
                                err.toString().lines().filter(l -> !l.isBlank()).toList();
                        boolean usage = code == 2; // picocli's bad-option message, with the usage text
                        if (code == 3 || err.toString().contains("\tat ") || (!usage && lines.size() != 1)) {
                            throw new AssertionError("exit " + code + ": " + err);
                        }
                        throw new Refused(code);
                    },
                    t -> t instanceof Refused,
                    code -> code == 0);
        }
        cases.assertClean();
    }

    // ---- PEFT LoRA configs -----------------------------------------------------------------------------------

    @Test
    void loraConfigs(@TempDir Path tmp) throws Exception {
        Random rng = new Random(SEED);
        List<org.mera.adapter.lora.LoraModule> modules = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            for (String name : List.of("query", "value")) {
                modules.add(new org.mera.adapter.lora.LoraModule(
                        "base_model.model.bert.encoder.layer." + i + ".attention.self." + name,
                        RandomAdapters.gaussian(rng, 0.1, 2, 8),
                        RandomAdapters.gaussian(rng, 0.1, 8, 2)));
            }
        }
        Path dir = tmp.resolve("lora");
        org.mera.adapter.lora.PeftLoraDirectory.write(
                dir,
                new org.mera.adapter.lora.LoraWeights(
                        "lora",
                        org.mera.adapter.lora.LoraConfig.of(2, 4.0, List.of("query", "value"), "bert-base-uncased"),
                        modules,
                        Map.of(),
                        null));
        Path cfg = dir.resolve(org.mera.adapter.lora.PeftLoraDirectory.CONFIG);
        byte[] base = Files.readAllBytes(cfg);
        org.mera.adapter.lora.PeftLoraDirectory.read(dir);
        Mutator m = new Mutator(SEED + 5);
        Cases cases = new Cases("PEFT adapter_config.json");
        for (int n = 0; n < ADAPTER_CONFIG_CASES; n++) {
            Files.write(cfg, m.mutate(base));
            cases.run(
                    n,
                    m.description(),
                    () -> org.mera.adapter.lora.PeftLoraDirectory.read(dir),
                    t -> userError(t, dir),
                    l -> l.modules().size() == 4
                            && l.config().r() > 0
                            && Double.isFinite(l.config().loraAlpha()));
        }
        cases.assertClean();
    }

    // ---- an experiment's results.jsonl ----------------------------------------------------------------------

    @Test
    void resultsFiles(@TempDir Path tmp) throws Exception {
        String line =
                "{\"key\":\"48df0881a17a0c126c4c5ac6\",\"encoder\":\"minilm\",\"task\":\"MRPC\",\"k\":16,\"seed\":13,"
                        + "\"method\":\"adapter\",\"source\":null,\"sources\":[],\"primaryMetric\":\"f1\",\"metrics\":{\"f1\":0.72,"
                        + "\"accuracy\":0.62},\"extra\":{\"steps\":60,\"sources\":[]},\"durationMs\":31109,"
                        + "\"finishedAt\":\"2026-11-27T20:04:21.390832616Z\",\"runId\":\"20261127T200350Z-7817\"}\n";
        byte[] base = (line + line.replace("48df", "59e0").replace("\"seed\":13", "\"seed\":21"))
                .getBytes(StandardCharsets.UTF_8);
        Path file = tmp.resolve("results.jsonl");
        Files.write(file, base);
        assertTrue(org.mera.experiment.ResultStore.read(file).byKey().size() == 2);
        Mutator m = new Mutator(SEED + 6);
        Cases cases = new Cases("results.jsonl");
        for (int n = 0; n < RESULTS_FILE_CASES; n++) {
            Files.write(file, m.mutate(base));
            cases.run(
                    n,
                    m.description(),
                    () -> org.mera.experiment.ResultStore.read(file),
                    t -> t instanceof java.io.IOException
                            && t.getMessage() != null
                            && t.getMessage().startsWith(file + ":"),
                    c -> c.byKey().values().stream()
                            .allMatch(r -> r.key() != null
                                    && !r.key().isBlank()
                                    && r.k() > 0
                                    && r.metrics() != null
                                    && r.metrics().values().stream().allMatch(v -> v != null && Double.isFinite(v))));
        }
        cases.assertClean();
    }
}
