package org.mera.train;

/**
 * Linear warmup to the peak rate, then linear decay towards 0 at {@code totalSteps} (HF's linear schedule; steps
 * count from 0). The decay is HF's; the warmup is one step ahead of HF's (which spends its first step at rate 0),
 * so warmup step {@code i} runs at {@code peak * (i + 1) / warmupSteps} and reaches the peak on its last step.
 */
public record LinearSchedule(float peak, int warmupSteps, int totalSteps) {
    public float rate(int step) {
        if (step < warmupSteps) {
            return peak * (step + 1) / Math.max(1, warmupSteps);
        }
        float left = totalSteps - step;
        return peak * Math.max(0f, left / Math.max(1, totalSteps - warmupSteps));
    }
}
