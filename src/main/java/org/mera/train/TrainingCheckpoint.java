package org.mera.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mera.io.MalformedFileException;
import org.mera.io.SafeTensors;
import org.mera.io.Tensor;
import org.mera.model.Param;

/**
 * Where a long training run saves its state at each dev evaluation so that a killed process resumes it instead of
 * starting again (a bert-base source adapter is one to two hours of CPU; a working session that ends stops it).
 * The file holds everything the rest of the run depends on: the trainable parameters, AdamW's moments and step
 * count, the best state and score so far, the early-stopping counters, the position in the epoch's batches and the
 * dropout stream; so a resumed run takes the same steps and ends with the same weights as one never stopped.
 *
 * <p>The file is a safetensors file (written to a temporary file, then renamed: it is whole or absent) whose
 * metadata names the run it belongs to: {@code identity} (what the caller says determines the run, such as a cache
 * key) and the options. Reading a file that belongs to another run, or is damaged, fails naming the file and both
 * identities; the trainer then says so, deletes it and trains from the beginning.
 *
 * @param file the checkpoint file; it need not exist (the run then starts from the beginning)
 * @param identity what determines the run (same identity, same options and parameters: the same run)
 */
public record TrainingCheckpoint(Path file, String identity) {
    private static final String PARAM = "param.";
    private static final String BEST = "best.";
    private static final String MOMENT1 = "adam_m.";
    private static final String MOMENT2 = "adam_v.";
    private static final String LOSSES = "losses";

    /**
     * The state at the end of a step, taken just after a dev evaluation.
     *
     * @param step steps taken
     * @param epoch the epoch of the next step
     * @param batchInEpoch the index of the next step's batch in that epoch's batches
     * @param bestState null before the first evaluation that improved (never, when saved after one)
     * @param moments per parameter AdamW's {m, v}; null for a parameter not yet updated
     */
    record State(
            int step,
            int epoch,
            int batchInEpoch,
            List<Float> losses,
            double best,
            int bestStep,
            int evalsWithoutGain,
            int skipped,
            int skippedInARow,
            double seconds,
            long[] dropout,
            int optimizerSteps,
            List<float[]> params,
            List<float[][]> moments,
            List<float[]> bestState) {}

    /** The run's identity as written into the file: the caller's, the options and the trainable parameters. */
    String fullIdentity(TrainOptions o, List<Param> params) {
        StringBuilder s = new StringBuilder(identity).append(" | ").append(o.withProgress(false));
        for (Param p : params) {
            s.append(" | ").append(p.name()).append(p.array().getShape());
        }
        return s.toString();
    }

    void save(State st, TrainOptions o, List<Param> params) throws IOException {
        Map<String, Tensor> t = new LinkedHashMap<>();
        for (int i = 0; i < params.size(); i++) {
            String name = params.get(i).name();
            t.put(PARAM + name, vector(st.params().get(i)));
            float[][] mv = st.moments().get(i);
            if (mv != null) {
                t.put(MOMENT1 + name, vector(mv[0]));
                t.put(MOMENT2 + name, vector(mv[1]));
            }
            if (st.bestState() != null) {
                t.put(BEST + name, vector(st.bestState().get(i)));
            }
        }
        float[] losses = new float[st.losses().size()];
        for (int i = 0; i < losses.length; i++) {
            losses[i] = st.losses().get(i);
        }
        t.put(LOSSES, vector(losses));
        Map<String, String> m = new LinkedHashMap<>();
        m.put("format", "mera training checkpoint 1");
        m.put("identity", fullIdentity(o, params));
        m.put("step", Integer.toString(st.step()));
        m.put("epoch", Integer.toString(st.epoch()));
        m.put("batchInEpoch", Integer.toString(st.batchInEpoch()));
        m.put("best", Double.toString(st.best()));
        m.put("bestStep", Integer.toString(st.bestStep()));
        m.put("evalsWithoutGain", Integer.toString(st.evalsWithoutGain()));
        m.put("skipped", Integer.toString(st.skipped()));
        m.put("skippedInARow", Integer.toString(st.skippedInARow()));
        m.put("seconds", Double.toString(st.seconds()));
        m.put("dropoutSeed", Long.toString(st.dropout()[0]));
        m.put("dropoutCalls", Long.toString(st.dropout()[1]));
        m.put("optimizerSteps", Integer.toString(st.optimizerSteps()));
        Files.createDirectories(file.toAbsolutePath().getParent());
        SafeTensors.write(file, t, m);
    }

    /** The saved state, or null when there is no file. */
    State load(TrainOptions o, List<Param> params) throws IOException {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        SafeTensors.Contents c = SafeTensors.read(file);
        Map<String, String> m = c.metadata();
        String expected = fullIdentity(o, params);
        if (!expected.equals(m.get("identity"))) {
            throw new MalformedFileException(
                    file,
                    "this training checkpoint belongs to another run (" + m.get("identity") + "; this run is "
                            + expected + ")");
        }
        List<float[]> values = new ArrayList<>();
        List<float[][]> moments = new ArrayList<>();
        List<float[]> best =
                m.containsKey("bestStep") && Integer.parseInt(m.get("bestStep")) >= 0 ? new ArrayList<>() : null;
        for (Param p : params) {
            values.add(required(c, PARAM + p.name(), p));
            Tensor m1 = c.tensors().get(MOMENT1 + p.name());
            moments.add(
                    m1 == null
                            ? null
                            : new float[][] {required(c, MOMENT1 + p.name(), p), required(c, MOMENT2 + p.name(), p)});
            if (best != null) {
                best.add(required(c, BEST + p.name(), p));
            }
        }
        Tensor l = c.tensors().get(LOSSES);
        if (l == null) {
            throw new MalformedFileException(file, "no tensor '" + LOSSES + "'");
        }
        List<Float> losses = new ArrayList<>(l.numel());
        for (float v : l.data()) {
            losses.add(v);
        }
        try {
            return new State(
                    integer(m, "step"),
                    integer(m, "epoch"),
                    integer(m, "batchInEpoch"),
                    losses,
                    Double.parseDouble(field(m, "best")),
                    integer(m, "bestStep"),
                    integer(m, "evalsWithoutGain"),
                    integer(m, "skipped"),
                    integer(m, "skippedInARow"),
                    Double.parseDouble(field(m, "seconds")),
                    new long[] {Long.parseLong(field(m, "dropoutSeed")), Long.parseLong(field(m, "dropoutCalls"))},
                    integer(m, "optimizerSteps"),
                    values,
                    moments,
                    best);
        } catch (NumberFormatException e) {
            throw new MalformedFileException(file, "a metadata field is not a number: " + e.getMessage());
        }
    }

    private float[] required(SafeTensors.Contents c, String name, Param p) throws MalformedFileException {
        Tensor t = c.tensors().get(name);
        if (t == null) {
            throw new MalformedFileException(file, "no tensor '" + name + "'");
        }
        long expected = p.array().size();
        if (t.numel() != expected) {
            throw new MalformedFileException(
                    file, "tensor '" + name + "' has " + t.numel() + " values; the parameter has " + expected);
        }
        return t.data();
    }

    private String field(Map<String, String> m, String key) throws MalformedFileException {
        String v = m.get(key);
        if (v == null) {
            throw new MalformedFileException(file, "no metadata field '" + key + "'");
        }
        return v;
    }

    private int integer(Map<String, String> m, String key) throws MalformedFileException {
        return Integer.parseInt(field(m, key));
    }

    private static Tensor vector(float[] v) {
        return new Tensor(Arrays.copyOf(v, v.length), v.length);
    }
}
