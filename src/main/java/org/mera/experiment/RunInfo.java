package org.mera.experiment;

import java.util.Map;

/**
 * One invocation of the runner on an output folder (runs/&lt;runId&gt;.json). A killed run never writes its
 * end; its wall time is then taken from its last finished cell.
 */
public record RunInfo(
        String runId,
        String configName,
        String startedAt,
        String endedAt,
        String status,
        String runnerName,
        String runnerVersion,
        boolean synthetic,
        int cellsTotal,
        int cellsDoneBefore,
        int cellsRun,
        int cellsFailed,
        Map<String, Object> environment) {}
