package org.mera.experiment.report;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.mera.experiment.CellPredictions;
import org.mera.experiment.ResultRecord;
import org.mera.io.AtomicFiles;

/**
 * Every shown cell's per-example test predictions as one CSV, for checking a result outside mera (the stored files are
 * a compact binary format): one row per cell and test example, with the gold and predicted class index (in the task's
 * label order) or, for regression, value.
 */
public final class PredictionExport {
    public static final String HEADER = "key,encoder,task,k,seed,method,source,example,gold,predicted";

    private PredictionExport() {}

    /** Writes the CSV (atomically) and returns how many cells it holds. */
    public static int write(ResultsFolder in, Path file) throws IOException {
        int[] cells = {0};
        AtomicFiles.write(file, raw -> {
            Writer w = new OutputStreamWriter(raw, StandardCharsets.UTF_8);
            w.write(HEADER);
            w.write('\n');
            for (ResultRecord r : in.shown()) {
                CellPredictions p = in.predictions().ofCell(r.key());
                if (p == null) {
                    continue;
                }
                cells[0]++;
                String prefix = String.join(
                        ",",
                        r.key(),
                        csv(r.encoder()),
                        csv(r.task()),
                        String.valueOf(r.k()),
                        String.valueOf(r.seed()),
                        csv(r.method()),
                        r.source() == null ? "" : csv(r.source()));
                for (int i = 0; i < p.size(); i++) {
                    w.write(prefix);
                    w.write(',');
                    w.write(String.valueOf(i));
                    w.write(',');
                    if (p.isRegression()) {
                        w.write(Float.toString(p.goldValues()[i]));
                        w.write(',');
                        w.write(Float.toString(p.predictedValues()[i]));
                    } else {
                        w.write(String.valueOf(p.goldClasses()[i]));
                        w.write(',');
                        w.write(String.valueOf(p.predictedClasses()[i]));
                    }
                    w.write('\n');
                }
            }
            w.flush();
        });
        return cells[0];
    }

    private static String csv(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")
                ? "\"" + s.replace("\"", "\"\"") + "\""
                : s;
    }
}
