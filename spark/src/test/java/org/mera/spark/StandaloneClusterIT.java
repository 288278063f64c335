package org.mera.spark;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mera.experiment.ArtifactCache;
import org.mera.experiment.CellRunnerFactory;
import org.mera.experiment.ExperimentConfig;
import org.mera.experiment.ExperimentRunner;
import org.mera.experiment.cell.MeraCellRunner;

import java.io.File;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tiny grid on a real standalone cluster: a Spark master and one worker, child JVMs bound to 127.0.0.1, the worker
 * starting its executor JVM from a Spark installation of its own (SPARK_HOME/jars: Spark and its libraries, no mera),
 * which gets mera from the assembly jar the driver ships, as on a real cluster. The results equal the local engine's.
 */
class StandaloneClusterIT {
    @Test
    void tinyGridOnAStandaloneMasterAndWorker(@TempDir Path tmp) throws Exception {
        Path assembly = Path.of(System.getProperty("mera.spark.assembly", "target/mera-spark-assembly.jar")).toAbsolutePath();
        assertTrue(Files.isRegularFile(assembly), "build the assembly first (mvn package): " + assembly);
        Path inputs = TinyGrid.inputs(tmp.resolve("inputs"));
        MeraCellRunner.register();
        try {
            ExperimentConfig local = TinyGrid.load(TinyGrid.config(inputs, tmp.resolve("local.yaml"), tmp.resolve("local")));
            assertTrue(new ExperimentRunner(local, new MeraCellRunner(new ArtifactCache(local.effectiveCacheDir()), false))
                    .progressTo(new PrintStream(OutputStream.nullOutputStream()), false).run().complete());

            // A Spark installation for the worker: its jars/ holds this build's Spark class path without mera.
            Path sparkHome = Files.createDirectories(tmp.resolve("spark-home/jars"));
            String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            StringBuilder sparkCp = new StringBuilder();
            for (String entry : cp.split(File.pathSeparator)) {
                Path p = Path.of(entry);
                if (entry.endsWith(".jar") && Files.isRegularFile(p) && !p.getFileName().toString().startsWith("mera-")) {
                    Files.createSymbolicLink(sparkHome.resolve(p.getFileName()), p);
                    sparkCp.append(sparkCp.length() == 0 ? "" : File.pathSeparator).append(entry);
                }
            }
            Map<String, String> env = Map.of("SPARK_HOME", sparkHome.getParent().toString(), "SPARK_SCALA_VERSION", "2.13",
                    "SPARK_LOCAL_IP", "127.0.0.1");
            int masterPort = SparkProcesses.freePort();
            Process master = null;
            Process worker = null;
            try {
                master = SparkProcesses.start(sparkCp.toString(), "org.apache.spark.deploy.master.Master",
                        List.of("--host", "127.0.0.1", "--port", String.valueOf(masterPort), "--webui-port",
                                String.valueOf(SparkProcesses.freePort())), env, tmp.resolve("master.log"));
                assertTrue(SparkProcesses.awaitPort(masterPort, master, 120_000), "master did not start: "
                        + Files.readString(tmp.resolve("master.log")));
                String url = "spark://127.0.0.1:" + masterPort;
                worker = SparkProcesses.start(sparkCp.toString(), "org.apache.spark.deploy.worker.Worker",
                        List.of("--host", "127.0.0.1", "--cores", "2", "--memory", "2g", "--webui-port",
                                String.valueOf(SparkProcesses.freePort()), "--work-dir", tmp.resolve("work").toString(), url),
                        env, tmp.resolve("worker.log"));

                System.setProperty("spark.jars", assembly.toString());
                System.setProperty("spark.driver.host", "127.0.0.1");
                System.setProperty("spark.driver.bindAddress", "127.0.0.1");
                System.setProperty("spark.executor.memory", "1g");
                ExperimentConfig cfg = TinyGrid.load(TinyGrid.config(inputs, tmp.resolve("cluster.yaml"), tmp.resolve("cluster")));
                ExperimentRunner.Summary s = new ExperimentRunner(cfg, new MeraCellRunner(new ArtifactCache(cfg.effectiveCacheDir()), false))
                        .engine(new SparkEngine(url)).progressTo(new PrintStream(OutputStream.nullOutputStream()), false).run();
                assertTrue(s.complete(), s.failures() + "\nworker log:\n" + Files.readString(tmp.resolve("worker.log")));
                assertEquals(TinyGrid.CELLS, s.cellsRun());
                TinyGrid.assertSameResults(tmp.resolve("local"), tmp.resolve("cluster"));
                // The cells ran in the worker's executor JVM, not in this one.
                try (var logs = Files.walk(tmp.resolve("work"))) {
                    assertTrue(logs.anyMatch(p -> p.getFileName().toString().equals("stderr")), "no executor ran on the worker");
                }
            } finally {
                for (String k : List.of("spark.jars", "spark.driver.host", "spark.driver.bindAddress", "spark.executor.memory")) {
                    System.clearProperty(k);
                }
                SparkProcesses.stop(worker);
                SparkProcesses.stop(master);
            }
        } finally {
            CellRunnerFactory.REGISTERED.set(null);
        }
    }
}
