package org.mera.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The shared Jackson mappers (configured once, thread-safe once configured): every reader and writer of JSON or YAML
 * in mera uses one of these instead of building its own, so one setting means one behaviour everywhere. Also hashing
 * of canonical JSON (sorted keys) for cache and cell keys.
 */
public final class Json {
    /** Map entries and properties sorted: the same content always gives the same bytes. */
    public static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();
    /** Indented output, fields in declaration order. */
    public static final ObjectMapper PRETTY =
            JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
    /** Jackson's defaults: compact output, e.g. one JSON line per record. */
    public static final ObjectMapper PLAIN = JsonMapper.builder().build();
    /** Indented with map entries sorted by key: AdapterHub's and PEFT's config files. */
    public static final ObjectMapper SORTED_PRETTY = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();
    /** Compact, ignoring unknown fields when reading: records that later versions may extend (results, run records). */
    public static final ObjectMapper LENIENT = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();
    /** YAML with Jackson's defaults: experiment configs, merge recipes, track files. */
    public static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private Json() {}

    public static String canonical(Object value) {
        try {
            return CANONICAL.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** SHA-256 of the canonical JSON of {@code value}, as hex. */
    public static String hash(Object value) {
        return sha256Hex(canonical(value).getBytes(StandardCharsets.UTF_8));
    }

    public static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM lacks SHA-256", e);
        }
    }
}
