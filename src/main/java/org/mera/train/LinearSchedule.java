package org.mera.train;

/** Linear warmup from 0 to the peak rate, then linear decay to 0 at the last step (HF's linear schedule). */
public record LinearSchedule(float peak, int warmupSteps, int totalSteps) {
    public float rate(int step) {
        if (step < warmupSteps) {
            return peak * (step + 1) / Math.max(1, warmupSteps);
        }
        float left = totalSteps - step;
        return peak * Math.max(0f, left / Math.max(1, totalSteps - warmupSteps));
    }
}
