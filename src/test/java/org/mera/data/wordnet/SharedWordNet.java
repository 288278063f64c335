package org.mera.data.wordnet;

/** Loads the database once for all test classes of the package (a couple of seconds). */
final class SharedWordNet {
    private static WordNet instance;

    private SharedWordNet() {}

    static synchronized WordNet get() {
        if (instance == null) {
            instance = WordNet.load();
        }
        return instance;
    }
}
