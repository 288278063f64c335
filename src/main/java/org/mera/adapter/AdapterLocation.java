package org.mera.adapter;

/** Where in a transformer layer a bottleneck adapter sits, with its AdapterHub key segment. */
public enum AdapterLocation {
    /** After the self-attention block (Houlsby's {@code mh_adapter}). */
    ATTENTION("attention.output"),
    /** After the feed-forward block (Pfeiffer's and Houlsby's {@code output_adapter}). */
    OUTPUT("output");

    private final String keySegment;

    AdapterLocation(String keySegment) {
        this.keySegment = keySegment;
    }

    public String keySegment() {
        return keySegment;
    }

    public static AdapterLocation ofKeySegment(String segment) {
        for (AdapterLocation l : values()) {
            if (l.keySegment.equals(segment)) {
                return l;
            }
        }
        throw new IllegalArgumentException("unknown adapter location '" + segment + "'");
    }
}
